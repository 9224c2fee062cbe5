// Figures S1 and S2: the same five-service compose file deployed by docker-compose 1.29 and by
// Capstan (the real server as a child process, the real agent process) on one rig host's dockerd,
// round after round, alternating; each round deploys from nothing, deploys again with no change,
// and removes everything. Every deploy is checked: five running containers, the no-change one
// keeping the same containers.
import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startHosts, stopAll, TEST_IMAGE, type Host } from '../../../e2e/rig/index.ts';
import { dockerSkipReason } from './agent-docker.ts';
import { agentEntry, startAgent } from './agent-footprint.ts';
import { call, createApiKey, expectOk, login } from './client.ts';
import { ADMIN } from './config.ts';
import { fmt, progress, round, sleep } from './lib.ts';
import { startServer, stopServer } from './server.ts';
import type { DeployTimings, StacksReport } from './stacks-report.ts';

const ROUNDS = 3;
const SERVICES = ['api', 'cache', 'db', 'web', 'worker'];
const DEPLOY_TIMEOUT_MS = 120_000;
const POLL_MS = 25;

// The image's default command traps SIGTERM, so removals do not wait out stop timeouts.
const COMPOSE = `# web and worker wait for api, api for db and cache, each until healthy.
x-health: &health
  interval: 1s
  timeout: 1s
  retries: 30

services:
  db:
    image: ${TEST_IMAGE}
    environment:
      ROLE: db
    volumes:
      - db-data:/data
    healthcheck:
      <<: *health
      test: ["CMD", "test", "-d", "/data"]
  cache:
    image: ${TEST_IMAGE}
    environment:
      ROLE: cache
    healthcheck:
      <<: *health
      test: ["CMD-SHELL", "test -d /tmp"]
  api:
    image: ${TEST_IMAGE}
    environment:
      ROLE: api
      DB_HOST: db
    ports:
      - "8080:8080"
    depends_on:
      db:
        condition: service_healthy
      cache:
        condition: service_healthy
    healthcheck:
      <<: *health
      test: ["CMD", "true"]
  worker:
    image: ${TEST_IMAGE}
    environment:
      ROLE: worker
    depends_on:
      api:
        condition: service_healthy
      cache:
        condition: service_healthy
    healthcheck:
      <<: *health
      test: ["CMD", "true"]
  web:
    image: ${TEST_IMAGE}
    environment:
      ROLE: web
    ports:
      - "8081:80"
    depends_on:
      api:
        condition: service_healthy
    healthcheck:
      <<: *health
      test: ["CMD", "true"]

volumes:
  db-data:
`;

/** Why the stacks figures cannot run here, or null. */
export function stacksSkipReason(): string | null {
  const docker = dockerSkipReason();
  if (docker) return docker;
  if (spawnSync('sh', ['-c', 'command -v docker-compose'], { stdio: 'ignore' }).status !== 0)
    return "no docker-compose (Debian's docker-compose 1.29: npm test installs it)";
  return null;
}

function exec(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      args,
      { ...opts, maxBuffer: 16 * 1024 * 1024, timeout: DEPLOY_TIMEOUT_MS },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`${cmd} ${args.join(' ')}: ${`${stderr}`.trim() || err.message}`));
        else resolve(`${stdout}${stderr}`);
      },
    );
  });
}

/** service → container id of the project's running containers; throws unless all five run. */
async function running(host: Host, project: string): Promise<Record<string, string>> {
  const out = await host.docker([
    'ps',
    '--filter',
    `label=com.docker.compose.project=${project}`,
    '--format',
    '{{.ID}} {{.Label "com.docker.compose.service"}}',
  ]);
  const map: Record<string, string> = {};
  for (const line of out.trim().split('\n').filter(Boolean)) {
    const [id = '', service = ''] = line.split(' ');
    map[service] = id;
  }
  if (Object.keys(map).sort().join() !== SERVICES.join())
    throw new Error(`${project}: expected ${SERVICES.join(', ')} running, found ${JSON.stringify(map)}`);
  return map;
}

/** Throws unless `after` has exactly the containers of `before`. */
function same(project: string, before: Record<string, string>, after: Record<string, string>): void {
  if (JSON.stringify(before) !== JSON.stringify(after))
    throw new Error(
      `${project}: a deploy with no change replaced containers: ${JSON.stringify({ before, after })}`,
    );
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

/** One docker-compose round: up, up again, down. */
async function composeRound(host: Host, dir: string, home: string, into: DeployTimings): Promise<void> {
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    DOCKER_HOST: `unix://${host.dockerSocket}`,
  };
  const compose = (args: string[]) =>
    exec('docker-compose', ['-p', 'benchref', '-f', 'compose.yml', ...args], { cwd: dir, env });
  const up = await timed(() => compose(['up', '-d']));
  const first = await running(host, 'benchref');
  const again = await timed(() => compose(['up', '-d']));
  same('benchref', first, await running(host, 'benchref'));
  await compose(['down', '-v', '-t', '1']);
  into.deployMs.push(up.ms);
  into.redeployMs.push(again.ms);
  progress(`S1-S2 docker-compose: up ${fmt(up.ms, 0)} ms, no-change up ${fmt(again.ms, 0)} ms`);
}

interface Api {
  port: number;
  headers: Record<string, string>;
}

