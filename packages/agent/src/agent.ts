// The agent process minus the command line: identity (enrolling when needed), then the transport the
// server's mode asks for (the tunnel loop, or polls), sharing one command runner.
import { createHash } from 'node:crypto';
import { CAPSTAN_VERSION, type AgentMode } from '@capstan/protocol';
import { createCommandRunner, type CommandRunner } from './commands/index.ts';
import type { AgentOptions } from './config/options.ts';
import { dockerEngine } from './engine/docker-engine.ts';
import type { EngineConnector } from './engine/engine-connector.ts';
import { enrol } from './identity/enrol.ts';
import { loadIdentity, saveIdentity, type AgentIdentity } from './identity/identity-store.ts';
import { generateAgentKeys } from './identity/keys.ts';
import type { Logger } from './log/logger.ts';
import { Outbox } from './poll/outbox.ts';
import { startPoller } from './poll/poller.ts';
import { createStackEnforcer } from './stacks/enforcer.ts';
import { collectSnapshot } from './state/collector.ts';
import { StateReporter } from './state/state-reporter.ts';
import { serverTrust, type ServerTrust } from './tls/server-tls.ts';
import { initialModeState, loadModeState, saveModeState, type ModeState } from './transport/mode-store.ts';
import { Transport } from './transport/transport.ts';
import type { BackoffOptions } from './tunnel/backoff.ts';
import type { SessionApp } from './tunnel/session.ts';
import { superviseTunnel } from './tunnel/supervisor.ts';

/** A start-up problem the operator must fix (printed as is, exit 1). */
export class AgentStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AgentStartError';
  }
}

/** Dependencies main.ts (or a test) provides. */
export interface AgentDeps {
  readonly log: Logger;
  readonly hostname: string;
  /** Defaults to the Docker engine named by options.docker. */
  readonly engine?: EngineConnector;
  readonly backoff?: BackoffOptions;
  readonly handshakeTimeoutMs?: number;
}

/** The running agent. */
export interface RunningAgent {
  readonly identity: AgentIdentity;
  /** The mode the agent follows now: standard (tunnel) or async (polls). */
  mode(): AgentMode;
  /** Closes the tunnel or stops polling, then the runner and the engine pool. */
  stop(): Promise<void>;
}

