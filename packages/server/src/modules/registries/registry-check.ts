// Checks stored credentials against a registry's /v2/ endpoint the way an engine logs in: an
// anonymous probe, then Basic auth or the bearer token flow the registry's challenge asks for.
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import { AppError } from '../../errors.ts';
import { apiHost, parseChallenge, tokenUrl } from './registries.policy.ts';

/** What to check: a registry definition with its password opened. */
export interface CheckTarget {
  host: string;
  username: string;
  password: string;
  insecure: boolean;
}

/** A check that passed. */
export interface CheckPassed {
  endpoint: string;
  auth: 'basic' | 'bearer' | 'none';
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

const MAX_BODY = 64 * 1024;
const TLS_CODES = /^(?:CERT_|ERR_TLS_|ERR_SSL_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|UNABLE_TO_|EPROTO$|HOSTNAME_MISMATCH$)/;

/** One GET with a bounded body; rejects with the socket or TLS error. */
function get(url: URL, opts: { authorization?: string; insecure: boolean; signal: AbortSignal }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const mod = url.protocol === 'https:' ? https : http;
    const req = mod.request(url, {
      method: 'GET',
      agent: false,
      signal: opts.signal,
      rejectUnauthorized: !opts.insecure,
      headers: { accept: 'application/json', 'user-agent': 'capstan-registry-check', ...(opts.authorization ? { authorization: opts.authorization } : {}) },
    });
    req.once('error', reject);
    req.once('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        if (size < MAX_BODY) chunks.push(c);
        size += c.length;
      });
      res.once('error', reject);
      res.once('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.end();
  });
}

type Trouble = 'timeout' | 'plain-http' | 'tls' | 'network';

function troubleOf(err: unknown, signal: AbortSignal): Trouble {
  if (signal.aborted) return 'timeout';
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  const message = typeof e.message === 'string' ? e.message : '';
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number|packet length too long|http request/i.test(message)) return 'plain-http';
  return TLS_CODES.test(code) ? 'tls' : 'network';
}

function errorText(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  // Node appends advice about its own flags to certificate errors; it means nothing to an API caller.
  const message = (typeof e.message === 'string' ? e.message : String(err)).split('; if the root CA')[0] ?? '';
  return typeof e.code === 'string' && !message.includes(e.code) ? `${e.code}: ${message}` : message;
}

/** The AppError for a request that got no HTTP answer. */
function noAnswer(err: unknown, trouble: Trouble, what: string, timeoutMs: number): AppError {
  switch (trouble) {
    case 'timeout':
      return new AppError('registry_unreachable', `${what} did not answer within ${Math.round(timeoutMs / 1000)} s: check the host and that the server can reach it`);
    case 'plain-http':
      return new AppError('registry_tls_failed', `${what} does not speak HTTPS (it answers plain HTTP): set insecure: true if it is meant to serve plain HTTP`);
    case 'tls':
      return new AppError('registry_tls_failed', `the TLS connection to ${what} failed (${errorText(err)}): give it a certificate the server trusts, or set insecure: true`);
    case 'network':
      return new AppError('registry_unreachable', `cannot reach ${what} (${errorText(err)}): check the host and port and that the server can reach it`);
  }
}

function rejected(host: string, username: string, status: number, by: string): AppError {
  return new AppError('registry_credentials_rejected', `${by} refused the credentials of user "${username}" (HTTP ${status}): check the username and password (or access token)`, {
    host,
    status,
  });
}

function unexpected(host: string, status: number, where: string): AppError {
  return new AppError('registry_unreachable', `${where} answered HTTP ${status}: ${host} does not look like a Docker registry (check the host and port)`, {
    host,
    status,
  });
}

/**
 * Checks `target`'s credentials within `timeoutMs`; resolves how it authenticated, or throws an
 * AppError: registry_credentials_rejected, registry_unreachable or registry_tls_failed. Insecure
 * registries are tried over HTTPS without verification first, then plain HTTP, as engines do.
 */
export async function checkRegistry(target: CheckTarget, timeoutMs: number): Promise<CheckPassed> {
  const signal = AbortSignal.timeout(timeoutMs);
  const host = apiHost(target.host);
  const basic = `Basic ${Buffer.from(`${target.username}:${target.password}`, 'utf8').toString('base64')}`;
  const call = async (url: URL, authorization: string | undefined, what: string): Promise<Answer> => {
    try {
      return await get(url, { insecure: target.insecure, signal, ...(authorization ? { authorization } : {}) });
    } catch (err) {
      throw noAnswer(err, troubleOf(err, signal), what, timeoutMs);
    }
  };

  let base = new URL(`https://${host}/v2/`);
  let probe: Answer;
  try {
    probe = await get(base, { insecure: target.insecure, signal });
  } catch (err) {
    const trouble = troubleOf(err, signal);
    if (!target.insecure || trouble === 'timeout') throw noAnswer(err, trouble, host, timeoutMs);
    base = new URL(`http://${host}/v2/`);
    probe = await call(base, undefined, host);
  }
  const endpoint = base.toString();
  if (probe.status === 200) return { endpoint, auth: 'none' };
  if (probe.status !== 401) throw unexpected(target.host, probe.status, `GET ${endpoint}`);

  const challenge = parseChallenge(headerText(probe.headers['www-authenticate']));
  if (challenge.scheme === 'basic') {
    const again = await call(base, basic, host);
    if (again.status === 200) return { endpoint, auth: 'basic' };
    if (again.status === 401 || again.status === 403) throw rejected(target.host, target.username, again.status, `the registry ${target.host}`);
    throw unexpected(target.host, again.status, `GET ${endpoint} with credentials`);
  }
  if (challenge.scheme === 'unknown') {
    throw new AppError('registry_unreachable', `${target.host} asks for an authentication scheme Capstan does not speak (${challenge.raw || 'no WWW-Authenticate header'})`, {
      host: target.host,
    });
  }

  const realm = tokenUrl(challenge, target.username);
  const tokenAnswer = await call(realm, basic, `the token service ${realm.host}`);
  if (tokenAnswer.status === 401 || tokenAnswer.status === 403) {
    throw rejected(target.host, target.username, tokenAnswer.status, `the token service ${realm.host} of ${target.host}`);
  }
  if (tokenAnswer.status !== 200) throw unexpected(target.host, tokenAnswer.status, `the token service ${realm.host}`);
  const token = tokenOf(tokenAnswer.body);
  if (!token) throw new AppError('registry_unreachable', `the token service ${realm.host} of ${target.host} answered without a token`, { host: target.host });
  const authed = await call(base, `Bearer ${token}`, host);
  if (authed.status === 200) return { endpoint, auth: 'bearer' };
  if (authed.status === 401 || authed.status === 403) throw rejected(target.host, target.username, authed.status, `the registry ${target.host}`);
  throw unexpected(target.host, authed.status, `GET ${endpoint} with a token`);
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function tokenOf(body: Buffer): string | null {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { token?: unknown; access_token?: unknown };
    const token = typeof parsed.token === 'string' && parsed.token ? parsed.token : parsed.access_token;
    return typeof token === 'string' && token.length > 0 && token.length < 16_384 ? token : null;
  } catch {
    return null;
  }
}
