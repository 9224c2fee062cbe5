import type { AuditRecord } from '@capstan/protocol';
import { describe, expect, it } from 'vitest';
import { auditToCsv, auditToJson, csvCell, exportFileName } from './exportAudit.ts';

const record: AuditRecord = {
  id: 'a1',
  at: '2026-03-01T12:00:00.000Z',
  actorId: 1,
  actorName: 'admin',
  authMethod: 'session',
  sourceIp: '127.0.0.1',
  action: 'stack.deploy',
  targetType: 'stack',
  targetId: '3',
  outcome: 'success',
  statusCode: 200,
  requestId: 'req-1',
  details: { name: 'web, "prod"' },
};

describe('csvCell', () => {
  it('leaves plain text and numbers alone', () => {
    expect(csvCell('stack.deploy')).toBe('stack.deploy');
    expect(csvCell(200)).toBe('200');
    expect(csvCell(null)).toBe('');
  });
  it('quotes commas, quotes, newlines and edge spaces', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(' padded')).toBe('" padded"');
  });
  it('defuses formulas in text cells', () => {
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('@sum')).toBe("'@sum");
    expect(csvCell('-2')).toBe("'-2");
  });
  it('writes objects as JSON', () => {
    expect(csvCell({ a: 1 })).toBe('"{""a"":1}"');
  });
});

describe('auditToCsv', () => {
  it('has a header and one CRLF row per record', () => {
    const csv = auditToCsv([record]);
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('at,actorId,actorName,authMethod,sourceIp,action,targetType,targetId,outcome,statusCode,requestId,details');
    expect(lines[1]).toBe('2026-03-01T12:00:00.000Z,1,admin,session,127.0.0.1,stack.deploy,stack,3,success,200,req-1,"{""name"":""web, \\""prod\\""""}"');
    expect(lines).toHaveLength(3);
  });
});

describe('auditToJson and file names', () => {
  it('round-trips the records', () => {
    expect(JSON.parse(auditToJson([record]))).toEqual([record]);
  });
  it('names files by time without colons', () => {
    expect(exportFileName('csv', new Date('2026-03-01T12:00:00.123Z'))).toBe('capstan-audit-2026-03-01T12-00-00Z.csv');
  });
});
