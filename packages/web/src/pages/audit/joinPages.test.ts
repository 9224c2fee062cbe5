import type { AuditRecord } from '@capstan/protocol';
import { describe, expect, it } from 'vitest';
import { joinPages } from './joinPages.ts';

const rec = (id: string): AuditRecord => ({
  id,
  at: '2026-03-01T12:00:00.000Z',
  actorId: null,
  actorName: null,
  authMethod: 'none',
  sourceIp: '::1',
  action: 'auth.login',
  targetType: null,
  targetId: null,
  outcome: 'failure',
  statusCode: 401,
  requestId: id,
  details: {},
});

describe('joinPages', () => {
  it('keeps order and drops records a shifted offset repeated', () => {
    expect(joinPages([{ items: [rec('c'), rec('b')] }, { items: [rec('b'), rec('a')] }]).map((r) => r.id)).toEqual(['c', 'b', 'a']);
  });
});
