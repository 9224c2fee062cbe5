import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EVENTS_PATH } from '@capstan/protocol';
import { expect } from 'vitest';
import { buildApp, type App, type AppOptions } from '../../src/app.ts';
import { openStore, type Store } from '../../src/db/store.ts';
import { isMutating } from '../../src/http/route.ts';
import { Metrics } from '../../src/metrics/metrics.ts';
import { freshPgDatabase, type TestDialect } from './databases.ts';

export const ADMIN = { username: 'admin', password: 'correct horse battery staple' };

export interface Call {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  body?: unknown;
  /** Raw payload sent as is (malformed JSON tests). */
  payload?: string;
  token?: string;
  apiKey?: string;
  headers?: Record<string, string>;
}

export interface Answer {
  status: number;
  body: any;
  headers: Record<string, string | string[] | number | undefined>;
  requestId: string;
}

export interface Harness {
  app: App;
  store: Store;
  dialect: TestDialect;
  dataDir: string;
  call(c: Call): Promise<Answer>;
  /** Creates the administrator; returns its session token. */
  setupAdmin(): Promise<string>;
  /** Creates a user (as admin) and signs it in; returns its id and token. */
  user(adminToken: string, username: string, opts?: { isAdmin?: boolean }): Promise<{ id: number; token: string }>;
  /** Gives a user a role on one environment (as admin); fails the test unless it is granted. */
  grant(adminToken: string, userId: number, environmentId: number, role: string): Promise<void>;
  /** Every mutating call made through `call` has an audit record with its request id. */
  expectAllAudited(): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  setupWindowMs?: number;
  loginMaxFailures?: number;
  loginLockoutMs?: number;
  loginAttemptsPerMinute?: number;
  sessionTtlMs?: number;
  /** --public-url (agent join commands). */
  publicUrl?: string;
  /** Reuse an existing data directory / database (restart tests). */
  dataDir?: string;
  databaseUrl?: string;
  /** The agent bundle file served and hashed into join commands (default: a small stand-in in the data directory). */
  agentBundle?: string;
  /** App-template catalogue source (default: the shipped catalogue file). */
  templates?: AppOptions['templates'];
  /** The web UI build to serve (default: none, UI paths answer web_ui_not_built). */
  webDir?: string;
}

/** Content of the harness's stand-in agent bundle: the server only serves and hashes the file. */
export const STAND_IN_AGENT_BUNDLE = '#!/usr/bin/env node\n// stand-in for the bundled agent (packages/agent/scripts/bundle.ts)\n';

