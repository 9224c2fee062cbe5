import { describe, expect, it } from 'vitest';
import { EMPTY_PROGRESS, parseProgressMessage, pullPercent, reduceProgress, type ProgressInput, type ProgressState } from './progressReducer.ts';

const at = '2026-01-01T00:00:00.000Z';
const version = {
  id: 2, stackId: 1, number: 2, kind: 'deploy', rollbackOf: null, imagePins: {}, imageDigests: {}, pull: 'missing', gitCommit: null,
  createdBy: 1, createdByName: 'admin', createdAt: at, status: 'rolled_back', reason: 'web is unhealthy', commandId: 'c1', finishedAt: at,
};

function fold(messages: [string, unknown][]): ProgressState {
  return messages.reduce<ProgressState>((state, [name, data]) => {
    const input = parseProgressMessage(name, JSON.stringify(data));
    return input ? reduceProgress(state, input) : state;
  }, EMPTY_PROGRESS);
}

describe('deploy progress from the event stream', () => {
  it('lists steps in order with their state, a repeated step as a new line', () => {
    const s = fold([
      ['progress', { at, type: 'step', step: 'pull nginx', status: 'started' }],
      ['progress', { at, type: 'step', step: 'pull nginx', status: 'done' }],
      ['progress', { at, type: 'step', step: 'create demo_web_1', status: 'started' }],
      ['progress', { at, type: 'step', step: 'create demo_web_1', status: 'failed', detail: 'port in use' }],
      ['progress', { at, type: 'message', level: 'warn', text: 'rolling back to version 1' }],
      ['progress', { at, type: 'step', step: 'create demo_web_1', status: 'started' }],
    ]);
    expect(s.timeline.map((t) => (t.kind === 'step' ? `${t.name}:${t.status}` : t.text))).toEqual([
      'pull nginx:done',
      'create demo_web_1:failed',
      'rolling back to version 1',
      'create demo_web_1:started',
    ]);
    expect(s.timeline[1]).toMatchObject({ detail: 'port in use' });
  });

  it('follows pulls per layer and the health gate per container', () => {
    const s = fold([
      ['progress', { at, type: 'pull', image: 'nginx:1', status: 'Pulling from library/nginx' }],
      ['progress', { at, type: 'pull', image: 'nginx:1', layer: 'a', status: 'Downloading', current: 50, total: 100 }],
      ['progress', { at, type: 'pull', image: 'nginx:1', layer: 'b', status: 'Pull complete' }],
      ['progress', { at, type: 'health', service: 'web', status: 'starting', detail: 'demo_web_1' }],
      ['progress', { at, type: 'health', service: 'web', status: 'healthy', detail: 'demo_web_1' }],
    ]);
    expect(s.pulls).toHaveLength(1);
    expect(pullPercent(s.pulls[0]!)).toBe(73);
    expect(s.health).toEqual([{ service: 'web', container: 'demo_web_1', status: 'healthy', at }]);
    const done = reduceProgress(s, { kind: 'progress', at, event: { type: 'pull', image: 'nginx:1', status: 'Status: Downloaded newer image for nginx:1' } });
    expect(pullPercent(done.pulls[0]!)).toBe(100);
    expect(pullPercent({ image: 'x', status: 'Pulling', layers: {} })).toBeNull();
  });

  it('keeps the version status and ignores what it cannot read', () => {
    const s = fold([
      ['status', { ...version, final: true }],
      ['progress', 'not an object'],
      ['progress', { at, type: 'unknown' }],
      ['other', { at }],
    ]);
    expect(s.version).toMatchObject({ status: 'rolled_back', reason: 'web is unhealthy', final: true });
    expect(s.timeline).toEqual([]);
    expect(parseProgressMessage('progress', '{oops')).toBeNull();
    const input: ProgressInput | null = parseProgressMessage('status', JSON.stringify({ ...version, final: 'yes' }));
    expect(input).toBeNull();
  });
});
