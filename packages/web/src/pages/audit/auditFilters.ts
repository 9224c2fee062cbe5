// The audit log's filters: kept in the URL (shareable, back/forward work) and turned into the
// GET /api/audit query. Pure, so the mapping is unit-tested.
import type { AuditQuery } from '@capstan/protocol';

/** The outcomes the API filters on. */
export const OUTCOMES = ['success', 'failure', 'denied'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface AuditFilters {
  /** Exact action (stack.deploy) or a prefix: "stack.*", "stack." or "stack". */
  action: string;
  /** Exact username of the actor. */
  user: string;
  outcome: Outcome | '';
  targetType: string;
  targetId: string;
  requestId: string;
  /** ISO-8601 UTC, or '' for open-ended. */
  from: string;
  to: string;
}

/** No filter set: the whole log. */
export const EMPTY_FILTERS: AuditFilters = { action: '', user: '', outcome: '', targetType: '', targetId: '', requestId: '', from: '', to: '' };

const TEXT_KEYS = ['action', 'user', 'targetType', 'targetId', 'requestId'] as const;

const isIso = (v: string): boolean => /^\d{4}-\d{2}-\d{2}T/.test(v) && !Number.isNaN(Date.parse(v));

/** Filters from the page's search params; unknown or malformed values are ignored. */
export function filtersFromParams(params: URLSearchParams): AuditFilters {
  const f: AuditFilters = { ...EMPTY_FILTERS };
  for (const key of TEXT_KEYS) f[key] = (params.get(key) ?? '').trim();
  const outcome = params.get('outcome');
  f.outcome = OUTCOMES.find((o) => o === outcome) ?? '';
  const from = params.get('from') ?? '';
  const to = params.get('to') ?? '';
  f.from = isIso(from) ? new Date(from).toISOString() : '';
  f.to = isIso(to) ? new Date(to).toISOString() : '';
  return f;
}

/** Search params holding `filters` (empty ones left out, in a stable order). */
export function filtersToParams(filters: AuditFilters): URLSearchParams {
  const out = new URLSearchParams();
  for (const key of ['action', 'user', 'outcome', 'targetType', 'targetId', 'requestId', 'from', 'to'] as const) {
    const value = filters[key].trim();
    if (value) out.set(key, value);
  }
  return out;
}

/**
 * The API takes an exact action or a prefix ending in `*`. People type "stack" or "stack." meaning
 * every stack action, so a word without a dot and a trailing dot become prefixes.
 */
export function actionParam(text: string): string | undefined {
  const t = text.trim();
  if (!t) return undefined;
  if (t.endsWith('*')) return t;
  if (t.endsWith('.')) return `${t}*`;
  if (!t.includes('.')) return `${t}.*`;
  return t;
}

/** The GET /api/audit query for `filters` (paging added by the caller). */
export function auditQuery(filters: AuditFilters): Omit<AuditQuery, 'limit' | 'offset'> {
  const q: Omit<AuditQuery, 'limit' | 'offset'> = {};
  const action = actionParam(filters.action);
  if (action) q.action = action;
  if (filters.user.trim()) q.username = filters.user.trim();
  if (filters.outcome) q.outcome = filters.outcome;
  if (filters.targetType.trim()) q.targetType = filters.targetType.trim();
  if (filters.targetId.trim()) q.targetId = filters.targetId.trim();
  if (filters.requestId.trim()) q.requestId = filters.requestId.trim();
  if (filters.from) q.from = filters.from;
  if (filters.to) q.to = filters.to;
  return q;
}

/** True when any filter is set. */
export function hasFilters(filters: AuditFilters): boolean {
  return filtersToParams(filters).toString() !== '';
}