/** POSTs a deploy of stack `id` and waits until its version ends; throws unless it ended deployed. */
async function deployAndWait(api: Api, id: number): Promise<void> {
  const v = await expectOk(
    'deploy stack',
    call(api.port, 'POST', `/api/stacks/${id}/deploy`, { headers: api.headers, body: {} }),
    202,
  );
  const deadline = performance.now() + DEPLOY_TIMEOUT_MS;
  for (;;) {
    const version = await expectOk(
      'stack version',
      call(api.port, 'GET', `/api/stacks/${id}/versions/${String(v.id)}`, { headers: api.headers }),
    );
    if (version.status === 'deployed') return;
    if (['failed', 'rolled_back', 'superseded'].includes(String(version.status)))
      throw new Error(
        `stack ${id} version ${String(v.id)} ended ${String(version.status)}: ${JSON.stringify(version).slice(0, 800)}`,
      );
    if (performance.now() > deadline)
      throw new Error(`stack ${id}: the deploy did not end within ${DEPLOY_TIMEOUT_MS / 1000} s`);
    await sleep(POLL_MS);
  }
}

/** One Capstan round: create a stack, deploy, deploy again, delete it with its volumes. */
async function capstanRound(
  host: Host,
  api: Api,
  environmentId: number,
  n: number,
  into: DeployTimings,
): Promise<void> {
  const name = `benchcap${n}`;
  const stack = await expectOk(
    'create stack',
    call(api.port, 'POST', '/api/stacks', {
      headers: api.headers,
      body: { name, environmentId, compose: COMPOSE, health: { windowSeconds: 0, onFailure: 'report' } },
    }),
    201,
  );
  const id = Number(stack.id);
  const deploy = await timed(() => deployAndWait(api, id));
  const first = await running(host, name);
  const again = await timed(() => deployAndWait(api, id));
  same(name, first, await running(host, name));
  await expectOk(
    'delete stack',
    call(api.port, 'DELETE', `/api/stacks/${id}?removeVolumes=true`, { headers: api.headers }),
    202,
  );
  const deadline = performance.now() + DEPLOY_TIMEOUT_MS;
  while ((await call(api.port, 'GET', `/api/stacks/${id}`, { headers: api.headers })).status !== 404) {
    if (performance.now() > deadline)
      throw new Error(`stack ${id} was not removed within ${DEPLOY_TIMEOUT_MS / 1000} s`);
    await sleep(100);
  }
  into.deployMs.push(deploy.ms);
  into.redeployMs.push(again.ms);
  progress(`S1-S2 Capstan: deploy ${fmt(deploy.ms, 0)} ms, no-change deploy ${fmt(again.ms, 0)} ms`);
}

async function measure(root: string, report: StacksReport): Promise<void> {
  const passwordFile = path.join(root, 'admin-password');
  writeFileSync(passwordFile, `${ADMIN.password}\n`, { mode: 0o600 });
  const dir = path.join(root, 'compose');
  const home = path.join(root, 'home');
  mkdirSync(dir, { recursive: true });
  mkdirSync(home, { recursive: true });
  writeFileSync(path.join(dir, 'compose.yml'), COMPOSE);
  report.services = SERVICES.length;
  report.composeVersion = (await exec('docker-compose', ['version', '--short'])).trim();
  const entry = await agentEntry();
  report.agentBundled = entry.bundled;
  progress(
    `S1-S2: a rig host, the server and the agent (${entry.bundled ? 'bundle' : 'TypeScript sources'})`,
  );
  const [host] = await startHosts(1);
  if (!host) throw new Error('the rig started no host');
  report.engineVersion = (await host.docker(['version', '--format', '{{.Server.Version}}'])).trim();
  const server = await startServer(path.join(root, 'server'), passwordFile);
  try {
    const token = await login(server.port, 'admin login', ADMIN);
    const headers = { 'x-api-key': await createApiKey(server.port, 'admin API key', token, 'bench-stacks') };
    const agent = await startAgent({
      port: server.port,
      headers,
      entry: entry.file,
      stateDir: path.join(root, 'agent-state'),
      dockerSocket: host.dockerSocket,
      name: 'bench-stacks',
    });
    try {
      const compose: DeployTimings = { deployMs: [], redeployMs: [] };
      const capstan: DeployTimings = { deployMs: [], redeployMs: [] };
      for (let n = 1; n <= ROUNDS; n++) {
        progress(`S1-S2 round ${n}/${ROUNDS}`);
        await composeRound(host, dir, home, compose);
        await capstanRound(host, { port: server.port, headers }, agent.environmentId, n, capstan);
      }
      report.compose = compose;
      report.capstan = capstan;
    } finally {
      await agent.stop();
    }
  } finally {
    await stopServer(server);
  }
}

/** Runs figures S1–S2 into `report` (recorded as skipped without Docker or docker-compose); rejects on failure. */
export async function runStacksFigures(report: StacksReport): Promise<void> {
  const skip = stacksSkipReason();
  if (skip) {
    report.skipped = skip;
    progress(`S1-S2 skipped: ${skip}`);
    return;
  }
  const root = mkdtempSync(path.join(os.tmpdir(), 'capstan-bench-stacks-'));
  const remove = () => rmSync(root, { recursive: true, force: true });
  process.on('exit', remove);
  try {
    await measure(root, report);
  } finally {
    await stopAll();
    report.loadAvg.end = round(os.loadavg()[0] ?? 0, 2);
    process.off('exit', remove);
    remove();
  }
}
