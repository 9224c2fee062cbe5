import { describe, expect, it } from 'vitest';
import type { ServicePlan, StackPlanAnswer, StackVersionSummary } from '@capstan/protocol';
import { formatComposeWarnings, formatPlan, planValue, shortDigests, versionRows } from './stack-plan-view.ts';

const at = '2026-01-01T00:00:00.000Z';
const ID_A = `sha256:${'a'.repeat(64)}`;
const ID_B = `sha256:${'b'.repeat(64)}`;

const service = (over: Partial<ServicePlan> & Pick<ServicePlan, 'service' | 'action'>): ServicePlan => ({
  changes: [],
  image: { reference: 'nginx:1.27', current: ID_A, target: ID_A, updated: false },
  containers: { current: 1, target: 1 },
  ...over,
});

const answer = (over: Partial<StackPlanAnswer['plan']> = {}, rest: Partial<StackPlanAnswer> = {}): StackPlanAnswer => ({
  plan: { services: [], networks: [], volumes: [], basis: 'live', computedAt: at, noop: false, ...over },
  liveUnavailable: null,
  warnings: [],
  ...rest,
});

describe('planValue', () => {
  it('quotes strings, names null, shortens digests and cuts long values', () => {
    expect(planValue('v1')).toBe('"v1"');
    expect(planValue(null)).toBe('(none)');
    expect(planValue(['a', 1])).toBe('["a",1]');
    expect(planValue(ID_A)).toBe('"sha256:aaaaaaaaaaaa"');
    const long = planValue('x'.repeat(100));
    expect([...long]).toHaveLength(60);
    expect(long.endsWith('…')).toBe(true);
    expect(planValue('a\nb')).toBe('"a\\nb"');
  });

  it('shortens digests inside references', () => {
    expect(shortDigests(`nginx@${ID_B}`)).toBe('nginx@sha256:bbbbbbbbbbbb');
  });
});

describe('formatPlan', () => {
  it('lists each service with its action, the changed fields from → to, images, networks and volumes', () => {
    const text = formatPlan(
      answer({
        services: [
          service({ service: 'db', action: 'unchanged' }),
          service({
            service: 'api',
            action: 'recreate',
            changes: [
              { field: 'environment.GREETING', from: 'v1', to: 'v2' },
              { field: 'image', from: ID_A, to: ID_B },
            ],
            image: { reference: 'app:latest', current: ID_A, target: ID_B, updated: true },
          }),
          service({ service: 'web', action: 'create', containers: { current: 0, target: 2 } }),
          service({ service: 'worker', action: 'scale', containers: { current: 1, target: 3 } }),
          service({ service: 'old', action: 'remove', containers: { current: 1, target: 0 } }),
        ],
        networks: [{ name: 'shop_default', action: 'create' }],
        volumes: [{ name: 'shop_data', action: 'unchanged' }],
      }),
    );
    expect(text).toBe(
      [
        `Plan against the live engine (computed ${at}):`,
        'Services:',
        '    db      unchanged',
        '  ~ api     recreate   1 container',
        '      environment.GREETING: "v1" → "v2"',
        '      image: "sha256:aaaaaaaaaaaa" → "sha256:bbbbbbbbbbbb"',
        '  + web     create     2 containers, image nginx:1.27',
        '  ~ worker  scale      1 → 3 containers',
        '  - old     remove     1 container',
        'Image updates:',
        '  app:latest (api): a newer image is available',
        'Networks:',
        '  + shop_default  create',
        'Volumes:',
        '    shop_data  unchanged',
        '1 to create, 1 to recreate, 1 to scale, 1 to remove, 1 unchanged.',
        '',
      ].join('\n'),
    );
  });

  it('says when nothing would change', () => {
    const text = formatPlan(answer({ noop: true, services: [service({ service: 'web', action: 'unchanged' })] }));
    expect(text.trimEnd().split('\n').at(-1)).toBe('Nothing would change.');
  });

  it('names a snapshot basis with its date and why the live plan was not available', () => {
    const text = formatPlan(
      answer(
        { basis: 'snapshot', computedAt: '2026-02-02T00:00:00.000Z', noop: true },
        {
          liveUnavailable:
            'the agent of environment 3 is not connected: planned against the last snapshot (taken 2026-01-31T10:00:00.000Z)',
        },
      ),
    );
    expect(text.split('\n')[0]).toBe(
      'Plan against the last snapshot as of 2026-01-31T10:00:00.000Z (live plan unavailable: the agent of environment 3 is not connected):',
    );
  });

  it('keeps terminal control characters from the server out', () => {
    const text = formatPlan(answer({ services: [service({ service: 'a\u001b[2Jb', action: 'unchanged' })] }));
    expect(text).not.toContain('\u001b');
  });

  it('appends compose warnings with file:line:column in the user\'s names', () => {
    const text = formatPlan(
      answer(
        { noop: true },
        {
          warnings: [
            { severity: 'warning', file: 'compose.yaml', line: 4, column: 3, path: 'services.web.build', message: 'ignored' },
          ],
        },
      ),
      (f) => (f === 'compose.yaml' ? 'deploy/shop.yml' : f),
    );
    expect(text).toContain('\nwarning: deploy/shop.yml:4:3 services.web.build: ignored\n');
  });
});

describe('formatComposeWarnings', () => {
  it('leaves out positions the reader did not know', () => {
    expect(
      formatComposeWarnings([{ severity: 'warning', file: '.env', line: null, column: null, path: '', message: 'empty' }]),
    ).toBe('warning: .env: empty\n');
  });
});

describe('versionRows', () => {
  it('names the version a rollback copies by number', () => {
    const v: StackVersionSummary = {
      id: 11,
      stackId: 1,
      number: 3,
      kind: 'rollback',
      rollbackOf: 9,
      imagePins: {},
      imageDigests: {},
      pull: 'missing',
      gitCommit: null,
      createdBy: 1,
      createdByName: 'admin',
      createdAt: at,
      status: 'failed',
      reason: 'web unhealthy',
      commandId: 'c',
      finishedAt: at,
    };
    expect(versionRows([v], (id) => (id === 9 ? 1 : null))).toEqual([
      ['v3', '11', 'rollback to v1', 'failed', at, 'admin', 'web unhealthy'],
    ]);
    expect(versionRows([{ ...v, rollbackOf: 8 }], () => null)[0]?.[2]).toBe('rollback to id 8');
  });
});
