// The agent process minus the command line: identity (enrolling when needed), then the tunnel loop.
import { createHash } from 'node:crypto';
import { CAPSTAN_VERSION } from '@capstan/protocol';
import { createCommandRunner } from './commands/index.ts';
import type { AgentOptions } from './config/options.ts';
import { dockerEngine } from './engine/docker-engine.ts';
import type { EngineConnector } from './engine/engine-connector.ts';
import { enrol } from './identity/enrol.ts';
import { loadIdentity, saveIdentity, type AgentIdentity } from './identity/identity-store.ts';
import { generateAgentKeys } from './identity/keys.ts';
import type { Logger } from './log/logger.ts';
import { StateReporter } from './state/state-reporter.ts';
import { serverTrust, type ServerTrust } from './tls/server-tls.ts';
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
  /** Closes the tunnel and the engine pool. */
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

async function enrolNew(server: URL, token: string, trust: ServerTrust, hostname: string, log: Logger): Promise<AgentIdentity> {
  const keys = generateAgentKeys();
  log.info('enrolling with the server', { server: server.origin, hostname });
  const { response, serverCertSha256 } = await enrol(
    server,
    { token, publicKey: keys.publicKeyPem, hostname, agentVersion: CAPSTAN_VERSION },
    trust,
  );
  return {
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
}

/** Loads or creates the identity (enrolling with the join token), then starts the tunnel loop. */
export async function startAgent(options: AgentOptions, deps: AgentDeps): Promise<RunningAgent> {
  const { log } = deps;
  let trust = serverTrust(options);
  let identity = loadIdentity(options.stateDir);
  const token = options.joinToken;
  if (!identity) {
    if (!options.server || token === undefined)
      throw new AgentStartError(
        `not enrolled yet (no identity in ${options.stateDir}): start once with --server <url> --join-token <token>`,
      );
    identity = await enrolNew(options.server, token, trust, deps.hostname, log);
    saveIdentity(options.stateDir, identity);
    log.info('enrolled', { agentId: identity.agentId, environmentId: identity.environmentId });
  } else if (token !== undefined && sha256(token) !== identity.joinTokenSha256) {
    // A new token for an enrolled agent is a credential rotation: new key pair, same agent.
    identity = await enrolNew(options.server ?? new URL(identity.server), token, trust, deps.hostname, log);
    saveIdentity(options.stateDir, identity);
    log.info('re-enrolled with a new key', { agentId: identity.agentId });
  }
  // Enrolled by pin: later starts keep trusting that pin without repeating the flag.
  if (identity.pinned && trust.verifyChain && options.caFile === undefined) trust = { ...trust, verifyChain: false };
  const server = options.server ?? new URL(identity.server);
  if (options.server && options.server.href !== identity.server)
    log.warn(`--server ${options.server.href} differs from the enrolment server ${identity.server}; using --server`);
  const engine = deps.engine ?? dockerEngine(options.docker);
  // Features that talk to the server over the tunnel; each outlives reconnects.
  const apps: SessionApp[] = [];
  apps.push(createCommandRunner(options.stateDir, engine, log));
  apps.push(new StateReporter({ engine, log, ...(options.resyncIntervalMs !== undefined ? { resyncIntervalMs: options.resyncIntervalMs } : {}) }));
  const supervisor = superviseTunnel({
    session: {
      url: connectUrl(server),
      identity,
      trust,
      engine,
      log,
      apps,
      ...(deps.handshakeTimeoutMs !== undefined ? { handshakeTimeoutMs: deps.handshakeTimeoutMs } : {}),
    },
    ...(deps.backoff ? { backoff: deps.backoff } : {}),
    log,
  });
  log.info('agent started', { agentId: identity.agentId, engine: engine.describe(), server: server.origin });
  return {
    identity,
    stop: async () => {
      await supervisor.stop();
      for (const app of apps) await app.stop?.();
      engine.close();
    },
  };
}
