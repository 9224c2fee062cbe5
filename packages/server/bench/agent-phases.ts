// The Edge Agent figures in order: A1–A3 on a server with the real agent in front of a private dockerd
// (skipped without a Docker engine), then A4 on a second server with simulated agents.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AGENT_CONFIG } from './agent-config.ts';
import {
  dockerSkipReason,
  measureList,
  measureLogs,
  prepareContainers,
  startBenchEngine,
} from './agent-docker.ts';
import { measureFleet } from './agent-fleet.ts';
import { agentEntry, measureFootprint, startAgent } from './agent-footprint.ts';
import type { AgentReport } from './agent-report.ts';
import { createApiKey, login } from './client.ts';
import { ADMIN } from './config.ts';
import { progress, round } from './lib.ts';
import { startServer, stopServer, type Server } from './server.ts';

/** Logs in as admin and makes an API key: the credential every agent-figure call uses. */
async function adminKey(server: Server): Promise<string> {
  const token = await login(server.port, 'admin login', ADMIN);
  return createApiKey(server.port, 'admin API key', token, 'bench-agent');
}

async function dockerFigures(root: string, passwordFile: string, report: AgentReport): Promise<void> {
  const entry = await agentEntry();
  progress(
    `A1-A3: private dockerd, server, and the agent (${entry.bundled ? 'bundle' : 'TypeScript sources, no bundle'})`,
  );
  const [engineR, serverR] = await Promise.allSettled([
    startBenchEngine(),
    startServer(path.join(root, 'docker-server'), passwordFile),
  ]);
  if (engineR.status === 'rejected' || serverR.status === 'rejected') {
    if (engineR.status === 'fulfilled') engineR.value.stop();
    if (serverR.status === 'fulfilled') await stopServer(serverR.value);
    throw engineR.status === 'rejected' ? engineR.reason : (serverR as PromiseRejectedResult).reason;
  }
  const engine = engineR.value;
  const server = serverR.value;
  try {
    report.engineVersion = engine.version;
    const logContainer = await prepareContainers(engine.engine);
    const apiKey = await adminKey(server);
    const agent = await startAgent({
      port: server.port,
      headers: { 'x-api-key': apiKey },
      entry: entry.file,
      stateDir: path.join(root, 'agent-state'),
      dockerSocket: engine.engine.socket,
      name: 'bench-edge',
    });
    // The footprint first, while the agent has only connected: the stream figures come after.
    report.footprint = await measureFootprint(agent, server.port, entry);
    report.list = await measureList(engine.engine, server.port, apiKey, agent.environmentId);
    report.logs = await measureLogs(engine.engine, server.port, apiKey, agent.environmentId, logContainer);
    await agent.stop();
  } finally {
    engine.stop();
    await stopServer(server);
  }
}

async function fleetFigure(root: string, passwordFile: string, report: AgentReport): Promise<void> {
  const server = await startServer(path.join(root, 'fleet-server'), passwordFile, [
    '--agent-heartbeat',
    AGENT_CONFIG.fleet.heartbeat,
  ]);
  try {
    report.fleet = await measureFleet(server, await adminKey(server));
  } finally {
    await stopServer(server);
  }
}

/** Runs figures A1–A4 into `report` (A1–A3 recorded as skipped without Docker); rejects on the first failure. */
export async function runAgentFigures(report: AgentReport): Promise<void> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'capstan-bench-agent-'));
  const remove = () => rmSync(root, { recursive: true, force: true });
  process.on('exit', remove);
  try {
    const passwordFile = path.join(root, 'admin-password');
    writeFileSync(passwordFile, `${ADMIN.password}\n`, { mode: 0o600 });
    const skip = dockerSkipReason();
    if (skip) {
      report.dockerSkipped = skip;
      progress(`A1-A3 skipped: ${skip}`);
    } else {
      await dockerFigures(root, passwordFile, report);
    }
    await fleetFigure(root, passwordFile, report);
  } finally {
    report.loadAvg.end = round(os.loadavg()[0] ?? 0, 2);
    process.off('exit', remove);
    remove();
  }
}
