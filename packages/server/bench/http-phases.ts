// The HTTP load phases: logins per second, then GET /api/environments as admin and non-admin, by
// session and by API key, on the seeded server, between two /api/health runs that set the baseline.
import { call, createApiKey, expectOk, login } from './client.ts';
import { ADMIN, CONFIG, USER_PASSWORD } from './config.ts';
import { fmt, progress } from './lib.ts';
import { load, type Measured } from './load.ts';
import type { SeedResult } from './seed.ts';
import type { Server } from './server.ts';

/** One measured API caller: `key` names it in the JSON line, `name` in the table. */
export interface ApiRun {
  key: string;
  name: string;
  result: Measured;
}

interface Target {
  key: string;
  name: string;
  url: string;
  headers: Record<string, string>;
  /** The list total this caller must see, or null for health. */
  total: number | null;
}

/** Logs in as admin, then measures POST /api/auth/login under CONFIG.login; rejects if any login fails. */
export async function measureLogins(server: Server): Promise<Measured> {
  await login(server.port, 'admin login', ADMIN);
  progress(`logins: concurrency ${CONFIG.login.concurrency} for ${CONFIG.login.durationMs / 1000} s`);
  const result = await load(
    'login',
    {
      url: `https://127.0.0.1:${server.port}/api/auth/login`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ADMIN),
      expectStatus: 200,
      ...CONFIG.login,
    },
    server.pid,
  );
  progress(`logins: ${fmt(result.rps)}/s, p99 ${fmt(result.latencyMs.p99)} ms`);
  return result;
}

/** Measures every caller of the seeded server in turn, pushing each result into `into` as it completes. */
export async function measureApi(server: Server, seed: SeedResult, into: ApiRun[]): Promise<void> {
  const targets = await makeTargets(server.port, seed);
  await checkTotals(server.port, targets);
  for (const t of targets) {
    progress(
      `${t.name}: concurrency ${CONFIG.http.concurrency}, ${CONFIG.http.warmupMs / 1000} s warm-up + ${CONFIG.http.durationMs / 1000} s`,
    );
    const result = await load(
      t.name,
      {
        url: `https://127.0.0.1:${server.port}${t.url}`,
        method: 'GET',
        headers: t.headers,
        expectStatus: 200,
        ...CONFIG.http,
      },
      server.pid,
    );
    into.push({ key: t.key, name: t.name, result });
    progress(
      `  ${fmt(result.rps)} req/s, p50 ${fmt(result.latencyMs.p50)} ms, p99 ${fmt(result.latencyMs.p99)} ms, server CPU ${fmt(result.serverCpuUsPerRequest)} µs/req`,
    );
  }
}

/** Logs in admin and the seed's chosen user, makes each an API key, and lists the callers in run order. */
async function makeTargets(port: number, seed: SeedResult): Promise<Target[]> {
  const adminToken = await login(port, 'admin login', ADMIN);
  const userToken = await login(port, 'user login', {
    username: seed.chosen.username,
    password: USER_PASSWORD,
  });
  const adminKey = await createApiKey(port, 'admin API key', adminToken, 'bench-admin');
  const userKey = await createApiKey(port, 'user API key', userToken, 'bench-user');
  const health = (key: string, when: string): Target => ({
    key,
    name: `GET /api/health (baseline, ${when})`,
    url: '/api/health',
    headers: {},
    total: null,
  });
  const list = (key: string, name: string, headers: Record<string, string>, total: number): Target => ({
    key,
    name,
    url: '/api/environments?limit=100',
    headers,
    total,
  });
  const all = CONFIG.seed.environments;
  const visible = seed.chosen.visibleEnvironments;
  // Health runs first and last: the baseline is their mean, and their spread shows drift (noisy neighbours).
  return [
    health('health', 'before'),
    list('environmentsAdmin', 'environments, admin session', { authorization: `Bearer ${adminToken}` }, all),
    list(
      'environmentsUser',
      'environments, non-admin session',
      { authorization: `Bearer ${userToken}` },
      visible,
    ),
    list('environmentsAdminApiKey', 'environments, admin API key', { 'x-api-key': adminKey }, all),
    list('environmentsUserApiKey', 'environments, non-admin API key', { 'x-api-key': userKey }, visible),
    health('healthAfter', 'after'),
  ];
}

/** Rejects unless every caller sees exactly what the seed gave it: throughput means nothing otherwise. */
async function checkTotals(port: number, targets: readonly Target[]): Promise<void> {
  for (const t of targets) {
    const body = await expectOk(t.name, call(port, 'GET', t.url, { headers: t.headers }));
    if (t.total !== null) {
      const items = body.items as unknown[];
      if (body.total !== t.total || items.length !== Math.min(100, t.total)) {
        throw new Error(
          `${t.name}: expected total ${t.total} (${Math.min(100, t.total)} items), got total ${String(body.total)} (${items.length} items)`,
        );
      }
    }
  }
}
