import type { AuditRecord } from '@capstan/protocol';
import { describe, expect, it } from 'vitest';
import { checkFromAudit, lastChecks } from './lastChecks.ts';

const rec = (over: Partial<AuditRecord>): AuditRecord => ({
  id: Math.random().toString(36),
  at: '2026-03-01T12:00:00.000Z',
  actorId: 1,
  actorName: 'admin',
  authMethod: 'session',
  sourceIp: '::1',
  action: 'registries.test',
  targetType: 'registry',
  targetId: '2',
  outcome: 'success',
  statusCode: 200,
  requestId: 'r',
  details: { auth: 'basic', outcome: 'ok' },
  ...over,
});

describe('lastChecks', () => {
  it('reads success and failure records', () => {
    expect(checkFromAudit(rec({}))).toEqual({ at: '2026-03-01T12:00:00.000Z', ok: true, detail: 'basic auth' });
    expect(checkFromAudit(rec({ outcome: 'failure', statusCode: 502, details: { outcome: 'registry_auth_failed' } })).detail).toBe('registry_auth_failed');
    expect(checkFromAudit(rec({ outcome: 'denied', statusCode: 403, details: {} })).detail).toBe('HTTP 403');
  });
  it('keeps the newest check per registry, local ones included', () => {
    const records = [rec({ at: '2026-03-01T12:00:00.000Z' }), rec({ at: '2026-03-01T13:00:00.000Z', outcome: 'failure', details: { outcome: 'x' } }), rec({ targetId: '5' })];
    const local = new Map([[5, { at: '2026-03-02T00:00:00.000Z', ok: true, detail: 'none auth' }]]);
    const out = lastChecks(records, local);
    expect(out.get(2)).toMatchObject({ ok: false, detail: 'x' });
    expect(out.get(5)).toMatchObject({ detail: 'none auth' });
  });
  it('ignores other actions and missing targets', () => {
    expect(lastChecks([rec({ action: 'registries.update' }), rec({ targetId: null })], new Map()).size).toBe(0);
  });
});
