// The setup the end-to-end tests share: a real Capstan server with one environment, and the real
// agent process (bin/capstan-agent.js) joined to it with the flags of that environment's own join
// command, running where the test puts it (a rig host, or the root namespace next to a private
// engine), until the server sees it connected.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import type { ServerConfig } from '../../packages/server/src/config/config.ts';
import { startServer, type RunningServer } from '../../packages/server/src/server.ts';
import { ADMIN } from '../../packages/server/test/helpers/harness.ts';
import { fetchJson, type Fetched } from '../../packages/server/test/helpers/https-client.ts';
import { testConfig } from '../../packages/server/test/helpers/server-config.ts';
import { freePort } from '../../packages/server/test/helpers/server-process.ts';
import { until } from '../../packages/server/test/helpers/until.ts';
import type { Host } from '../rig/index.ts';

const AGENT_BIN = path.resolve(import.meta.dirname, '../../packages/agent/bin/capstan-agent.js');

/** Where the agent process runs, the engine it manages, and how it reaches the server from there. */
export interface AgentPlace {
  /** Starts a process there. */
  spawn(cmd: string, args: string[], opts: SpawnOptions): ChildProcess;
  /** The API socket of the engine the agent manages. */
  dockerSocket: string;
  /** The server's address as seen from there; absent: the server listens on 127.0.0.1 only. */
  serverAddress?: string;
}

/** The agent inside a rig host's network namespace, managing its dockerd and dialling the server over the host's link. */
export function inHost(host: Host): AgentPlace {
  return { spawn: (cmd, args, opts) => host.spawn(cmd, args, opts), dockerSocket: host.dockerSocket, serverAddress: host.rootAddress };
}

/** The agent in the root namespace next to the server, managing the engine on `dockerSocket`. */
export function inRootNamespace(dockerSocket: string): AgentPlace {
  return { spawn: (cmd, args, opts) => spawn(cmd, args, opts), dockerSocket };
}

export interface JoinedAgentOptions {
  /** Working folder: the server's data go in data/, the agent's state in agent/, its log in agent.log. */
  dir: string;
  place: AgentPlace;
  /** Name of the environment the agent joins. */
  environment: string;
  /** Server settings beyond the test defaults (heartbeat timing). */
  config?: Partial<ServerConfig>;
  /** Async: the environment is created in Async mode with this poll interval (seconds); "connected" then means "polling". */
  async?: { pollIntervalSeconds: number };
}

/** A running server with one environment and its connected agent process. */
export interface JoinedAgent {
  server: RunningServer;
  /** The administrator's token. */
  token: string;
  envId: number;
  /** A request to the server, as the administrator unless `opts` says otherwise. */
  api(p: string, opts?: Parameters<typeof fetchJson>[1]): Promise<Fetched>;
  /** Whether the server sees the agent connected now (Async: polling on time). */
  connected(): Promise<boolean>;
  /** Starts the agent process again from its state directory (it is enrolled already). */
  startAgent(): void;
  /** Kills the agent process (-9) and waits for it to exit; nothing when it is not running. */
  killAgent(): Promise<void>;
  /** Kills the agent, then closes the server and the agent's log. */
  stop(): Promise<void>;
}

/** The agent's own flags (server, join token, fingerprint, mode) from a join command, whatever way the command fetches and starts the agent. */
export function joinFlags(command: string): string[] {
  return [...command.matchAll(/(--(?:server|join-token|server-fingerprint|mode)) '?([^\s']+)'?/g)].flatMap((m) => [m[1]!, m[2]!]);
}

/** The real agent process at a place, restartable: state in `<dir>/agent`, its log appended to `<dir>/agent.log`. */
export interface AgentProcess {
  /** Starts it (after a kill, from its state directory: `args` only matter for the first start). */
  start(args?: string[]): void;
  /** Kills it (-9) and waits for it to exit; nothing when it is not running. */
  kill(): Promise<void>;
  /** Kills it and closes its log. */
  close(): Promise<void>;
}

/** An AgentProcess for `place`, keeping its files in `dir`. */
export function agentProcess(place: AgentPlace, dir: string): AgentProcess {
  let child: ChildProcess | null = null;
  let log = -1;
  const kill = async () => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
  };
  return {
    start: (args = []) => {
      if (log < 0) log = openSync(path.join(dir, 'agent.log'), 'a');
      child = place.spawn(process.execPath, [AGENT_BIN, ...args, '--state-dir', path.join(dir, 'agent'), '--log-level', 'info'], {
        stdio: ['ignore', 'ignore', log],
        env: { ...process.env, DOCKER_HOST: `unix://${place.dockerSocket}` },
      });
    },
    kill,
    close: async () => {
      await kill();
      if (log >= 0) closeSync(log);
      log = -1;
    },
  };
}

/**
 * Starts a server, creates the environment, and starts the agent process at `place` with its join
 * command's flags; resolves once the server sees it connected. On failure everything it started is
 * stopped again.
 */
export async function startJoinedAgent(opts: JoinedAgentOptions): Promise<JoinedAgent> {
  const { dir, place } = opts;
  const port = await freePort();
  const listen: Partial<ServerConfig> = place.serverAddress ? { host: '0.0.0.0', port, publicUrl: `https://${place.serverAddress}:${port}` } : { port };
  const server = await startServer(testConfig(path.join(dir, 'data'), { ...listen, ...opts.config }));
  let token = '';
  const agent = agentProcess(place, dir);
  const api = (p: string, o: Parameters<typeof fetchJson>[1] = {}) => fetchJson(`https://127.0.0.1:${server.port}${p}`, { token, ...o });
  const startAgent = (args: string[] = []) => agent.start(args);
  const killAgent = () => agent.kill();
  const stop = async () => {
    await agent.close();
    await server.close();
  };
  try {
    token = (await api('/api/setup/admin', { method: 'POST', body: ADMIN })).body.token;
    const envBody = opts.async ? { name: opts.environment, mode: 'async', pollIntervalSeconds: opts.async.pollIntervalSeconds } : { name: opts.environment };
    const created = await api('/api/environments', { method: 'POST', body: envBody });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const envId = created.body.id as number;
    const jt = await api(`/api/environments/${envId}/join-tokens`, { method: 'POST', body: {} });
    expect(jt.status).toBe(201);
    const flags = joinFlags(jt.body.command as string);
    expect(flags).toContain('--join-token');
    startAgent(flags);
    const connected = opts.async
      ? async () => {
          const env = (await api(`/api/environments/${envId}`)).body;
          return env.status === 'up' && env.lastPollAt !== null;
        }
      : async () => (await api(`/api/environments/${envId}/status`)).body.connected === true;
    await until('the agent to connect', 15_000, connected);
    return { server, token, envId, api, connected, startAgent: () => startAgent(), killAgent, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
