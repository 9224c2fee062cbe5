// Command-line options of the agent: pure parsing and validation (main.ts supplies argv and env).
import path from 'node:path';
import type { AgentMode } from '@capstan/protocol';
import { DEFAULT_DOCKER_SOCKET, parseDockerHost, type DockerEndpoint } from './docker-host.ts';
import { LOG_LEVELS, type LogLevel } from '../log/logger.ts';

const AGENT_MODES: readonly AgentMode[] = ['standard', 'async'];

/** Everything the agent needs from its command line, validated. */
export interface AgentOptions {
  /** Server base URL (https), or undefined to reuse the one recorded at enrolment. */
  readonly server: URL | undefined;
  readonly joinToken: string | undefined;
  readonly stateDir: string;
  readonly docker: DockerEndpoint;
  /** Accept a server certificate no CA vouches for (pinned on first use). */
  readonly insecure: boolean;
  readonly caFile: string | undefined;
  /** SHA-256 of the server certificate to accept (from the join command), instead of a CA. */
  readonly serverFingerprint: string | undefined;
  readonly logLevel: LogLevel;
  /** Period of the full engine-state resync sent to the server (--resync-interval); absent: 5 min. */
  readonly resyncIntervalMs?: number;
  /**
   * --mode when given: sent at enrolment (it sets the environment's mode), later only the transport
   * to start with until the server says otherwise. Absent: the mode the server last told (standard at first).
   */
  readonly mode?: AgentMode | undefined;
}

/** Facts about the process that decide defaults. */
export interface OptionContext {
  readonly isRoot: boolean;
  readonly homeDir: string;
}

/** Outcome of parseOptions: options, a help request, or every problem found at once. */
export type ParseResult =
  | { readonly ok: true; readonly options: AgentOptions }
  | { readonly ok: false; readonly help: true }
  | { readonly ok: false; readonly help: false; readonly errors: readonly string[] };

/** Usage text printed by --help and after option errors. */
export const USAGE = `Usage: capstan-agent --server https://<server> [--join-token <token>] [options]

  --server URL        the Capstan server (https); optional once enrolled
  --join-token TOKEN  one-time token from the server (first start only)
  --state-dir DIR     identity and journal (default $CAPSTAN_AGENT_STATE_DIR, else /var/lib/capstan-agent
                      as root, else ~/.capstan-agent)
  --docker-host HOST  unix:///path or tcp://host:port (default $DOCKER_HOST, else unix://${DEFAULT_DOCKER_SOCKET})
  --ca-file FILE      PEM CA bundle that signs the server's certificate
  --insecure          accept a self-signed server certificate; its fingerprint is pinned at enrolment
  --server-fingerprint SHA256 (AA:BB:…) of the server certificate to trust, as in the join command
  --log-level LEVEL   ${LOG_LEVELS.join(' | ')} (default info)
  --resync-interval D full engine-state resync period: 90s, 5m, 1h (default 5m)
  --mode MODE         standard (a live tunnel) | async (HTTPS polls) (default standard). At enrolment it sets
                      the environment's mode; afterwards the server's setting rules: the agent follows it and
                      remembers it in the state dir, so a later --mode is only the guess it starts with
  --help              this text`;

const VALUE_FLAGS = new Set(['--server', '--join-token', '--state-dir', '--docker-host', '--ca-file', '--server-fingerprint', '--log-level', '--resync-interval', '--mode']);
const BOOLEAN_FLAGS = new Set(['--insecure', '--help']);

