// Figure A3 and the agent the Docker figures run through: the real Edge Agent process, joined with the
// server's own join command, and a bare Node process (same binary) that holds one TLS connection.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { AGENT_CONFIG } from './agent-config.ts';
import type { FootprintFigure } from './agent-report.ts';
import { track } from './children.ts';
import { call, expectOk } from './client.ts';
import { fmt, progress, sleep, tail, waitExit } from './lib.ts';
import { cpuMsOf, memoryOf } from './procfs.ts';

const REPO = path.resolve(import.meta.dirname, '../../..');
const AGENT_BUNDLE = path.join(REPO, 'packages/agent/dist/capstan-agent.js');
const AGENT_SOURCES = path.join(REPO, 'packages/agent/bin/capstan-agent.js');
const AGENT_BUNDLER = path.join(REPO, 'packages/agent/scripts/bundle.ts');

/** Which agent entry runs: the bundle (built first when the agent's bundler exists) or the TypeScript sources. */
export async function agentEntry(): Promise<{ file: string; bundled: boolean }> {
  if (existsSync(AGENT_BUNDLER)) {
    // The build script, not agent code: the bench runs the agent only as a separate process.
    const mod = (await import(pathToFileURL(AGENT_BUNDLER).href)) as { ensureAgentBundle?: () => unknown };
    if (typeof mod.ensureAgentBundle === 'function') await mod.ensureAgentBundle();
  }
  if (existsSync(AGENT_BUNDLE)) return { file: AGENT_BUNDLE, bundled: true };
  return { file: AGENT_SOURCES, bundled: false };
}

/** A running agent process of one environment. */
export interface RunningAgent {
  child: ChildProcess;
  pid: number;
  environmentId: number;
  output: ReturnType<typeof tail>;
  stop(): Promise<void>;
}

/** Creates an environment and a join token, then runs `entry` with the agent arguments of the token's join command. */
export async function startAgent(opts: {
  port: number;
  headers: Record<string, string>;
  entry: string;
  stateDir: string;
  dockerSocket: string;
  name: string;
}): Promise<RunningAgent> {
  const env = await expectOk(
    'create environment',
    call(opts.port, 'POST', '/api/environments', { headers: opts.headers, body: { name: opts.name } }),
    201,
  );
  const environmentId = env.id as number;
  const jt = await expectOk(
    'create join token',
    call(opts.port, 'POST', `/api/environments/${environmentId}/join-tokens`, {
      headers: opts.headers,
      body: {},
    }),
    201,
  );
  // The join command may first download and check the bundle; it ends `node [node options] capstan-agent.js
  // <agent arguments>`, and the agent runs here with exactly those node options (they change its footprint).
  const command = String(jt.command);
  const run = /(?:^|&& )node ((?:-\S+ )*)capstan-agent\.js (.+)$/.exec(command);
  if (!run) throw new Error(`unexpected join command: ${command}`);
  const nodeOptions = (run[1] ?? '').split(' ').filter((o) => o !== '');
  const args = (run[2] ?? '').trim().split(/\s+/);
  const output = tail();
  const child = track(
    spawn(
      process.execPath,
      [...nodeOptions, opts.entry, ...args, '--state-dir', opts.stateDir, '--log-level', 'warn'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, DOCKER_HOST: `unix://${opts.dockerSocket}` },
      },
    ),
  );
  child.stdout?.on('data', (c: Buffer) => output.push(c));
  child.stderr?.on('data', (c: Buffer) => output.push(c));
  if (child.pid === undefined) throw new Error('could not spawn the agent');
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(
        `the agent exited (code ${child.exitCode}, signal ${child.signalCode}):\n${output.text()}`,
      );
    const status = await expectOk(
      'environment status',
      call(opts.port, 'GET', `/api/environments/${environmentId}/status`, { headers: opts.headers }),
    );
    if (status.connected === true) break;
    if (Date.now() - started > AGENT_CONFIG.upTimeoutMs)
      throw new Error(
        `the agent did not connect within ${AGENT_CONFIG.upTimeoutMs / 1000} s:\n${output.text()}`,
      );
    await sleep(100);
  }
  progress(
    `agent connected in ${fmt(Date.now() - started, 0)} ms (environment ${environmentId}, node options: ${nodeOptions.join(' ') || 'none'})`,
  );
  return {
    child,
    pid: child.pid,
    environmentId,
    output,
    stop: async () => {
      child.kill('SIGTERM');
      if ((await waitExit(child, 10_000)) === 'timeout') child.kill('SIGKILL');
    },
  };
}