/** An in-process Capstan on a real database (a fresh SQLite directory or PostgreSQL database). */
export async function createHarness(dialect: TestDialect, opts: HarnessOptions = {}): Promise<Harness & { databaseUrl?: string }> {
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(tmpdir(), 'capstan-test-'));
  const pgDb = dialect === 'postgres' && !opts.databaseUrl ? await freshPgDatabase() : null;
  const databaseUrl = dialect === 'postgres' ? (opts.databaseUrl ?? pgDb?.url) : undefined;
  const metrics = new Metrics();
  let agentBundle = opts.agentBundle;
  if (agentBundle === undefined) {
    agentBundle = path.join(dataDir, 'capstan-agent.js');
    writeFileSync(agentBundle, STAND_IN_AGENT_BUNDLE);
  }
  const store = await openStore({ dataDir, databaseUrl, onQuery: (db, ms) => metrics.observeQuery(db, ms) });
  const app = await buildApp({
    store,
    metrics,
    auth: {
      sessionTtlMs: opts.sessionTtlMs ?? 3_600_000,
      loginMaxFailures: opts.loginMaxFailures ?? 5,
      loginLockoutMs: opts.loginLockoutMs ?? 60_000,
      loginAttemptsPerMinute: opts.loginAttemptsPerMinute ?? 10_000,
    },
    setupWindowMs: opts.setupWindowMs ?? 300_000,
    startedAt: Date.now(),
    logLevel: 'silent',
    publicUrl: opts.publicUrl ?? null,
    agentBundle,
    dataDir,
    ...(opts.templates ? { templates: opts.templates } : {}),
    ...(opts.webDir ? { webDir: opts.webDir } : {}),
  });
  const mutations: Array<{ requestId: string; method: string; url: string; status: number }> = [];

  /** Whether a route serves this call, its path normalised the way inject does ("." and ".." segments). */
  const routed = (method: Call['method'], url: string): boolean => {
    try {
      return app.fastify.findRoute({ method, url: new URL(url, 'http://capstan.test').pathname }) !== null;
    } catch {
      return true;
    }
  };
  /**
   * The change-notice stream never ends by itself: its answer is the status, headers and the first
   * chunk, then the client hangs up as a closed tab does (the server's stream closes).
   */
  const openEnded = async (c: Call, headers: Record<string, string>, payload: string | undefined): Promise<{ statusCode: number; headers: Answer['headers']; body: string }> => {
    const res = await app.fastify.inject({ method: c.method, url: c.url, headers, payloadAsStream: true, ...(payload !== undefined ? { payload } : {}) });
    const stream = res.stream();
    let body = '';
    if (String(res.headers['content-type'] ?? '').startsWith('text/event-stream')) {
      const [chunk] = (await once(stream, 'data')) as [Buffer];
      body = chunk.toString('utf8');
      res.raw.res.destroy();
    } else {
      for await (const chunk of stream) body += (chunk as Buffer).toString('utf8');
    }
    return { statusCode: res.statusCode, headers: res.headers, body };
  };
  const call = async (c: Call): Promise<Answer> => {
    const headers: Record<string, string> = { ...(c.headers ?? {}) };
    if (c.token) headers.authorization = `Bearer ${c.token}`;
    if (c.apiKey) headers['x-api-key'] = c.apiKey;
    let payload: string | undefined = c.payload;
    if (payload === undefined && c.body !== undefined) payload = JSON.stringify(c.body);
    if (payload !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
    const res =
      c.method === 'GET' && new URL(c.url, 'http://capstan.test').pathname === EVENTS_PATH
        ? await openEnded(c, headers, payload)
        : await app.fastify.inject({ method: c.method, url: c.url, headers, ...(payload !== undefined ? { payload } : {}) });
    const requestId = String(res.headers['x-request-id'] ?? '');
    // Only calls that reached a route are operations; unknown paths are not (a bad body on an
    // unknown path is refused before the 404, e.g. malformed_json).
    const unrouted = (res.statusCode === 404 && res.body.includes('"route_not_found"')) || !routed(c.method, c.url);
    if (isMutating(c.method) && !unrouted) mutations.push({ requestId, method: c.method, url: c.url, status: res.statusCode });
    let body: unknown = res.body;
    try {
      body = res.body ? JSON.parse(res.body) : undefined;
    } catch {
      /* text answers (metrics) stay text */
    }
    return { status: res.statusCode, body, headers: res.headers, requestId };
  };

  const harness: Harness & { databaseUrl?: string } = {
    app,
    store,
    dialect,
    dataDir,
    ...(databaseUrl ? { databaseUrl } : {}),
    call,
    async setupAdmin() {
      const r = await call({ method: 'POST', url: '/api/setup/admin', body: ADMIN });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return r.body.token as string;
    },
    async user(adminToken, username, o = {}) {
      const password = `${username}-password-123`;
      const created = await call({ method: 'POST', url: '/api/users', token: adminToken, body: { username, password, isAdmin: o.isAdmin ?? false } });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const login = await call({ method: 'POST', url: '/api/auth/login', body: { username, password } });
      expect(login.status, JSON.stringify(login.body)).toBe(200);
      return { id: created.body.id as number, token: login.body.token as string };
    },
    async grant(adminToken, userId, environmentId, role) {
      const r = await call({
        method: 'POST',
        url: '/api/roles/assignments',
        token: adminToken,
        body: { principal: { type: 'user', id: userId }, scope: { type: 'environment', id: environmentId }, role },
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    },
    async expectAllAudited() {
      await app.services.audit.flush();
      const rows = await store.audit.selectFrom('auditLog').select(['requestId']).execute();
      const seen = new Set(rows.map((r) => r.requestId));
      const missing = mutations.filter((m) => !seen.has(m.requestId));
      expect(missing, 'mutating calls without an audit record').toEqual([]);
    },
    async close() {
      await app.close();
      await store.close();
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
      if (pgDb) await pgDb.drop();
    },
  };
  return harness;
}
