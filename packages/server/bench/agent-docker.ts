// Figures A1 and A2: a private dockerd (the e2e rig's engine in the root namespace) and the same Docker
// Engine API calls made on its unix socket directly and through the server and the real agent.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startEngine, stopEngine, type Engine } from '../../../e2e/rig/engine.ts';
import { loadTestImage, TEST_IMAGE } from '../../../e2e/rig/images.ts';
import { run } from '../../../e2e/rig/sys.ts';
import { AGENT_CONFIG } from './agent-config.ts';
import type { LatencyStats, ListFigure, LogsFigure } from './agent-report.ts';
import { fmt, mean, percentile, progress } from './lib.ts';

/** Why figures A1–A3 cannot run on this machine, or null when they can. */
export function dockerSkipReason(): string | null {
  if (spawnSync('sh', ['-c', 'command -v dockerd && command -v docker'], { stdio: 'ignore' }).status !== 0)
    return 'no Docker engine (run npm test once to install docker.io)';
  if (process.getuid?.() !== 0) return 'a private dockerd needs root';
  return null;
}

/** A private engine with the test image loaded; `stop()` is synchronous and safe to call twice. */
export interface BenchEngine {
  engine: Engine;
  version: string;
  stop(): void;
}

/** Starts a private dockerd in its own temp dir and loads TEST_IMAGE; it is also stopped on process exit. */
export async function startBenchEngine(): Promise<BenchEngine> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'capstan-bench-engine-'));
  let engine: Engine;
  try {
    engine = await startEngine(dir, { cgroupParent: AGENT_CONFIG.cgroupParent });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    process.off('exit', stop);
    stopEngine(engine, { cgroupParent: AGENT_CONFIG.cgroupParent });
  };
  process.on('exit', stop);
  try {
    await loadTestImage(engine.socket);
    const version = (await docker(engine, ['version', '--format', '{{.Server.Version}}'])).trim();
    return { engine, version, stop };
  } catch (err) {
    stop();
    throw err;
  }
}

function docker(engine: Engine, args: string[]): Promise<string> {
  return run('docker', ['-H', `unix://${engine.socket}`, ...args]);
}

/**
 * Creates the containers the figures read: a few idle ones for the list, and one that writes
 * AGENT_CONFIG.logs.bytes of 1 KiB log lines and exits. Resolves with the log container's id.
 */
export async function prepareContainers(engine: Engine): Promise<string> {
  const { bytes } = AGENT_CONFIG.logs;
  progress(
    `engine: creating ${AGENT_CONFIG.list.containers} containers and writing a ${fmt(bytes / 1e6, 0)} MB container log`,
  );
  const t0 = performance.now();
  for (let i = 1; i < AGENT_CONFIG.list.containers; i++) {
    await docker(engine, ['create', '--name', `bench-idle-${i}`, '--network', 'none', TEST_IMAGE]);
  }
  // 1,023 characters + newline per line: long lines keep dockerd's per-line JSON cost out of the figure.
  const script = `s=0123456789abcdef; for i in 1 2 3 4 5 6; do s=$s$s; done; yes "\${s%?}" | head -c ${bytes}`;
  const id = (
    await docker(engine, [
      'run',
      '-d',
      '--name',
      'bench-log',
      '--network',
      'none',
      TEST_IMAGE,
      'sh',
      '-c',
      script,
    ])
  ).trim();
  const code = (await docker(engine, ['wait', id])).trim();
  if (code !== '0') throw new Error(`the log-writing container exited ${code}`);
  progress(`engine: log written in ${fmt((performance.now() - t0) / 1000, 1)} s`);
  return id;
}

/** How one way of asking reaches the engine: a request function and the path prefix it needs. */
interface Way {
  name: string;
  get(p: string): http.ClientRequest;
  close(): void;
}

/** Straight to the engine's unix socket, keep-alive. */
function directWay(engine: Engine): Way {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  return {
    name: 'direct',
    get: (p) => http.request({ socketPath: engine.socket, path: p, agent }),
    close: () => agent.destroy(),
  };
}

/** Through the server's Docker passthrough (HTTPS, API key), keep-alive. */
function tunnelWay(port: number, apiKey: string, environmentId: number): Way {
  const agent = new https.Agent({ keepAlive: true, maxSockets: 1, rejectUnauthorized: false });
  return {
    name: 'tunnel',
    get: (p) =>
      https.request({
        host: '127.0.0.1',
        port,
        path: `/api/environments/${environmentId}/docker${p}`,
        headers: { 'x-api-key': apiKey },
        agent,
      }),
    close: () => agent.destroy(),
  };
}