// Plain JavaScript (no type stripping, no modules of ours): the smallest process that holds a TLS
// connection to the server. It sends no request: an idle keep-alive connection would be closed by the
// server after a few seconds, one that has not started a request is held for the headers timeout (60 s).
const BARE_TLS = `
const tls = require('node:tls');
const socket = tls.connect({ host: '127.0.0.1', port: Number(process.argv[1]), rejectUnauthorized: false }, () => {
  process.stdout.write('connected\\n');
});
socket.on('close', () => { process.stderr.write('the TLS connection closed\\n'); process.exit(3); });
`;

/** Starts the bare-Node baseline against the server; resolves once its TLS handshake is done. */
async function startBaseline(port: number, output: ReturnType<typeof tail>): Promise<ChildProcess> {
  const child = track(
    spawn(process.execPath, ['-e', BARE_TLS, String(port)], { stdio: ['ignore', 'pipe', 'pipe'] }),
  );
  child.stderr?.on('data', (c: Buffer) => output.push(c));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`bare Node baseline did not connect:\n${output.text()}`)),
      10_000,
    );
    child.stdout?.once('data', () => {
      clearTimeout(timer);
      resolve();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`bare Node baseline exited ${code}:\n${output.text()}`));
    });
  });
  return child;
}

/** Figure A3: the connected agent and the baseline idle side by side; RSS at the end, CPU over the window. */
export async function measureFootprint(
  agent: RunningAgent,
  port: number,
  entry: { file: string; bundled: boolean },
): Promise<FootprintFigure> {
  const baseOutput = tail();
  const baseline = await startBaseline(port, baseOutput);
  const basePid = baseline.pid;
  if (basePid === undefined) throw new Error('could not spawn the bare Node baseline');
  try {
    const { settleMs, idleMs } = AGENT_CONFIG.footprint;
    progress(
      `A3 agent idle footprint: ${settleMs / 1000} s settle + ${idleMs / 1000} s idle, next to a bare Node TLS client`,
    );
    await sleep(settleMs);
    const alive = () => {
      for (const [what, c, out] of [
        ['agent', agent.child, agent.output],
        ['bare Node baseline', baseline, baseOutput],
      ] as const) {
        if (c.exitCode !== null || c.signalCode !== null)
          throw new Error(`${what} exited (code ${c.exitCode}):\n${out.text()}`);
      }
    };
    alive();
    const t0 = performance.now();
    const a0 = cpuMsOf(agent.pid);
    const b0 = cpuMsOf(basePid);
    await sleep(idleMs);
    alive();
    const a1 = cpuMsOf(agent.pid);
    const b1 = cpuMsOf(basePid);
    const ms = performance.now() - t0;
    const am = memoryOf(agent.pid);
    const bm = memoryOf(basePid);
    const figure: FootprintFigure = {
      agentEntry: path.relative(REPO, entry.file),
      bundled: entry.bundled,
      idleMs,
      agent: { ...am, cpuPct: ((a1 - a0) / ms) * 100 },
      baseline: { ...bm, cpuPct: ((b1 - b0) / ms) * 100 },
    };
    progress(`A3 RSS: agent ${fmt(am.rssMb, 1)} MB, bare Node ${fmt(bm.rssMb, 1)} MB`);
    return figure;
  } finally {
    baseline.kill('SIGKILL');
    await waitExit(baseline, 5_000);
  }
}
