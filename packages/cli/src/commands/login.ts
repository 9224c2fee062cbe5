// capstan login, logout and whoami: the session kept in the config file.
import path from 'node:path';
import { LoginResponseSchema, MeResponseSchema, type MeResponse } from '@capstan/protocol';
import { flag, str } from '../args.ts';
import { usageLine, type Command } from '../command.ts';
import { readConfig, writeConfig } from '../config-file.ts';
import { present, targetOf } from '../context.ts';
import { ApiError, CliError, UsageError } from '../errors.ts';
import { callApi, callApiNoContent } from '../http-client.ts';
import { formatColumns, formatJson, printable } from '../output.ts';
import { readPassword } from '../password.ts';
import { normalizeUrl, type Target } from '../target.ts';

/** The login answer as shown under --json: the token stays in the config file, out of logs. */
export function withoutToken(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  return Object.fromEntries(Object.entries(raw).filter(([key]) => key !== 'token'));
}

/** Key/value lines describing the caller, for `whoami`. */
export function whoamiLines(me: MeResponse, url: string): string {
  const rows: string[][] = [
    ['user', `${me.user.username} (id ${me.user.id})`],
    ['role', me.user.isAdmin ? 'administrator' : 'user'],
    ['auth', `${me.authMethod === 'api_key' ? 'API key' : 'session'}${me.readOnly ? ' (read-only)' : ''}`],
    ['server', url],
    ['permissions', me.user.isAdmin ? 'all' : me.permissions.join(',') || '-'],
  ];
  for (const e of me.environmentRoles) rows.push([`environment ${e.environmentId}`, e.roles.join(',')]);
  for (const g of me.groupRoles) rows.push([`group ${g.groupId}`, g.roles.join(',')]);
  return formatColumns(rows);
}

const login: Command = {
  words: ['login'],
  args: [],
  options: {
    username: { type: 'string' },
    'password-stdin': { type: 'boolean' },
    'password-file': { type: 'string' },
  },
  synopsis: '--url URL --username NAME [--password-stdin | --password-file F] [--insecure | --ca-file F]',
  summary: 'Sign in and remember the session in the config file',
  async run(ctx, { values }) {
    const usage = usageLine(login);
    const stored = readConfig(ctx.configPath);
    const rawUrl = ctx.global.url ?? (ctx.env.CAPSTAN_URL || undefined) ?? stored?.url;
    if (rawUrl === undefined)
      throw new UsageError('--url is required (the server, e.g. https://127.0.0.1:9443)', usage);
    const url = normalizeUrl(rawUrl);
    if (url === null)
      throw new UsageError(
        `--url: "${rawUrl}" is not a server URL: write it like https://127.0.0.1:9443`,
        usage,
      );
    const username = str(values, 'username');
    if (username === undefined) throw new UsageError('--username is required', usage);
    if (ctx.global.insecure && ctx.global.caFile !== undefined)
      throw new UsageError('give only one of --insecure and --ca-file', usage);

    // Logging in again to the same server keeps its TLS settings unless new ones are given.
    const same = stored !== null && normalizeUrl(stored.url) === url;
    const tlsGiven = ctx.global.insecure || ctx.global.caFile !== undefined;
    const target: Target = {
      url,
      apiKey: null,
      token: null,
      insecure: tlsGiven ? ctx.global.insecure : same && stored.insecure,
      caFile:
        ctx.global.caFile !== undefined
          ? path.resolve(ctx.cwd, ctx.global.caFile)
          : !tlsGiven && same
            ? stored.caFile
            : null,
    };
    const password = await readPassword({
      file: str(values, 'password-file'),
      stdin: flag(values, 'password-stdin'),
      confirm: false,
      usage,
    });
    const { data, raw } = await callApi(
      target,
      { method: 'POST', path: '/api/auth/login', body: { username, password } },
      LoginResponseSchema,
    );
    writeConfig(ctx.configPath, { url, token: data.token, insecure: target.insecure, caFile: target.caFile });
    if (ctx.global.json) ctx.out(formatJson(withoutToken(raw)));
    else
      ctx.out(
        `logged in to ${url} as ${printable(data.user.username)} until ${data.expiresAt} (session saved in ${ctx.configPath})\n`,
      );
  },
};

const SESSION_GONE = new Set(['unauthenticated', 'session_expired', 'session_revoked', 'user_disabled']);

const logout: Command = {
  words: ['logout'],
  args: [],
  options: {},
  synopsis: '',
  summary: 'End the session on the server and forget its token',
  async run(ctx) {
    const stored = readConfig(ctx.configPath);
    if (stored?.token == null) {
      if (!ctx.global.json) ctx.out('not logged in\n');
      return;
    }
    // Forget the token first: even when the server cannot be told, the user asked to be signed out here.
    writeConfig(ctx.configPath, { ...stored, token: null });
    const target: Target = {
      url: stored.url,
      apiKey: null,
      token: stored.token,
      insecure: stored.insecure,
      caFile: stored.caFile,
    };
    try {
      await callApiNoContent(target, { method: 'POST', path: '/api/auth/logout' });
    } catch (err) {
      if (err instanceof ApiError && SESSION_GONE.has(err.problem.code)) {
        if (!ctx.global.json) ctx.out(`logged out (the session had already ended on ${stored.url})\n`);
        return;
      }
      if (err instanceof CliError || err instanceof ApiError) {
        ctx.err('the token was removed locally, but the server may still consider the session active\n');
      }
      throw err;
    }
    if (!ctx.global.json) ctx.out(`logged out of ${stored.url}\n`);
  },
};

const whoami: Command = {
  words: ['whoami'],
  args: [],
  options: {},
  synopsis: '',
  summary: 'Show who you are signed in as, and your access',
  async run(ctx) {
    const target = targetOf(ctx);
    const { data, raw } = await callApi(target, { method: 'GET', path: '/api/auth/me' }, MeResponseSchema);
    present(ctx, raw, () => whoamiLines(data, target.url));
  },
};

/** login, logout and whoami. */
export const sessionCommands: readonly Command[] = [login, logout, whoami];
