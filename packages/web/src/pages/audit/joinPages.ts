// Offsets shift when new records arrive while someone pages through the log, so the same record
// can come twice: pages are joined keeping the first copy.
import type { AuditRecord } from '@capstan/protocol';

/** Joins pages in order, keeping the first copy of each record. */
export function joinPages(pages: ReadonlyArray<{ items: readonly AuditRecord[] }>): AuditRecord[] {
  const seen = new Set<string>();
  const out: AuditRecord[] = [];
  for (const page of pages) {
    for (const r of page.items) {
      if (seen.has(r.id)) continue;
      seen.add(r.id);
      out.push(r);
    }
  }
  return out;
}
