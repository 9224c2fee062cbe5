// The registry dialog's state and the request bodies made from it. The password is write-only:
// an edit sends it only when something was typed; an empty field keeps the stored one.
import type { Registry } from '@capstan/protocol';

export interface RegistryDraft {
  name: string;
  host: string;
  username: string;
  password: string;
  insecure: boolean;
  /** false: every environment may use it (scope null). */
  scoped: boolean;
  environmentIds: number[];
  groupIds: number[];
}

type Scope = { environmentIds: number[]; groupIds: number[] } | null;

/** The dialog's starting state: empty, or `r` without its (never sent) password. */
export function draftOf(r?: Registry): RegistryDraft {
  return {
    name: r?.name ?? '',
    host: r?.host ?? '',
    username: r?.username ?? '',
    password: '',
    insecure: r?.insecure ?? false,
    scoped: r ? r.scope !== null : false,
    environmentIds: r?.scope?.environmentIds ?? [],
    groupIds: r?.scope?.groupIds ?? [],
  };
}

function scopeOf(d: RegistryDraft): Scope {
  return d.scoped ? { environmentIds: [...d.environmentIds].sort((a, b) => a - b), groupIds: [...d.groupIds].sort((a, b) => a - b) } : null;
}

function sameScope(a: Scope, b: Scope): boolean {
  if (a === null || b === null) return a === b;
  const key = (s: NonNullable<Scope>): string => `${[...s.environmentIds].sort((x, y) => x - y).join(',')}|${[...s.groupIds].sort((x, y) => x - y).join(',')}`;
  return key(a) === key(b);
}

/** The POST /api/registries body. */
export function createBody(d: RegistryDraft) {
  return { name: d.name.trim(), host: d.host.trim(), username: d.username.trim(), password: d.password, insecure: d.insecure, scope: scopeOf(d) };
}

/** The PATCH body: only changed fields; null when nothing changed. */
export function updateBody(d: RegistryDraft, r: Registry): Partial<ReturnType<typeof createBody>> | null {
  const body: Partial<ReturnType<typeof createBody>> = {};
  if (d.name.trim() !== r.name) body.name = d.name.trim();
  if (d.host.trim() !== r.host) body.host = d.host.trim();
  if (d.username.trim() !== r.username) body.username = d.username.trim();
  if (d.password !== '') body.password = d.password;
  if (d.insecure !== r.insecure) body.insecure = d.insecure;
  const scope = scopeOf(d);
  if (!sameScope(scope, r.scope)) body.scope = scope;
  return Object.keys(body).length > 0 ? body : null;
}

/** True when the draft limits the registry to nothing at all (allowed, but surely a mistake). */
export function scopesNothing(d: RegistryDraft): boolean {
  return d.scoped && d.environmentIds.length === 0 && d.groupIds.length === 0;
}
