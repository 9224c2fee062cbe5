// Export of the audit records on screen as JSON or CSV. CSV follows RFC 4180 (quotes doubled,
// CRLF rows) and defuses spreadsheet formulas: a text cell starting with = + - @ or a control
// character is prefixed with ' so opening the file never runs what an actor typed.
import type { AuditRecord } from '@capstan/protocol';

const COLUMNS = ['at', 'actorId', 'actorName', 'authMethod', 'sourceIp', 'action', 'targetType', 'targetId', 'outcome', 'statusCode', 'requestId', 'details'] as const;

/** One CSV cell. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The records as CSV with a header row. */
export function auditToCsv(records: readonly AuditRecord[]): string {
  const rows = records.map((r) => COLUMNS.map((c) => csvCell(r[c])).join(','));
  return [COLUMNS.join(','), ...rows].join('\r\n') + '\r\n';
}

/** The records as pretty JSON (an array, as the API returns them). */
export function auditToJson(records: readonly AuditRecord[]): string {
  return `${JSON.stringify(records, null, 2)}\n`;
}

/** "capstan-audit-2026-03-01T12-00-00Z.csv": sortable, no characters file systems dislike. */
export function exportFileName(ext: 'csv' | 'json', now = new Date()): string {
  return `capstan-audit-${now.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-')}.${ext}`;
}