/** Parses argv (without node and script) against env; collects every error instead of stopping at the first. */
export function parseOptions(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  ctx: OptionContext,
): ParseResult {
  const errors: string[] = [];
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    if (BOOLEAN_FLAGS.has(name)) {
      if (name !== arg) errors.push(`${name} takes no value`);
      flags.add(name);
    } else if (VALUE_FLAGS.has(name)) {
      let value: string | undefined;
      if (name !== arg) value = arg.slice(eq + 1);
      else if (i + 1 < argv.length && !(argv[i + 1] as string).startsWith('--')) value = argv[++i];
      if (value === undefined || value === '') errors.push(`${name} needs a value`);
      else if (values.has(name)) errors.push(`${name} given twice`);
      else values.set(name, value);
    } else {
      errors.push(`unknown option "${arg}"`);
    }
  }
  if (flags.has('--help')) return { ok: false, help: true };

  let server: URL | undefined;
  const serverText = values.get('--server');
  if (serverText !== undefined) {
    try {
      server = new URL(serverText);
      if (server.protocol !== 'https:') errors.push(`--server must be an https:// URL, got "${serverText}"`);
      else if (server.search || server.hash) errors.push('--server must not have a query or fragment');
    } catch {
      errors.push(`--server "${serverText}" is not a URL`);
    }
  }

  const joinToken = values.get('--join-token');
  if (joinToken !== undefined && !/^[\x21-\x7e]{1,256}$/.test(joinToken))
    errors.push('--join-token must be printable text without spaces (as printed by the server)');
  if (joinToken !== undefined && serverText === undefined) errors.push('--join-token needs --server');

  // The variable lets a wrapper (a container image, a test rig) place the state without editing the join command.
  const stateDirText = values.get('--state-dir') ?? (env.CAPSTAN_AGENT_STATE_DIR || undefined);
  const stateDir = path.resolve(
    stateDirText ?? (ctx.isRoot ? '/var/lib/capstan-agent' : path.join(ctx.homeDir, '.capstan-agent')),
  );

  const dockerText = values.get('--docker-host') ?? (env.DOCKER_HOST || undefined);
  let docker: DockerEndpoint = { kind: 'unix', socketPath: DEFAULT_DOCKER_SOCKET };
  if (dockerText !== undefined) {
    const parsed = parseDockerHost(dockerText);
    if (typeof parsed === 'string')
      errors.push(`${values.has('--docker-host') ? '--docker-host' : 'DOCKER_HOST'} ${parsed}`);
    else docker = parsed;
  }

  const insecure = flags.has('--insecure');
  const caFile = values.get('--ca-file');
  if (insecure && caFile !== undefined) errors.push('--insecure and --ca-file exclude each other');
  const fingerprintText = values.get('--server-fingerprint');
  const serverFingerprint = fingerprintText?.toUpperCase();
  if (serverFingerprint !== undefined && !/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/.test(serverFingerprint)) {
    errors.push('--server-fingerprint must be a SHA-256 fingerprint like AB:CD:…:EF (32 pairs of hex digits), as in the join command');
  }
  if (serverFingerprint !== undefined && caFile !== undefined) errors.push('--server-fingerprint and --ca-file exclude each other');

  const levelText = values.get('--log-level') ?? 'info';
  const logLevel = (LOG_LEVELS as readonly string[]).includes(levelText) ? (levelText as LogLevel) : undefined;
  if (!logLevel) errors.push(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);

  const resyncText = values.get('--resync-interval') ?? '5m';
  const resyncMatch = /^(\d{1,7})(s|m|h)?$/.exec(resyncText);
  const resyncUnitMs = resyncMatch?.[2] === 'h' ? 3_600_000 : resyncMatch?.[2] === 'm' ? 60_000 : 1_000;
  const resyncIntervalMs = resyncMatch ? Number(resyncMatch[1]) * resyncUnitMs : NaN;
  if (!(resyncIntervalMs >= 10_000 && resyncIntervalMs <= 86_400_000))
    errors.push('--resync-interval must be a duration from 10s to 24h, like 90s, 5m or 1h');

  const modeText = values.get('--mode');
  const mode = AGENT_MODES.find((m) => m === modeText);
  if (modeText !== undefined && !mode) errors.push(`--mode must be one of ${AGENT_MODES.join(', ')}`);

  if (errors.length > 0 || !logLevel) return { ok: false, help: false, errors };
  return { ok: true, options: { server, joinToken, stateDir, docker, insecure, caFile, serverFingerprint, logLevel, resyncIntervalMs, mode } };
}
