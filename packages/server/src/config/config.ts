import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseDuration } from './duration.ts';

/** Validated server configuration. Built once at start; nothing else reads flags or the environment. */
export interface ServerConfig {
  dataDir: string;
  host: string;
  port: number;
  httpPort: number | null;
  tlsCert: string | null;
  tlsKey: string | null;
  tlsReloadIntervalMs: number;
  databaseUrl: string | null;
  adminUsername: string;
  adminPasswordFile: string | null;
  setupWindowMs: number;
  sessionTtlMs: number;
  loginMaxFailures: number;
  loginLockoutMs: number;
  loginRateLimit: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** The address agents are told to connect to (join commands); null: the address each request came in on. */
  publicUrl: string | null;
  /** How often agents send a heartbeat (announced in the tunnel's welcome). */
  agentHeartbeatMs: number;
  /** An agent connection with no frame for this long is closed and its environment marked down. */
  agentDownAfterMs: number;
  /** The bundled agent served at /api/agents/capstan-agent.js; may be missing (built by `npm run build:agent`). */
  agentBundle: string;
  /** Refuse agent connections that do not present the client certificate issued at enrolment. */
  requireAgentMtls: boolean;
  /** Optional second HTTPS listener serving only agent enrolment and tunnels (e.g. 8000). */
  tunnelPort: number | null;
  /** The app-template catalogue file (JSON); used unless templatesUrl is given. */
  templatesFile: string;
  /** An http(s) URL serving the catalogue JSON; replaces templatesFile. */
  templatesUrl: string | null;
  /** How often the catalogue is reloaded from its file or URL. */
  templatesRefreshMs: number;
  /** The built web UI (index.html + assets/); may be missing (built by `npm run build:web`): UI paths then answer 503. */
  webDir: string;
}

type Kind = 'bool' | 'string' | 'port' | 'duration' | 'count' | 'file' | 'built-file' | 'dir' | 'url' | 'http-url' | 'fetch-url' | 'level';

/** The repository's agent bundle, found from this file's place in the checkout. */
export const DEFAULT_AGENT_BUNDLE = path.resolve(import.meta.dirname, '../../../agent/dist/capstan-agent.js');

/** The repository's web UI build, found from this file's place in the checkout. */
export const DEFAULT_WEB_DIR = path.resolve(import.meta.dirname, '../../../web/dist');

/** The app-template catalogue shipped with the server. */
export const DEFAULT_TEMPLATES_FILE = path.resolve(import.meta.dirname, '../../templates/default.json');

interface OptionSpec {
  key: keyof ServerConfig;
  flag: string;
  kind: Kind;
  help: string;
  default?: string;
}

/** Every option: its flag, its CAPSTAN_* variable (derived from the flag) and its default. */
export const OPTIONS: readonly OptionSpec[] = [
  { key: 'dataDir', flag: 'data-dir', kind: 'dir', default: './data', help: 'where the database, certificate and backups live' },
  { key: 'host', flag: 'host', kind: 'string', default: '0.0.0.0', help: 'address to listen on' },
  { key: 'port', flag: 'port', kind: 'port', default: '9443', help: 'HTTPS port (API, UI and agents)' },
  { key: 'httpPort', flag: 'http-port', kind: 'port', help: 'also serve plain HTTP on this port (off unless given)' },
  { key: 'tlsCert', flag: 'tls-cert', kind: 'file', help: 'PEM certificate chain; reloaded when the file changes' },
  { key: 'tlsKey', flag: 'tls-key', kind: 'file', help: 'PEM private key matching --tls-cert' },
  { key: 'tlsReloadIntervalMs', flag: 'tls-reload-interval', kind: 'duration', default: '2s', help: 'how often certificate files are checked for changes' },
  { key: 'databaseUrl', flag: 'database-url', kind: 'url', help: 'postgres://user:pass@host/db to use PostgreSQL instead of embedded SQLite' },
  { key: 'adminUsername', flag: 'admin-username', kind: 'string', default: 'admin', help: 'username of the administrator seeded by --admin-password-file' },
  { key: 'adminPasswordFile', flag: 'admin-password-file', kind: 'file', help: 'file holding the first administrator password (unattended install)' },
  { key: 'setupWindowMs', flag: 'setup-timeout', kind: 'duration', default: '5m', help: 'how long a fresh instance accepts first-run setup' },
  { key: 'sessionTtlMs', flag: 'session-ttl', kind: 'duration', default: '12h', help: 'lifetime of a login session' },
  { key: 'loginMaxFailures', flag: 'login-max-failures', kind: 'count', default: '5', help: 'failed logins in a row before a temporary lockout' },
  { key: 'loginLockoutMs', flag: 'login-lockout', kind: 'duration', default: '15m', help: 'how long a locked account stays locked' },
  { key: 'loginRateLimit', flag: 'login-rate-limit', kind: 'count', default: '60', help: 'login attempts per minute allowed from one address' },
  { key: 'publicUrl', flag: 'public-url', kind: 'http-url', help: 'https://host[:port] agents connect to, as put in join commands (default: the address the request came in on)' },
  { key: 'agentHeartbeatMs', flag: 'agent-heartbeat', kind: 'duration', default: '5s', help: 'how often connected agents send a heartbeat' },
  { key: 'agentDownAfterMs', flag: 'agent-down-after', kind: 'duration', default: '12s', help: 'an agent silent for this long is disconnected and its environment marked down' },
  { key: 'requireAgentMtls', flag: 'require-agent-mtls', kind: 'bool', default: 'false', help: 'refuse agents that do not present the client certificate the internal CA issued them at enrolment' },
  { key: 'tunnelPort', flag: 'tunnel-port', kind: 'port', help: 'also accept agents (enrolment and tunnels only) on this HTTPS port, e.g. 8000 (off unless given)' },
  { key: 'agentBundle', flag: 'agent-bundle', kind: 'built-file', default: DEFAULT_AGENT_BUNDLE, help: 'the bundled agent that join commands download (npm run build:agent writes the default)' },
  { key: 'templatesFile', flag: 'templates-file', kind: 'file', default: DEFAULT_TEMPLATES_FILE, help: 'app-template catalogue (JSON) offered by GET /api/templates' },
  { key: 'templatesUrl', flag: 'templates-url', kind: 'fetch-url', help: 'fetch the app-template catalogue from this http(s) URL instead of --templates-file (last good copy kept when it fails)' },
  { key: 'templatesRefreshMs', flag: 'templates-refresh-interval', kind: 'duration', default: '1h', help: 'how often the template catalogue is reloaded' },
  { key: 'webDir', flag: 'web-dir', kind: 'dir', default: DEFAULT_WEB_DIR, help: 'the built web UI served on every path outside /api (npm run build:web writes the default)' },
  { key: 'logLevel', flag: 'log-level', kind: 'level', default: 'info', help: 'fatal, error, warn, info, debug, trace or silent' },
];

