// Pure rules of registries: which registry an environment may use, and reading a registry's
// authentication challenge.

/** True when a registry with this scope may lend its credentials to the environment (in group `groupId`). */
export function appliesTo(
  scope: { environmentIds: readonly number[]; groupIds: readonly number[] } | null,
  environmentId: number,
  groupId: number | null,
): boolean {
  if (scope === null) return true;
  return scope.environmentIds.includes(environmentId) || (groupId !== null && scope.groupIds.includes(groupId));
}

/** The host serving a registry's API: Docker Hub's API lives on registry-1.docker.io. */
export function apiHost(host: string): string {
  return host === 'docker.io' ? 'registry-1.docker.io' : host;
}

/** A registry's `WWW-Authenticate` challenge. */
export type Challenge =
  | { scheme: 'basic' }
  | { scheme: 'bearer'; realm: string; service: string | null; scope: string | null }
  | { scheme: 'unknown'; raw: string };

/** Reads a `WWW-Authenticate` header value (RFC 7235 auth-params; quoted or token values). */
export function parseChallenge(header: string | undefined): Challenge {
  const raw = (header ?? '').trim();
  const space = raw.search(/\s/);
  const scheme = (space === -1 ? raw : raw.slice(0, space)).toLowerCase();
  if (scheme === 'basic') return { scheme: 'basic' };
  if (scheme !== 'bearer') return { scheme: 'unknown', raw: raw.slice(0, 200) };
  const params = new Map<string, string>();
  const re = /([A-Za-z][\w-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g;
  for (const m of raw.slice(space + 1).matchAll(re)) {
    params.set(m[1]!.toLowerCase(), m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? ''));
  }
  const realm = params.get('realm');
  if (!realm || !/^https?:\/\//i.test(realm)) return { scheme: 'unknown', raw: raw.slice(0, 200) };
  return { scheme: 'bearer', realm, service: params.get('service') ?? null, scope: params.get('scope') ?? null };
}

/** The token URL for a bearer challenge: realm plus service (and scope) and the account asking. */
export function tokenUrl(challenge: { realm: string; service: string | null; scope: string | null }, account: string): URL {
  const url = new URL(challenge.realm);
  if (challenge.service) url.searchParams.set('service', challenge.service);
  if (challenge.scope) url.searchParams.set('scope', challenge.scope);
  url.searchParams.set('account', account);
  return url;
}
