import { describe, expect, it } from 'vitest';
import { decideRedeploy, nextPollDelayMs } from './git-sources.policy.ts';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const OWN = ['stack/compose.yaml', 'stack/.env', 'stack/app.env'];

describe('decideRedeploy', () => {
  it('redeploys when the compose file or a file it references changed', () => {
    expect(decideRedeploy({ lastDeployedCommit: A, commit: B, changedPaths: ['README.md', 'stack/compose.yaml'], ownPaths: OWN })).toEqual({
      redeploy: true,
      reason: 'own_files_changed',
      paths: ['stack/compose.yaml'],
    });
    expect(decideRedeploy({ lastDeployedCommit: A, commit: B, changedPaths: ['stack/app.env', 'stack/.env'], ownPaths: OWN })).toEqual({
      redeploy: true,
      reason: 'own_files_changed',
      paths: ['stack/.env', 'stack/app.env'],
    });
  });

  it('does not redeploy when only other paths changed (same-named files elsewhere included)', () => {
    expect(decideRedeploy({ lastDeployedCommit: A, commit: B, changedPaths: ['docs/x.md', 'other/compose.yaml', 'stack/compose.yaml.bak'], ownPaths: OWN })).toEqual({
      redeploy: false,
      reason: 'only_other_paths',
      paths: [],
    });
    expect(decideRedeploy({ lastDeployedCommit: A, commit: B, changedPaths: [], ownPaths: OWN }).redeploy).toBe(false);
  });

  it('deploys the first time, never for the same commit, and always when forced', () => {
    expect(decideRedeploy({ lastDeployedCommit: null, commit: B, changedPaths: null, ownPaths: OWN })).toMatchObject({ redeploy: true, reason: 'first_deploy' });
    expect(decideRedeploy({ lastDeployedCommit: B, commit: B, changedPaths: [], ownPaths: OWN })).toMatchObject({ redeploy: false, reason: 'same_commit' });
    expect(decideRedeploy({ lastDeployedCommit: B, commit: B, changedPaths: [], ownPaths: OWN, force: true })).toMatchObject({ redeploy: true, reason: 'forced' });
  });

  it('redeploys when the old commit cannot be compared', () => {
    expect(decideRedeploy({ lastDeployedCommit: A, commit: B, changedPaths: null, ownPaths: OWN })).toMatchObject({ redeploy: true, reason: 'history_unavailable' });
  });
});

describe('nextPollDelayMs', () => {
  it('jitters the interval by ±10%', () => {
    expect(nextPollDelayMs(60, 0, 0)).toBe(54_000);
    expect(nextPollDelayMs(60, 0, 0.5)).toBe(60_000);
    expect(nextPollDelayMs(60, 0, 0.999999)).toBe(66_000);
  });

  it('backs off exponentially on failures, capped', () => {
    expect(nextPollDelayMs(10, 1, 0.5)).toBe(20_000);
    expect(nextPollDelayMs(10, 3, 0.5)).toBe(80_000);
    expect(nextPollDelayMs(10, 50, 0.5)).toBe(320_000);
    // Long intervals: at most an hour more than the interval.
    expect(nextPollDelayMs(3600, 4, 0.5)).toBe(7_200_000);
  });

  it('never polls more often than every 250 ms', () => {
    expect(nextPollDelayMs(0, 0, 0)).toBe(250);
  });
});