/** `data-dir` → `CAPSTAN_DATA_DIR`. */
export function envName(flag: string): string {
  return `CAPSTAN_${flag.toUpperCase().replace(/-/g, '_')}`;
}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Converts one raw value; returns the value or a sentence saying what to fix. */
function convert(spec: OptionSpec, raw: string, cwd: string): { value: unknown } | { error: string } {
  switch (spec.kind) {
    case 'bool':
      if (/^(true|1|yes|on)$/i.test(raw)) return { value: true };
      if (/^(false|0|no|off)$/i.test(raw)) return { value: false };
      return { error: `must be true or false, got "${raw}"` };
    case 'string':
      return raw.trim() ? { value: raw.trim() } : { error: 'must not be empty' };
    case 'port': {
      const n = Number(raw);
      return Number.isInteger(n) && n >= 1 && n <= 65535
        ? { value: n }
        : { error: `must be a port number between 1 and 65535, got "${raw}"` };
    }
    case 'count': {
      const n = Number(raw);
      return Number.isInteger(n) && n >= 1 && n <= 1_000_000 ? { value: n } : { error: `must be a whole number from 1 to 1000000, got "${raw}"` };
    }
    case 'duration': {
      const ms = parseDuration(raw);
      return ms !== null && ms > 0 ? { value: ms } : { error: `must be a duration such as 30s, 15m or 12h, got "${raw}"` };
    }
    case 'level':
      return LEVELS.includes(raw) ? { value: raw } : { error: `must be one of ${LEVELS.join(', ')}, got "${raw}"` };
    case 'url':
      return /^postgres(ql)?:\/\/.+/.test(raw)
        ? { value: raw }
        : { error: 'must be a PostgreSQL URL such as postgres://capstan:secret@db:5432/capstan (leave unset for embedded SQLite)' };
    case 'http-url':
      return publicUrl(raw);
    case 'fetch-url':
      return fetchUrl(raw);
    case 'dir': {
      const abs = path.resolve(cwd, raw);
      if (existsSync(abs) && !statSync(abs).isDirectory()) return { error: `${abs} exists and is not a directory` };
      return { value: abs };
    }
    case 'built-file': {
      // May not exist yet: the server starts anyway and says so (the download route answers 503).
      const abs = path.resolve(cwd, raw);
      if (existsSync(abs) && !statSync(abs).isFile()) return { error: `${abs} is not a regular file` };
      return { value: abs };
    }
    case 'file': {
      const abs = path.resolve(cwd, raw);
      if (!existsSync(abs)) return { error: `file ${abs} does not exist` };
      if (!statSync(abs).isFile()) return { error: `${abs} is not a regular file` };
      return { value: abs };
    }
  }
}

