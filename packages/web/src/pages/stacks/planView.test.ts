import type { StackPlan } from '@capstan/protocol';
import { describe, expect, it } from 'vitest';
import { actionLabel, planBlockers, planRows, planSummary, showValue } from './planView.ts';

const image = (updated = false) => ({ reference: 'nginx:1', current: null, target: null, updated });
const plan: StackPlan = {
  services: [
    { service: 'web', action: 'recreate', changes: [{ field: 'environment.A', from: '1', to: '2' }], image: image(true), containers: { current: 1, target: 1 } },
    { service: 'db', action: 'unchanged', changes: [], image: image(), containers: { current: 1, target: 1 } },
    { service: 'cache', action: 'create', changes: [], image: image(), containers: { current: 0, target: 2 } },
  ],
  networks: [
    { name: 'demo_default', action: 'unchanged' },
    { name: 'demo_back', action: 'recreate', changes: [{ field: 'internal', from: false, to: true }] },
  ],
  volumes: [{ name: 'demo_data', action: 'create' }],
  basis: 'live',
  computedAt: '2026-01-01T00:00:00.000Z',
  noop: false,
};

describe('plan rows', () => {
  it('names each service, its action and what changed', () => {
    const rows = planRows(plan);
    expect(rows.map((r) => `${r.kind} ${r.name} ${r.action}`)).toEqual([
      'service web recreate',
      'service db keep',
      'service cache create',
      'network demo_back recreate',
      'volume demo_data create',
    ]);
    expect(rows[0]?.changes).toEqual(['environment.A: 1 → 2']);
    expect(rows[0]?.notes).toEqual(['pull: a newer nginx:1 is available']);
    expect(rows[2]?.notes).toEqual(['containers 0 → 2']);
    expect(rows[3]?.changes).toEqual(['internal: false → true']);
  });

  it('summarises and flags refused network changes', () => {
    expect(planSummary(plan)).toBe('1 to create, 1 to recreate, 1 kept');
    expect(planSummary({ ...plan, services: [] })).toBe('no services');
    expect(planBlockers(plan)[0]).toContain('demo_back');
    expect(actionLabel('unchanged')).toBe('keep');
    expect(showValue(null)).toBe('none');
    expect(showValue('x'.repeat(100))).toHaveLength(80);
  });
});
