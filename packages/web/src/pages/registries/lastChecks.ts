// A registry's last credential check. The API keeps no such field, but every check is audited
// (action registries.test, target = the registry id): the newest record per registry is its last
// check. Checks run from this page are also remembered locally, since the audit log is written
// just after the answer and a re-read right away may not hold them yet.
import type { AuditRecord } from '@capstan/protocol';

export interface LastCheck {
  at: string;
  ok: boolean;
  /** "basic auth", or the failure's code (registry_unreachable, …). */
  detail: string;
}

/** A check as read from one audit record. */
export function checkFromAudit(r: AuditRecord): LastCheck {
  const ok = r.outcome === 'success';
  const auth = r.details.auth;
  const code = r.details.outcome;
  const detail = ok ? (typeof auth === 'string' ? `${auth} auth` : 'ok') : typeof code === 'string' && code !== 'ok' ? code : `HTTP ${r.statusCode}`;
  return { at: r.at, ok, detail };
}

/** registry id → newest check, from audit records (any order) and checks run here. */
export function lastChecks(records: readonly AuditRecord[], local: ReadonlyMap<number, LastCheck>): Map<number, LastCheck> {
  const out = new Map<number, LastCheck>();
  const offer = (id: number, c: LastCheck): void => {
    const seen = out.get(id);
    if (!seen || Date.parse(c.at) > Date.parse(seen.at)) out.set(id, c);
  };
  for (const r of records) {
    const id = Number(r.targetId);
    if (r.action === 'registries.test' && Number.isInteger(id) && id > 0) offer(id, checkFromAudit(r));
  }
  for (const [id, c] of local) offer(id, c);
  return out;
}