/** An http(s) base URL with no path, query or credentials, written without a trailing slash. */
function publicUrl(raw: string): { value: string } | { error: string } {
  const hint = 'must be the URL agents reach this server at, such as https://capstan.example.com or https://10.0.0.5:9443';
  if (!/^https?:\/\//i.test(raw)) return { error: `${hint} (https:// or http://), got "${raw}"` };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { error: `${hint}, got "${raw}"` };
  }
  if (url.username || url.password) return { error: 'must not contain a user name or password' };
  if (url.search || url.hash || (url.pathname !== '/' && url.pathname !== '')) {
    return { error: `must be only scheme, host and port (no path, query or fragment), got "${raw}"` };
  }
  return { value: `${url.protocol}//${url.host}` };
}

/** An http(s) URL to fetch from; credentials belong in a query token, not user:password@ (fetch refuses those). */
function fetchUrl(raw: string): { value: string } | { error: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { error: `must be an http:// or https:// URL, got "${raw}"` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { error: `must be an http:// or https:// URL, got "${raw}"` };
  if (url.username || url.password) return { error: 'must not contain a user name or password' };
  return { value: url.toString() };
}

const BOOL_FLAGS: ReadonlySet<string> = new Set(OPTIONS.filter((o) => o.kind === 'bool').map((o) => o.flag));

/** Splits argv into `--flag value` / `--flag=value` pairs; reports malformed and unknown flags. */
function readArgv(argv: readonly string[], errors: string[]): Map<string, string> {
  const known = new Set(OPTIONS.map((o) => o.flag));
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('--')) {
      errors.push(`unexpected argument "${arg}": options are written --name value`);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    let value = eq >= 0 ? arg.slice(eq + 1) : argv[i + 1];
    if (eq < 0) i++;
    if (!known.has(name)) {
      errors.push(`unknown option --${name}: run "capstan server --help" for the list`);
      continue;
    }
    if (eq < 0 && BOOL_FLAGS.has(name) && (value === undefined || value.startsWith('--') || !/^(true|false|1|0|yes|no|on|off)$/i.test(value))) {
      // A switch given alone means true: `--require-agent-mtls`.
      out.set(name, 'true');
      if (value !== undefined) i--;
      continue;
    }
    if (value === undefined || (eq < 0 && value.startsWith('--'))) {
      errors.push(`--${name}: needs a value`);
      if (value !== undefined) i--;
      value = undefined;
      continue;
    }
    out.set(name, value);
  }
  return out;
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/**
 * Builds the configuration from flags (winning) and CAPSTAN_* variables, checking everything
 * at once: throws ConfigError listing every problem, each saying how to fix it.
 */
export function loadConfig(argv: readonly string[], env: Record<string, string | undefined>, cwd: string): ServerConfig {
  const errors: string[] = [];
  const flags = readArgv(argv, errors);
  const values: Record<string, unknown> = {};
  for (const spec of OPTIONS) {
    const fromFlag = flags.get(spec.flag);
    const fromEnv = env[envName(spec.flag)];
    const raw = fromFlag ?? (fromEnv === '' ? undefined : fromEnv) ?? spec.default;
    if (raw === undefined) {
      values[spec.key] = null;
      continue;
    }
    const source = fromFlag !== undefined ? `--${spec.flag}` : fromEnv ? envName(spec.flag) : `--${spec.flag} (default)`;
    const result = convert(spec, raw, cwd);
    if ('error' in result) errors.push(`${source}: ${result.error}`);
    else values[spec.key] = result.value;
  }
  if ((values.tlsCert === null) !== (values.tlsKey === null) && !errors.some((e) => /tls-(cert|key)|TLS_(CERT|KEY)/.test(e))) {
    errors.push('--tls-cert and --tls-key go together: give both (custom certificate) or neither (self-signed)');
  }
  if (values.httpPort !== null && values.httpPort === values.port) {
    errors.push('--http-port must differ from --port');
  }
  if (values.tunnelPort !== null && (values.tunnelPort === values.port || values.tunnelPort === values.httpPort)) {
    errors.push('--tunnel-port must differ from --port and --http-port');
  }
  if (typeof values.agentHeartbeatMs === 'number' && typeof values.agentDownAfterMs === 'number' && values.agentDownAfterMs <= values.agentHeartbeatMs) {
    errors.push('--agent-down-after must be longer than --agent-heartbeat (at least two heartbeats, e.g. 3 × the interval)');
  }
  if (errors.length > 0) throw new ConfigError(errors);
  return values as unknown as ServerConfig;
}

/** Help text for `capstan server --help`. */
export function configHelp(): string {
  const lines = OPTIONS.map((o) => {
    const def = o.default ? ` (default ${o.default})` : '';
    return `  --${o.flag.padEnd(22)} ${o.help}${def}\n  ${''.padEnd(24)} env ${envName(o.flag)}`;
  });
  return `Usage: capstan server [options]\n\nOptions (flags win over environment variables):\n${lines.join('\n')}\n`;
}
