// Which server a command talks to and with which credentials: flags, then environment, then the config file.
import path from 'node:path';
import type { GlobalOptions } from './args.ts';
import type { StoredConfig } from './config-file.ts';
import { CliError } from './errors.ts';

/** Everything needed to make one authenticated request. */
export interface Target {
  url: string;
  apiKey: string | null;
  token: string | null;
  insecure: boolean;
  caFile: string | null;
}

/** `raw` as a base URL without trailing slash (https:// assumed when no scheme is given), or null when it is not one. */
export function normalizeUrl(raw: string): string | null {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  if (url.search || url.hash || url.username || url.password) return null;
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/**
 * The server and credentials for a command. The stored token, --insecure and CA file apply only
 * when the stored URL is the one in use, so a session token is never sent to another server.
 */
export function resolveTarget(
  opts: GlobalOptions,
  env: Readonly<Record<string, string | undefined>>,
  stored: StoredConfig | null,
  cwd: string,
): Target {
  const raw = opts.url ?? (env.CAPSTAN_URL || undefined) ?? stored?.url;
  if (raw === undefined) {
    throw new CliError(
      'no server given: run "capstan login --url https://HOST:9443 --username NAME", or pass --url / set CAPSTAN_URL',
    );
  }
  const url = normalizeUrl(raw);
  if (url === null) throw new CliError(`"${raw}" is not a server URL: write it like https://127.0.0.1:9443`);
  const same = stored !== null && normalizeUrl(stored.url) === url;
  const apiKey = opts.apiKey ?? (env.CAPSTAN_API_KEY || null);
  return {
    url,
    apiKey,
    token: apiKey === null && same ? stored.token : null,
    insecure: opts.insecure || (same && stored.insecure),
    caFile: opts.caFile !== undefined ? path.resolve(cwd, opts.caFile) : same ? stored.caFile : null,
  };
}
