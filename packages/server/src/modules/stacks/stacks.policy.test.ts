import type { EngineSnapshot } from '@capstan/protocol';
import { describe, expect, it } from 'vitest';
import { adoptedDigests, adoptedProject, adoptionNote, maskVariables, mergeVariables, planFromOutput, projectNameOf, secretValues, stackStatus, versionOutcome } from './stacks.policy.ts';

const plan = { services: [], networks: [], volumes: [], basis: 'live', computedAt: '2026-01-01T00:00:00.000Z', noop: true };

describe('stack policy', () => {
  it('derives the project name from the stack name', () => {
    expect(projectNameOf('My-Shop_2')).toBe('my-shop_2');
  });

  it('merges variables, keeping a stored secret whose value is left out', () => {
    const current = [
      { name: 'TOKEN', value: 's3cret', secret: true },
      { name: 'MODE', value: 'dev', secret: false },
    ];
    expect(mergeVariables(current, [{ name: 'TOKEN', secret: true }, { name: 'MODE', value: 'prod', secret: false }])).toEqual({
      variables: [
        { name: 'TOKEN', value: 's3cret', secret: true },
        { name: 'MODE', value: 'prod', secret: false },
      ],
    });
    const bad = mergeVariables(current, [{ name: 'MODE', secret: false }, { name: 'NEW', secret: true }, { name: 'TOKEN', value: 'x', secret: true }, { name: 'TOKEN', value: 'y', secret: true }]);
    expect('problems' in bad && bad.problems.map((p) => p.path)).toEqual(['variables.0.value', 'variables.1.value', 'variables.3.name']);
    // A stored non-secret value is not kept by omission.
    expect('problems' in mergeVariables(current, [{ name: 'MODE', secret: true }])).toBe(true);
  });

  it('masks secret values in answers and lists the secrets to redact', () => {
    const vars = [
      { name: 'A', value: 'x1', secret: true },
      { name: 'B', value: 'plain', secret: false },
      { name: 'C', value: '', secret: true },
    ];
    expect(maskVariables(vars)).toEqual([
      { name: 'A', value: null, secret: true },
      { name: 'B', value: 'plain', secret: false },
      { name: 'C', value: null, secret: true },
    ]);
    expect(secretValues(vars)).toEqual(['x1']);
  });

  it('turns each command status and result into a version outcome', () => {
    const run = (status: string, output: unknown = null, error: unknown = null) => versionOutcome({ status, output: output === null ? null : JSON.stringify(output), error: error === null ? null : JSON.stringify(error) });
    expect(run('queued')).toBeNull();
    expect(run('sent')).toBeNull();
    expect(run('accepted')?.status).toBe('deploying');
    expect(run('superseded')?.status).toBe('superseded');
    expect(run('cancelled')?.status).toBe('failed');
    expect(run('expired', null, { code: 'expired', message: 'too late' })).toMatchObject({ status: 'failed', reason: 'expired: too late' });
    expect(run('succeeded', { outcome: 'deployed', plan, imageDigests: { web: 'a@sha256:1' }, failure: null, durationMs: 3 })).toEqual({
      status: 'deployed',
      reason: null,
      imageDigests: { web: 'a@sha256:1' },
      plan,
    });
    expect(run('succeeded', { outcome: 'rolled_back', plan, imageDigests: {}, failure: { service: 'web', reason: 'unhealthy' }, durationMs: 3 })).toMatchObject({
      status: 'rolled_back',
      reason: 'web: unhealthy',
    });
    expect(run('failed', { outcome: 'failed', plan, imageDigests: {}, failure: null, durationMs: 3 }, { code: 'engine', message: 'boom' })).toMatchObject({ status: 'failed', reason: 'engine: boom' });
    expect(run('failed', null, { code: 'unknown_kind', message: 'no such kind' })).toMatchObject({ status: 'failed', reason: 'unknown_kind: no such kind' });
    expect(run('succeeded', { something: 'else' })).toMatchObject({ status: 'failed', reason: 'the agent reported success without a readable deploy result' });
  });

  it('reads a plan from a plan command output, bare or wrapped', () => {
    expect(planFromOutput(JSON.stringify(plan))).toEqual(plan);
    expect(planFromOutput(JSON.stringify({ plan }))).toEqual(plan);
    expect(planFromOutput('{"plan":1}')).toBeNull();
    expect(planFromOutput(null)).toBeNull();
  });

  it("derives the stack's status from its state and newest version", () => {
    expect(stackStatus('active', null)).toBe('draft');
    expect(stackStatus('active', 'queued')).toBe('deploying');
    expect(stackStatus('active', 'deploying')).toBe('deploying');
    expect(stackStatus('active', 'deployed')).toBe('deployed');
    expect(stackStatus('active', 'failed')).toBe('failed');
    expect(stackStatus('removing', 'deployed')).toBe('removing');
  });

  it('records an adopted project per service with its labels and the digests the snapshot knows', () => {
    const c = (id: string, service: string, imageId: string, oneoff = 'False') => ({
      id,
      name: `legacy_${service}_${id}`,
      image: service === 'db' ? 'postgres:16' : 'registry.local:5000/team/api:1.2',
      imageId,
      command: '',
      createdAt: '',
      state: 'running',
      status: 'Up',
      health: null,
      labels: { 'com.docker.compose.project': 'legacy', 'com.docker.compose.service': service, 'com.docker.compose.oneoff': oneoff },
      ports: [],
      composeProject: 'legacy',
      composeService: service,
    });
    const snapshot = {
      containers: [c('2', 'api', 'sha256:api'), c('1', 'api', 'sha256:api'), c('3', 'db', 'sha256:db'), c('4', 'api', 'sha256:api', 'True')],
      images: [
        { id: 'sha256:api', repoTags: [], repoDigests: ['other/mirror@sha256:0', 'registry.local:5000/team/api@sha256:9'], size: 1, createdAt: '' },
        { id: 'sha256:db', repoTags: [], repoDigests: [], size: 1, createdAt: '' },
      ],
      composeProjects: [{ name: 'legacy', services: ['api', 'db'], containers: 3, running: 3, workingDir: '/srv/legacy', configFiles: null }],
    } as unknown as EngineSnapshot;
    const project = adoptedProject(snapshot, 'legacy');
    expect(project?.services.api?.map((x) => x.id)).toEqual(['1', '2']);
    expect(project?.services.db).toHaveLength(1);
    expect(adoptedDigests(snapshot, project!)).toEqual({ api: 'registry.local:5000/team/api@sha256:9' });
    expect(adoptionNote(project!)).toContain('/srv/legacy');
    expect(adoptedProject(snapshot, 'other')).toBeNull();
  });
});
