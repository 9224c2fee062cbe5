// Pure helpers of the assignments view: the scope filter as one select value, and the query.
import type { RoleAssignmentQuery } from '@capstan/protocol';

export type ScopeType = 'environment' | 'group';

/** "environment:3" / "group:2": one select value for a scope. */
export function scopeKey(type: ScopeType, id: number): string {
  return `${type}:${id}`;
}

/** The scope a select value names, or null for "all" and anything unreadable. */
export function parseScopeKey(key: string | null): { type: ScopeType; id: number } | null {
  const m = /^(environment|group):(\d+)$/.exec(key ?? '');
  if (!m) return null;
  return { type: m[1] as ScopeType, id: Number(m[2]) };
}

/** The list query for a scope filter; null scope lists everything (administrators only). */
export function assignmentQuery(scope: { type: ScopeType; id: number } | null): RoleAssignmentQuery {
  return scope ? { scopeType: scope.type, scopeId: scope.id } : {};
}
