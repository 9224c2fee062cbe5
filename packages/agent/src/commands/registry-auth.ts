// Registry credentials on pulls: which of the server's credentials an image needs, the
// X-Registry-Auth header the engine takes, and a failure message that says whose credentials failed.
import { normalizeRegistryHost, registryHostOf, type CommandError, type RegistryAuth } from '@capstan/protocol';

/** The credentials for `image`'s registry among `list`, or null. */
export function credentialsFor(image: string, list: readonly RegistryAuth[]): RegistryAuth | null {
  const host = registryHostOf(image);
  return list.find((a) => normalizeRegistryHost(a.serverAddress) === host) ?? null;
}

/** The X-Registry-Auth value: URL-safe base64 (padded, as the engine decodes it) of the auth config JSON. */
export function registryAuthHeader(auth: RegistryAuth): string {
  const json = JSON.stringify({ username: auth.username, password: auth.password, serveraddress: auth.serverAddress });
  return Buffer.from(json, 'utf8').toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

const REFUSED = /unauthori[sz]ed|authentication required|no basic auth credentials|access denied|denied: |\b401\b|incorrect username or password/i;

/** The command error for a failed pull: a refusal of credentials says which registry and user (never the password). */
export function pullError(image: string, engineMessage: string, auth: RegistryAuth | null): CommandError {
  const host = registryHostOf(image);
  const text = (m: string) => m.slice(0, 4096);
  if (!REFUSED.test(engineMessage)) return { code: 'pull_failed', message: text(`cannot pull ${image}: ${engineMessage}`) };
  if (auth) {
    return {
      code: 'registry_auth_failed',
      message: text(`cannot pull ${image}: the registry ${host} refused the credentials of user "${auth.username}" (${engineMessage}); correct them in the registry definition for ${host}`),
    };
  }
  return {
    code: 'registry_auth_required',
    message: text(`cannot pull ${image}: the registry ${host} refused an anonymous pull (${engineMessage}); add a registry definition with credentials for ${host}`),
  };
}