/** wss://…/api/agents/connect for a server base URL. */
export function connectUrl(server: URL): URL {
  const url = new URL('api/agents/connect', server.href.endsWith('/') ? server.href : `${server.href}/`);
  url.protocol = 'wss:';
  return url;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Enrols a new key pair; `mode` (an explicit --mode) sets the environment's mode, the answer names the one to use. */
async function enrolNew(
  server: URL,
  token: string,
  trust: ServerTrust,
  hostname: string,
  mode: AgentMode | undefined,
  log: Logger,
): Promise<{ identity: AgentIdentity; mode: AgentMode | undefined }> {
  const keys = generateAgentKeys();
  log.info('enrolling with the server', { server: server.origin, hostname });
  const { response, serverCertSha256 } = await enrol(
    server,
    { token, publicKey: keys.publicKeyPem, hostname, agentVersion: CAPSTAN_VERSION, ...(mode ? { mode } : {}) },
    trust,
  );
  const identity: AgentIdentity = {
    agentId: response.agentId,
    environmentId: response.environmentId,
    server: server.href,
    ...keys,
    ...(serverCertSha256 ? { serverCertSha256 } : {}),
    ...(!trust.verifyChain ? { pinned: true } : {}),
    ...(response.clientCertificate ? { clientCertPem: response.clientCertificate } : {}),
    enrolledAt: new Date().toISOString(),
    joinTokenSha256: sha256(token),
  };
  return { identity, mode: response.mode };
}

/** What both transports are built from. */
interface TransportParts {
  readonly stateDir: string;
  readonly deps: AgentDeps;
  readonly server: URL;
  readonly identity: AgentIdentity;
  readonly trust: ServerTrust;
  readonly engine: EngineConnector;
  readonly runner: CommandRunner;
  readonly reporter: StateReporter;
  readonly enforcer: SessionApp;
}

/** The transport switch: the tunnel (runner, reporter, mode app) or polls (runner, outbox), mode.json kept. */
function buildTransport(p: TransportParts, initial: ModeState, saved: ModeState | undefined): Transport {
  const { deps, engine } = p;
  const { log } = deps;
  // Reports survive a switch to the tunnel and back; the server ignores repeated ones.
  const outbox = new Outbox();
  const transport: Transport = new Transport(
    {
      log,
      save: (state) => saveModeState(p.stateDir, state),
      startTunnel: () =>
        superviseTunnel({
          session: {
            url: connectUrl(p.server),
            identity: p.identity,
            trust: p.trust,
            engine,
            log,
            // The reporter runs only while a tunnel is up: in async mode the polls carry the state.
            // The enforcer pauses while the tunnel is up (the server is watching) and resumes when it drops.
            apps: [p.runner, p.reporter, p.enforcer, transport.modeApp],
            ...(deps.handshakeTimeoutMs !== undefined ? { handshakeTimeoutMs: deps.handshakeTimeoutMs } : {}),
          },
          ...(deps.backoff ? { backoff: deps.backoff } : {}),
          log,
        }),
      startPoller: (intervals, onAnswer) =>
        startPoller({
          server: p.server,
          identity: p.identity,
          trust: p.trust,
          log,
          runner: p.runner,
          outbox,
          engineInfo: () => engine.info(),
          collect: () => collectSnapshot(engine),
          intervals,
          onAnswer,
          ...(deps.backoff ? { backoff: deps.backoff } : {}),
        }),
    },
    initial,
    saved,
  );
  return transport;
}

/** Loads or creates the identity (enrolling with the join token), then starts the transport the mode names. */
export async function startAgent(options: AgentOptions, deps: AgentDeps): Promise<RunningAgent> {
  const { log } = deps;
  let trust = serverTrust(options);
  let identity = loadIdentity(options.stateDir);
  const token = options.joinToken;
  let enrolledMode: AgentMode | undefined;
  if (!identity) {
    if (!options.server || token === undefined)
      throw new AgentStartError(
        `not enrolled yet (no identity in ${options.stateDir}): start once with --server <url> --join-token <token>`,
      );
    ({ identity, mode: enrolledMode } = await enrolNew(options.server, token, trust, deps.hostname, options.mode, log));
    saveIdentity(options.stateDir, identity);
    log.info('enrolled', { agentId: identity.agentId, environmentId: identity.environmentId });
  } else if (token !== undefined && sha256(token) !== identity.joinTokenSha256) {
    // A new token for an enrolled agent is a credential rotation: new key pair, same agent.
    ({ identity, mode: enrolledMode } = await enrolNew(options.server ?? new URL(identity.server), token, trust, deps.hostname, options.mode, log));
    saveIdentity(options.stateDir, identity);
    log.info('re-enrolled with a new key', { agentId: identity.agentId });
  }
  // Enrolled by pin: later starts keep trusting that pin without repeating the flag.
  if (identity.pinned && trust.verifyChain && options.caFile === undefined) trust = { ...trust, verifyChain: false };
  const server = options.server ?? new URL(identity.server);
  if (options.server && options.server.href !== identity.server)
    log.warn(`--server ${options.server.href} differs from the enrolment server ${identity.server}; using --server`);
  const engine = deps.engine ?? dockerEngine(options.docker);
  const stored = loadModeState(options.stateDir);
  if (stored.problem) log.warn(stored.problem);
  const initial = initialModeState({ enrolled: enrolledMode, flag: options.mode, stored: stored.state });
  // Shared by both transports (and across switches): one journal, one order of execution.
  const runner = createCommandRunner(options.stateDir, engine, log);
  // Stored stack targets stay in force (what is missing is made again): always in async mode, and in
  // standard mode while the tunnel is down (it is a tunnel app that pauses while connected).
  const enforcer = createStackEnforcer({ engine, stateDir: options.stateDir, log, isBusy: () => runner.busy() });
  enforcer.start();
  const reporter = new StateReporter({ engine, log, ...(options.resyncIntervalMs !== undefined ? { resyncIntervalMs: options.resyncIntervalMs } : {}) });
  const transport = buildTransport({ stateDir: options.stateDir, deps, server, identity, trust, engine, runner, reporter, enforcer }, initial, stored.state);
  // The server named the mode at enrolment: that is what it holds, remember it.
  if (enrolledMode) transport.told(enrolledMode, initial.intervals);
  transport.start();
  log.info('agent started', { agentId: identity.agentId, engine: engine.describe(), server: server.origin, mode: initial.mode });
  return {
    identity,
    mode: () => transport.mode,
    stop: async () => {
      await transport.stop();
      await enforcer.stop();
      await runner.stop();
      await reporter.stop();
      engine.close();
    },
  };
}