/** One GET: resolves with its body length and duration (and the body when `keep`); rejects unless HTTP 200. */
function timedGet(way: Way, p: string, keep = false): Promise<{ bytes: number; ms: number; body: string }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = way.get(p);
    req.setTimeout(120_000, () => req.destroy(new Error(`${way.name} GET ${p}: no answer within 120 s`)));
    req.on('error', reject);
    req.on('response', (res) => {
      let bytes = 0;
      const head: Buffer[] = [];
      res.on('data', (c: Buffer) => {
        bytes += c.length;
        if (keep || (res.statusCode !== 200 && head.length < 4)) head.push(c);
      });
      res.on('error', reject);
      res.on('end', () => {
        if (res.statusCode !== 200)
          reject(
            new Error(
              `${way.name} GET ${p}: HTTP ${res.statusCode}: ${Buffer.concat(head).toString('utf8').slice(0, 300)}`,
            ),
          );
        else
          resolve({
            bytes,
            ms: performance.now() - t0,
            body: keep ? Buffer.concat(head).toString('utf8') : '',
          });
      });
    });
    req.end();
  });
}

async function latencies(way: Way, p: string): Promise<LatencyStats> {
  const { warmup, requests } = AGENT_CONFIG.list;
  for (let i = 0; i < warmup; i++) await timedGet(way, p);
  const ms: number[] = [];
  for (let i = 0; i < requests; i++) ms.push((await timedGet(way, p)).ms);
  ms.sort((a, b) => a - b);
  return { requests, p50: percentile(ms, 50), p95: percentile(ms, 95), mean: mean(ms) };
}

/** Figure A1: sequential container lists, direct then through the tunnel. */
export async function measureList(
  engine: Engine,
  port: number,
  apiKey: string,
  environmentId: number,
): Promise<ListFigure> {
  const p = '/containers/json?all=1';
  const direct = directWay(engine);
  const tunnel = tunnelWay(port, apiKey, environmentId);
  try {
    // Both ways must see the same engine: the same container ids (the status texts age, so not the bytes).
    const ids = async (way: Way) =>
      (JSON.parse((await timedGet(way, p, true)).body) as Array<{ Id: string }>)
        .map((c) => c.Id)
        .sort()
        .join();
    const [a, b] = await Promise.all([ids(direct), ids(tunnel)]);
    if (a !== b || a.split(',').length !== AGENT_CONFIG.list.containers)
      throw new Error(`container list: direct and tunnel disagree or miss containers: [${a}] vs [${b}]`);
    progress(`A1 container list: ${AGENT_CONFIG.list.requests} sequential requests each way`);
    const d = await latencies(direct, p);
    const t = await latencies(tunnel, p);
    progress(`A1 container list: p50 ${fmt(d.p50, 2)} ms direct, ${fmt(t.p50, 2)} ms through the tunnel`);
    return { containers: AGENT_CONFIG.list.containers, direct: d, tunnel: t };
  } finally {
    direct.close();
    tunnel.close();
  }
}

/** Figure A2: the whole log read in turn directly and through the tunnel; each read must return the same bytes. */
export async function measureLogs(
  engine: Engine,
  port: number,
  apiKey: string,
  environmentId: number,
  containerId: string,
): Promise<LogsFigure> {
  const p = `/containers/${containerId}/logs?stdout=1`;
  const ways = [directWay(engine), tunnelWay(port, apiKey, environmentId)];
  const result: LogsFigure = { bytes: 0, directMBps: [], tunnelMBps: [] };
  try {
    for (let round = 1; round <= AGENT_CONFIG.logs.rounds; round++) {
      for (const way of ways) {
        const { bytes, ms } = await timedGet(way, p);
        if (bytes < AGENT_CONFIG.logs.bytes)
          throw new Error(
            `${way.name} log read returned ${bytes} bytes, fewer than the ${AGENT_CONFIG.logs.bytes} written`,
          );
        if (result.bytes !== 0 && bytes !== result.bytes)
          throw new Error(`${way.name} log read returned ${bytes} bytes, another read ${result.bytes}`);
        result.bytes = bytes;
        const mbps = bytes / 1e6 / (ms / 1000);
        (way.name === 'direct' ? result.directMBps : result.tunnelMBps).push(mbps);
        progress(`A2 log stream ${round}/${AGENT_CONFIG.logs.rounds} ${way.name}: ${fmt(mbps, 0)} MB/s`);
      }
    }
    return result;
  } finally {
    for (const w of ways) w.close();
  }
}
