/**
 * The role matrix: every kind of principal against every operation the server exposes.
 *
 * The expectations below are written by hand from the product's intended semantics, not derived
 * from the permission catalogue, so a wrong permission on a route or a wrong role definition
 * shows up as a mismatch. Every route in `app.routes` must have a row and every row must name a
 * route: a new operation cannot ship without deciding who may call it.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, type TestDialect } from './helpers/databases.ts';
import { ADMIN, createHarness, type Answer, type Call, type Harness } from './helpers/harness.ts';
import { canonicalSnapshot, type EngineSnapshot } from '@capstan/protocol';
import { hashCanonical } from '../src/modules/snapshots/snapshots.service.ts';
import { signWebhook } from '../src/modules/git-sources/webhook-signature.ts';
import { closeSharedGitRepo, sharedGitRepo } from './helpers/git-server.ts';

// ---------------------------------------------------------------------------------------------
// Principals (the matrix columns)
// ---------------------------------------------------------------------------------------------

type PrincipalName =
  | 'admin'
  | 'envAdmin'
  | 'standard'
  | 'operator'
  | 'helpdesk'
  | 'readonly'
  | 'teamOperator'
  | 'noRole'
  | 'adminReadOnlyKey'
  | 'standardFullKey'
  | 'anonymous';

const COLUMNS: ReadonlyArray<{ name: PrincipalName; letter: string; who: string }> = [
  { name: 'admin', letter: 'a', who: 'global administrator (session)' },
  { name: 'envAdmin', letter: 'e', who: 'environment_admin on E1, granted directly' },
  { name: 'standard', letter: 's', who: 'standard_user on E1, granted directly' },
  { name: 'operator', letter: 'o', who: 'operator on E1, granted directly' },
  { name: 'helpdesk', letter: 'h', who: 'helpdesk on E1, granted directly' },
  { name: 'readonly', letter: 'r', who: 'readonly on E1, granted directly' },
  { name: 'teamOperator', letter: 't', who: 'operator through team T1 on group G1 (holds E1 and E2)' },
  { name: 'noRole', letter: 'n', who: 'user with no role anywhere' },
  { name: 'adminReadOnlyKey', letter: 'R', who: 'read-only API key of the administrator' },
  { name: 'standardFullKey', letter: 'S', who: 'full API key of the standard_user' },
  { name: 'anonymous', letter: 'u', who: 'unauthenticated' },
];

type AccountName =
  | 'admin'
  | 'envadmin'
  | 'standard'
  | 'operator'
  | 'helpdesk'
  | 'readonly'
  | 'teamop'
  | 'norole'
  | 'spare'
  | 'pwtarget';

/** A user account and its current credentials (passwords rotate, sessions end during the run). */
interface Account {
  id: number;
  username: string;
  password: string;
  token: string;
}

interface Principal {
  name: PrincipalName;
  kind: 'session' | 'api_key' | 'none';
  /** The user the principal acts as; null when unauthenticated. */
  account: Account | null;
  credentials(): Pick<Call, 'token' | 'apiKey'>;
}

// ---------------------------------------------------------------------------------------------
// Cells
// ---------------------------------------------------------------------------------------------

/**
 * A  allowed: the call succeeds (2xx)
 * F  refused: 403 forbidden (no role, a role without the permission, or administrators only)
 * K  refused: 403 read_only_key (a mutation through a read-only API key)
 * U  refused: 401 unauthenticated (no credentials on a non-public route)
 * X  not refused by authorization, but the operation itself answers `otherwise` (e.g. setup is
 *    already complete); the case says which status and code.
 */
type Cell = 'A' | 'F' | 'K' | 'U' | 'X';
const CELLS: readonly Cell[] = ['A', 'F', 'K', 'U', 'X'];
const REFUSALS = {
  F: { status: 403, code: 'forbidden' },
  K: { status: 403, code: 'read_only_key' },
  U: { status: 401, code: 'unauthenticated' },
} as const;

interface Target {
  params?: Record<string, number | string>;
  query?: Record<string, string | number>;
  body?: unknown;
  headers?: Record<string, string>;
}

interface Case {
  /** Distinguishes several cases of one route in the output. */
  variant?: string;
  /** One cell per column, in COLUMNS order: a e s o h r t n R S u. */
  expect: string;
  /** What `X` cells answer. */
  otherwise?: { status: number; code: string };
  /** The concrete call for one principal; creates a fresh resource when the call consumes one. */
  target(f: Fixture, p: Principal): Promise<Target> | Target;
  /** Runs after each principal's call (signing in again after logout or a password change). */
  after?(f: Fixture, p: Principal, res: Answer, t: Target): Promise<void>;
}

/** The caller's own user id (the administrator's for unauthenticated calls). */
const own = (f: Fixture, p: Principal): number => (p.account ?? f.accounts.admin).id;

/** A fresh command queued by the administrator on an environment (no agent: it stays queued). */
async function queuedCommand(f: Fixture, environmentId: number, kind: 'container.start' | 'container.remove'): Promise<string> {
  const body = { kind, payload: { containerId: 'web' } };
  const r = await f.h.call({ method: 'POST', url: `/api/environments/${environmentId}/commands`, token: f.accounts.admin.token, body });
  expect(r.status, JSON.stringify(r.body)).toBe(202);
  return r.body.id as string;
}

/** A fresh command queued by the administrator that ended failed (as an agent would report it). */
async function failedCommand(f: Fixture, environmentId: number, kind: 'container.start' | 'container.remove'): Promise<string> {
  const id = await queuedCommand(f, environmentId, kind);
  const { seq } = await f.h.app.services.commands.get(environmentId, id);
  const at = new Date().toISOString();
  const outcome = await f.h.app.services.commands.result(environmentId, { id, seq, status: 'failed', error: { code: 'engine_error', message: 'failed' }, startedAt: at, finishedAt: at });
  expect(outcome).toBe('applied');
  return id;
}

/** A fresh registry definition made by the administrator; its host has nothing listening. */
async function newRegistry(f: Fixture): Promise<number> {
  const name = f.uniq('registry');
  const body = { name, host: `127.0.0.1:${1000 + Number(name.split('-').pop())}`, username: 'ci', password: 'registry password' };
  const r = await f.h.call({ method: 'POST', url: '/api/registries', token: f.accounts.admin.token, body });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.id as number;
}

/** A fresh custom app template made by the administrator; answers its id. */
async function newTemplate(f: Fixture): Promise<string> {
  const body = { title: f.uniq('template'), compose: 'services:\n  app:\n    image: capstan-test/busybox:latest\n' };
  const r = await f.h.call({ method: 'POST', url: '/api/templates', token: f.accounts.admin.token, body });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.id as string;
}

/** Replaces an environment's snapshot with one running the compose projects named (one busybox container each). */
async function putSnapshot(f: Fixture, environmentId: number, projects: string[] = []): Promise<void> {
  const engine = { name: 'e1', version: '28', apiVersion: '1.50', os: 'linux', arch: 'x86_64', kernelVersion: '6', cpus: 1, memoryBytes: 1, storageDriver: 'overlay2' };
  const containers = projects.map((p, i) => ({
    id: `c${i}`.padEnd(64, '0'),
    name: `${p}_app_1`,
    image: 'busybox:latest',
    imageId: 'sha256:b',
    command: 'sleep',
    createdAt: '2026-01-01T00:00:00.000Z',
    state: 'running',
    status: 'Up',
    health: null,
    labels: { 'com.docker.compose.project': p, 'com.docker.compose.service': 'app', 'com.docker.compose.container-number': '1' },
    ports: [],
    composeProject: p,
    composeService: 'app',
  }));
  const composeProjects = projects.map((name) => ({ name, services: ['app'], containers: 1, running: 1, workingDir: null, configFiles: null }));
  const snapshot: EngineSnapshot = { takenAt: new Date().toISOString(), engine, containers, images: [], volumes: [], networks: [], composeProjects };
  const frame = { type: 'snapshot' as const, hash: hashCanonical(canonicalSnapshot(snapshot)), snapshot };
  expect((await f.h.app.services.snapshots.receive({ environmentId, send: () => true }, frame)).result).toBe('stored');
}

/** A fresh stack made by the administrator on an environment (not deployed); answers its id. */
async function newStack(f: Fixture, environmentId: number): Promise<number> {
  const body = { name: f.uniq('stack'), environmentId, compose: 'services:\n  app:\n    image: busybox:latest\n', variables: [{ name: 'TOKEN', value: 'matrix-secret', secret: true }] };
  const r = await f.h.call({ method: 'POST', url: '/api/stacks', token: f.accounts.admin.token, body });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.id as number;
}

/** A fresh stack with one version whose deploy (queued by the administrator) ended as the agent would report it. */
const MATRIX_WEBHOOK_SECRET = 'the role matrix webhook secret';

/** A fresh stack deployed by the administrator from a Git source (real Git server; polling off); answers both ids. */
async function gitStack(f: Fixture, environmentId: number): Promise<{ stackId: number; sourceId: number }> {
  const stackId = await newStack(f, environmentId);
  const body = { url: (await sharedGitRepo()).url, pollIntervalSeconds: 0, webhookSecret: MATRIX_WEBHOOK_SECRET };
  const r = await f.h.call({ method: 'POST', url: `/api/stacks/${stackId}/git`, token: f.accounts.admin.token, body });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return { stackId, sourceId: r.body.id as number };
}

async function deployedStack(f: Fixture, environmentId: number): Promise<{ id: number; versionId: number }> {
  const id = await newStack(f, environmentId);
  const r = await f.h.call({ method: 'POST', url: `/api/stacks/${id}/deploy`, token: f.accounts.admin.token, body: {} });
  expect(r.status, JSON.stringify(r.body)).toBe(202);
  const command = await f.h.app.services.commands.get(environmentId, r.body.commandId as string);
  const plan = { services: [], networks: [], volumes: [], basis: 'live', computedAt: new Date().toISOString(), noop: false };
  const output = { outcome: 'deployed', plan, imageDigests: {}, failure: null, durationMs: 1 };
  const at = new Date().toISOString();
  expect(await f.h.app.services.commands.result(environmentId, { id: command.id, seq: command.seq, status: 'succeeded', output, startedAt: at, finishedAt: at })).toBe('applied');
  return { id, versionId: r.body.id as number };
}

// ---------------------------------------------------------------------------------------------
// The expectations table: one row per route, keyed `${method} ${url}`
// ---------------------------------------------------------------------------------------------
//
// Fixture: groups G1 (holds E1, E2) and G2 (empty); environments E1, E2 (in G1) and E3 (no
// group); team T1 = {teamop} holds operator on G1; `spare` and `pwtarget` are plain users that
// serve as "another user". Columns:
//
//   a administrator    e environment_admin@E1   s standard_user@E1   o operator@E1
//   h helpdesk@E1      r readonly@E1            t operator via T1@G1 n no role
//   R admin read-only key                       S standard_user full key   u unauthenticated

const MATRIX: Record<string, readonly Case[]> = {
  // ----- public ---------------------------------------------------------------------- a e s o h r t n R S u
  'GET /api/health': [{ expect: 'A A A A A A A A A A A', target: () => ({}) }],
  'GET /api/openapi.json': [{ expect: 'A A A A A A A A A A A', target: () => ({}) }],
  'POST /api/setup/admin': [
    {
      // Public, but this instance is set up already: everyone gets setup_complete, nobody an auth refusal.
      expect: 'X X X X X X X X X X X',
      otherwise: { status: 409, code: 'setup_complete' },
      target: () => ({ body: { username: 'intruder', password: 'an intruder password' } }),
    },
  ],
  'POST /api/auth/login': [
    {
      expect: 'A A A A A A A A A A A',
      target: (f) => ({ body: { username: f.accounts.spare.username, password: f.accounts.spare.password } }),
    },
  ],

  // ----- self ------------------------------------------------------------------------ a e s o h r t n R S u
  'GET /api/auth/me': [{ expect: 'A A A A A A A A A A U', target: () => ({}) }],
  // Change notices: anyone signed in opens the stream; each notice is then filtered by environment.read
  // (events.test.ts). The harness reads the first chunk and hangs up: the stream never ends by itself.
  'GET /api/events': [{ expect: 'A A A A A A A A A A U', target: () => ({}) }],
  'POST /api/auth/logout': [
    {
      // API keys have no session to end: a full key passes authorization and is told so.
      expect: 'A A A A A A A A K X U',
      otherwise: { status: 400, code: 'validation_failed' },
      target: () => ({ body: {} }),
      after: async (f, p, res) => {
        if (res.status === 204 && p.kind === 'session' && p.account) await f.relogin(p.account);
      },
    },
  ],
  'GET /api/roles': [{ expect: 'A A A A A A A A A A U', target: () => ({}) }],
  'GET /api/environments/groups': [{ expect: 'A A A A A A A A A A U', target: () => ({}) }],
  'GET /api/environments/groups/:id': [{ expect: 'A A A A A A A A A A U', target: (f) => ({ params: { id: f.ids.g1 } }) }],
  'GET /api/environments/tags': [{ expect: 'A A A A A A A A A A U', target: () => ({}) }],
  'GET /api/api-keys': [
    { variant: 'own keys', expect: 'A A A A A A A A A A U', target: () => ({}) },
    { variant: "another user's keys", expect: 'A F F F F F F F A F U', target: (f) => ({ query: { userId: f.accounts.spare.id } }) },
  ],
  'POST /api/api-keys': [{ expect: 'A A A A A A A A K A U', target: (f) => ({ body: { name: f.uniq('key') } }) }],
  'DELETE /api/api-keys/:id': [
    {
      variant: 'own key',
      expect: 'A A A A A A A A K A U',
      target: async (f, p) => ({ params: { id: await f.newKey(p.account ?? f.accounts.admin) } }),
    },
    {
      variant: "another user's key",
      expect: 'A F F F F F F F K F U',
      target: async (f) => ({ params: { id: await f.newKey(f.accounts.spare) } }),
    },
  ],

  // ----- users ----------------------------------------------------------------------- a e s o h r t n R S u
  'GET /api/users': [{ expect: 'A F F F F F F F A F U', target: () => ({}) }],
  'POST /api/users': [
    {
      expect: 'A F F F F F F F K F U',
      target: (f) => ({ body: { username: f.uniq('newuser'), password: 'a long enough password' } }),
    },
  ],
  'GET /api/users/:id': [
    { variant: 'own', expect: 'A A A A A A A A A A U', target: (f, p) => ({ params: { id: own(f, p) } }) },
    { variant: 'another user', expect: 'A F F F F F F F A F U', target: (f) => ({ params: { id: f.accounts.spare.id } }) },
  ],
  'PATCH /api/users/:id': [
    {
      variant: 'unlock another user',
      expect: 'A F F F F F F F K F U',
      target: (f) => ({ params: { id: f.accounts.spare.id }, body: { unlock: true } }),
    },
    {
      variant: 'promote oneself',
      expect: 'A F F F F F F F K F U',
      target: (f, p) => ({ params: { id: own(f, p) }, body: { isAdmin: true } }),
    },
  ],
  'DELETE /api/users/:id': [{ expect: 'A F F F F F F F K F U', target: async (f) => ({ params: { id: await f.newUser() } }) }],
  'PUT /api/users/:id/password': [
    {
      // Ends every session of that user: sign the account in again with its new password.
      variant: 'own',
      expect: 'A A A A A A A A K A U',
      target: (f, p) => {
        const a = p.account ?? f.accounts.admin;
        return { params: { id: a.id }, body: { currentPassword: a.password, newPassword: f.uniq(`${a.username}-rotated-password`) } };
      },
      after: async (f, p, res, t) => {
        if (res.status !== 204 || !p.account) return;
        p.account.password = (t.body as { newPassword: string }).newPassword;
        await f.relogin(p.account);
      },
    },
    {
      variant: 'another user',
      expect: 'A F F F F F F F K F U',
      target: (f) => ({ params: { id: f.accounts.pwtarget.id }, body: { newPassword: f.uniq('reset-by-someone-password') } }),
    },
  ],

  // ----- teams ----------------------------------------------------------------------- a e s o h r t n R S u
  'GET /api/teams': [{ expect: 'A F F F F F F F A F U', target: () => ({}) }],
  'POST /api/teams': [{ expect: 'A F F F F F F F K F U', target: (f) => ({ body: { name: f.uniq('team') } }) }],
  'GET /api/teams/:id': [{ expect: 'A F F F F F F F A F U', target: (f) => ({ params: { id: f.ids.t1 } }) }],
  'PATCH /api/teams/:id': [
    { expect: 'A F F F F F F F K F U', target: (f) => ({ params: { id: f.ids.scratchTeam }, body: { name: f.uniq('scratch') } }) },
  ],
  'DELETE /api/teams/:id': [{ expect: 'A F F F F F F F K F U', target: async (f) => ({ params: { id: await f.newTeam([]) } }) }],
  'PUT /api/teams/:id/members/:userId': [
    {
      // Joining the team that holds operator on G1 would be a privilege escalation.
      variant: 'join T1 oneself',
      expect: 'A F F F F F F F K F U',
      target: (f, p) => ({ params: { id: f.ids.t1, userId: own(f, p) } }),
    },
  ],
  'DELETE /api/teams/:id/members/:userId': [
    {
      expect: 'A F F F F F F F K F U',
      target: async (f) => ({ params: { id: await f.newTeam([f.accounts.spare.id]), userId: f.accounts.spare.id } }),
    },
  ],

  // ----- environments ---------------------------------------------------------------- a e s o h r t n R S u
  'GET /api/environments': [{ expect: 'A A A A A A A A A A U', target: () => ({}) }],
  'POST /api/environments': [{ expect: 'A F F F F F F F K F U', target: (f) => ({ body: { name: f.uniq('env') } }) }],
  'GET /api/environments/:id': [
    { variant: 'E1', expect: 'A A A A A A A F A A U', target: (f) => ({ params: { id: f.ids.e1 } }) },
    { variant: 'E2, other environment of G1', expect: 'A F F F F F A F A F U', target: (f) => ({ params: { id: f.ids.e2 } }) },
    { variant: 'E3, no group', expect: 'A F F F F F F F A F U', target: (f) => ({ params: { id: f.ids.e3 } }) },
  ],
  'GET /api/environments/:id/status': [
    { variant: 'E1', expect: 'A A A A A A A F A A U', target: (f) => ({ params: { id: f.ids.e1 } }) },
    { variant: 'E3, no group', expect: 'A F F F F F F F A F U', target: (f) => ({ params: { id: f.ids.e3 } }) },
  ],
  'GET /api/environments/:id/snapshot': [
    {
      variant: 'E1, with a snapshot',
      expect: 'A A A A A A A F A A U',
      target: async (f) => {
        const engine = { name: 'e1', version: '28', apiVersion: '1.50', os: 'linux', arch: 'x86_64', kernelVersion: '6', cpus: 1, memoryBytes: 1, storageDriver: 'overlay2' };
        const snapshot: EngineSnapshot = { takenAt: new Date().toISOString(), engine, containers: [], images: [], volumes: [], networks: [], composeProjects: [] };
        const frame = { type: 'snapshot' as const, hash: hashCanonical(canonicalSnapshot(snapshot)), snapshot };
        expect((await f.h.app.services.snapshots.receive({ environmentId: f.ids.e1, send: () => true }, frame)).result).toBe('stored');
        return { params: { id: f.ids.e1 } };
      },
    },
    {
      variant: 'E3, none yet',
      expect: 'X F F F F F F F X F U',
      otherwise: { status: 404, code: 'snapshot_not_found' },
      target: (f) => ({ params: { id: f.ids.e3 } }),
    },
  ],
  'PATCH /api/environments/:id': [
    {
      variant: 'E1 rename and retag',
      expect: 'A A F F F F F F K F U',
      target: (f) => ({ params: { id: f.ids.e1 }, body: { name: 'E1', tagIds: [] } }),
    },
    {
      // Regrouping changes who inherits access through groups: administrators only.
      variant: 'E1 regroup',
      expect: 'A F F F F F F F K F U',
      target: (f) => ({ params: { id: f.ids.e1 }, body: { groupId: f.ids.g1 } }),
    },
    { variant: 'E2 rename', expect: 'A F F F F F F F K F U', target: (f) => ({ params: { id: f.ids.e2 }, body: { name: 'E2' } }) },
  ],
  'DELETE /api/environments/:id': [
    {
      variant: 'an environment like E1',
      expect: 'A A F F F F F F K F U',
      target: async (f) => ({ params: { id: await f.newEnvironmentLikeE1() } }),
    },
  ],

  // ----- command log: environment.read on the route, the kind's permission in the service  a e s o h r t n R S u
  'POST /api/environments/:id/commands': [
    {
      variant: 'E1 container.start (containers.operate)',
      expect: 'A A A A F F A F K A U',
      target: (f) => ({ params: { id: f.ids.e1 }, body: { kind: 'container.start', payload: { containerId: 'web' } } }),
    },
    {
      variant: 'E1 container.remove (containers.manage)',
      expect: 'A A A F F F F F K A U',
      target: (f) => ({ params: { id: f.ids.e1 }, body: { kind: 'container.remove', payload: { containerId: 'web', force: true } } }),
    },
    {
      variant: 'E1 container.exec (containers.exec)',
      expect: 'A A A A F F A F K A U',
      target: (f) => ({ params: { id: f.ids.e1 }, body: { kind: 'container.exec', payload: { containerId: 'web', cmd: ['true'] } } }),
    },
    {
      variant: 'E1 image.pull (images.manage)',
      expect: 'A A A F F F F F K A U',
      target: (f) => ({ params: { id: f.ids.e1 }, body: { kind: 'image.pull', payload: { image: 'busybox:latest' } } }),
    },
    {
      variant: 'E3 container.start, no group',
      expect: 'A F F F F F F F K F U',
      target: (f) => ({ params: { id: f.ids.e3 }, body: { kind: 'container.start', payload: { containerId: 'web' }, ttlSeconds: 60 } }),
    },
  ],
  'GET /api/environments/:id/commands': [
    { variant: 'E1', expect: 'A A A A A A A F A A U', target: (f) => ({ params: { id: f.ids.e1 }, query: { status: 'queued', order: 'seq' } }) },
    { variant: 'E3, no group', expect: 'A F F F F F F F A F U', target: (f) => ({ params: { id: f.ids.e3 } }) },
  ],
  'GET /api/environments/:id/commands/:commandId': [
    {
      variant: 'E1',
      expect: 'A A A A A A A F A A U',
      target: async (f) => ({ params: { id: f.ids.e1, commandId: await queuedCommand(f, f.ids.e1, 'container.start') } }),
    },
  ],
  'POST /api/environments/:id/commands/:commandId/cancel': [
    {
      variant: 'E1 container.start',
      expect: 'A A A A F F A F K A U',
      target: async (f) => ({ params: { id: f.ids.e1, commandId: await queuedCommand(f, f.ids.e1, 'container.start') } }),
    },
    {
      variant: 'E1 container.remove',
      expect: 'A A A F F F F F K A U',
      target: async (f) => ({ params: { id: f.ids.e1, commandId: await queuedCommand(f, f.ids.e1, 'container.remove') } }),
    },
  ],
  'POST /api/environments/:id/commands/:commandId/retry': [
    {
      variant: 'E1 failed container.start',
      expect: 'A A A A F F A F K A U',
      target: async (f) => ({ params: { id: f.ids.e1, commandId: await failedCommand(f, f.ids.e1, 'container.start') } }),
    },
    {
      variant: 'E1 failed container.remove',
      expect: 'A A A F F F F F K A U',
      target: async (f) => ({ params: { id: f.ids.e1, commandId: await failedCommand(f, f.ids.e1, 'container.remove') } }),
    },
  ],

  // ----- edge agents ----------------------------------------------------------------- a e s o h r t n R S u
  'POST /api/environments/:id/join-tokens': [
    { variant: 'E1', expect: 'A A F F F F F F K F U', target: (f) => ({ params: { id: f.ids.e1 }, body: {} }) },
    { variant: 'E2, other environment of G1', expect: 'A F F F F F F F K F U', target: (f) => ({ params: { id: f.ids.e2 }, body: {} }) },
  ],
  'POST /api/environments/groups/:id/join-tokens': [
    // Creates environments, so it takes the global environments.create like POST /api/environments.
    { expect: 'A F F F F F F F K F U', target: (f) => ({ params: { id: f.ids.g1 }, body: {} }) },
  ],
  'GET /api/environments/:id/agents': [
    { variant: 'E1', expect: 'A A A A A A A F A A U', target: (f) => ({ params: { id: f.ids.e1 } }) },
    { variant: 'E3, no group', expect: 'A F F F F F F F A F U', target: (f) => ({ params: { id: f.ids.e3 } }) },
  ],
  'GET /api/agents/capstan-agent.js': [
    // Public code: hosts download it with the join command before they hold any credential.
    { expect: 'A A A A A A A A A A A', target: () => ({}) },
  ],
  'POST /api/agents/enrol': [
    {
      // Public: the join token in the body is the credential, whoever else is calling.
      expect: 'A A A A A A A A A A A',
      target: async (f) => ({ body: await f.newEnrolment() }),
    },
  ],
  'POST /api/agents/poll': [
    {
      // Public: the agent's signature over a single-use server nonce is the credential, whoever
      // else is calling; a poll without one is answered with a nonce to sign (polls.test.ts signs).
      expect: 'X X X X X X X X X X X',
      otherwise: { status: 401, code: 'challenge_required' },
      target: () => ({ body: { agentId: 1, protocolVersion: 1, agentVersion: '0.1.0', lastCompletedSeq: 0, accepted: [], results: [] } }),
    },
  ],
  'POST /api/agents/:id/revoke': [
    {
      variant: 'agent of an environment like E1',
      expect: 'A A F F F F F F K F U',
      target: async (f) => ({ params: { id: await f.newAgent(await f.newEnvironmentLikeE1()) } }),
    },
    {
      variant: 'agent of an environment of G1 without direct roles',
      expect: 'A F F F F F F F K F U',
      target: async (f) => ({ params: { id: await f.newAgent(await f.newEnvironmentInG1()) } }),
    },
  ],
  'POST /api/agents/:id/rotate': [
    {
      variant: 'agent of an environment like E1',
      expect: 'A A F F F F F F K F U',
      target: async (f) => ({ params: { id: await f.newAgent(await f.newEnvironmentLikeE1()) }, body: {} }),
    },
    {
      variant: 'agent of an environment of G1 without direct roles',
      expect: 'A F F F F F F F K F U',
      target: async (f) => ({ params: { id: await f.newAgent(await f.newEnvironmentInG1()) }, body: {} }),
    },
  ],

  // ----- groups and tags ------------------------------------------------------------- a e s o h r t n R S u
  'POST /api/environments/groups': [{ expect: 'A F F F F F F F K F U', target: (f) => ({ body: { name: f.uniq('group') } }) }],
  'PATCH /api/environments/groups/:id': [
    { expect: 'A F F F F F F F K F U', target: (f) => ({ params: { id: f.ids.g2 }, body: { description: f.uniq('described') } }) },
  ],
  'DELETE /api/environments/groups/:id': [
    { expect: 'A F F F F F F F K F U', target: async (f) => ({ params: { id: await f.newGroup() } }) },
  ],
  'POST /api/environments/tags': [{ expect: 'A F F F F F F F K F U', target: (f) => ({ body: { name: f.uniq('tag') } }) }],
  'DELETE /api/environments/tags/:id': [{ expect: 'A F F F F F F F K F U', target: async (f) => ({ params: { id: await f.newTag() } }) }],

  // ----- role assignments ------------------------------------------------------------ a e s o h r t n R S u
  'GET /api/roles/assignments': [
    { variant: 'all', expect: 'A F F F F F F F A F U', target: () => ({}) },
    {
      variant: 'of E1',
      expect: 'A A F F F F F F A F U',
      target: (f) => ({ query: { scopeType: 'environment', scopeId: f.ids.e1 } }),
    },
  ],
  'POST /api/roles/assignments': [
    {
      variant: 'on E1',
      expect: 'A A F F F F F F K F U',
      target: async (f) => ({
        body: { principal: { type: 'team', id: await f.newTeam([]) }, scope: { type: 'environment', id: f.ids.e1 }, role: 'operator' },
      }),
    },
    {
      variant: 'environment_admin on E1',
      expect: 'A A F F F F F F K F U',
      target: async (f) => ({
        body: { principal: { type: 'team', id: await f.newTeam([]) }, scope: { type: 'environment', id: f.ids.e1 }, role: 'environment_admin' },
      }),
    },
    {
      variant: 'on E2',
      expect: 'A F F F F F F F K F U',
      target: async (f) => ({
        body: { principal: { type: 'team', id: await f.newTeam([]) }, scope: { type: 'environment', id: f.ids.e2 }, role: 'readonly' },
      }),
    },
    {
      variant: 'on group G2',
      expect: 'A F F F F F F F K F U',
      target: async (f) => ({
        body: { principal: { type: 'team', id: await f.newTeam([]) }, scope: { type: 'group', id: f.ids.g2 }, role: 'readonly' },
      }),
    },
  ],
  'DELETE /api/roles/assignments/:id': [
    {
      variant: 'on E1',
      expect: 'A A F F F F F F K F U',
      target: async (f) => ({ params: { id: await f.newAssignment({ type: 'environment', id: f.ids.e1 }) } }),
    },
    {
      variant: 'on E2',
      expect: 'A F F F F F F F K F U',
      target: async (f) => ({ params: { id: await f.newAssignment({ type: 'environment', id: f.ids.e2 }) } }),
    },
    {
      variant: 'on group G2',
      expect: 'A F F F F F F F K F U',
      target: async (f) => ({ params: { id: await f.newAssignment({ type: 'group', id: f.ids.g2 }) } }),
    },
  ],

  // ----- registries: credentials every agent may be handed, administrators only ------- a e s o h r t n R S u
  'GET /api/registries': [{ expect: 'A F F F F F F F A F U', target: () => ({}) }],
  'GET /api/registries/:id': [{ expect: 'A F F F F F F F A F U', target: async (f) => ({ params: { id: await newRegistry(f) } }) }],
  'POST /api/registries': [
    {
      expect: 'A F F F F F F F K F U',
      target: (f) => ({ body: { name: f.uniq('registry'), host: `${f.uniq('reg')}.example.test:5000`, username: 'ci', password: 'registry password' } }),
    },
  ],
  'PATCH /api/registries/:id': [
    { expect: 'A F F F F F F F K F U', target: async (f) => ({ params: { id: await newRegistry(f) }, body: { username: 'deploy' } }) },
  ],
  'DELETE /api/registries/:id': [{ expect: 'A F F F F F F F K F U', target: async (f) => ({ params: { id: await newRegistry(f) } }) }],
  'POST /api/registries/:id/test': [
    {
      // Nothing listens on the registry's port: authorized callers get the check's own answer.
      expect: 'X F F F F F F F K F U',
      otherwise: { status: 422, code: 'registry_unreachable' },
      target: async (f) => ({ params: { id: await newRegistry(f) } }),
    },
  ],

  // ----- app templates: anyone signed in reads and renders; custom ones are administrators' a e s o h r t n R S u
  'GET /api/templates': [{ expect: 'A A A A A A A A A A U', target: () => ({}) }],
  'GET /api/templates/catalogue/status': [{ expect: 'A A A A A A A A A A U', target: () => ({}) }],
  'POST /api/templates/catalogue/refresh': [{ expect: 'A F F F F F F F K F U', target: () => ({}) }],
  'POST /api/templates': [
    { expect: 'A F F F F F F F K F U', target: (f) => ({ body: { title: f.uniq('template'), compose: 'services:\n  app:\n    image: capstan-test/busybox:latest\n' } }) },
  ],
  'GET /api/templates/:id': [
    { variant: 'catalogue', expect: 'A A A A A A A A A A U', target: () => ({ params: { id: 'static-site' } }) },
    { variant: 'custom', expect: 'A A A A A A A A A A U', target: async (f) => ({ params: { id: await newTemplate(f) } }) },
  ],
  'PATCH /api/templates/:id': [
    { variant: 'custom', expect: 'A F F F F F F F K F U', target: async (f) => ({ params: { id: await newTemplate(f) }, body: { description: 'changed' } }) },
    {
      // The catalogue is read-only for everyone; others are refused before they learn that.
      variant: 'catalogue',
      expect: 'X F F F F F F F K F U',
      otherwise: { status: 409, code: 'template_read_only' },
      target: () => ({ params: { id: 'static-site' }, body: { description: 'changed' } }),
    },
  ],
  'DELETE /api/templates/:id': [{ expect: 'A F F F F F F F K F U', target: async (f) => ({ params: { id: await newTemplate(f) } }) }],
  'POST /api/templates/:id/render': [
    // Computes only: read-only keys too.
    { expect: 'A A A A A A A A A A U', target: () => ({ params: { id: 'static-site' }, body: { variables: { PORT: 8088 } } }) },
  ],
  'POST /api/templates/:id/deploy': [
    {
      variant: 'E1',
      expect: 'A A A F F F F F K A U',
      target: (f) => ({ params: { id: 'static-site' }, body: { environmentId: f.ids.e1, name: f.uniq('site') } }),
    },
    {
      variant: 'E3, no group',
      expect: 'A F F F F F F F K F U',
      target: (f) => ({ params: { id: 'static-site' }, body: { environmentId: f.ids.e3, name: f.uniq('site') } }),
    },
  ],

  // ----- stacks: stacks.read / stacks.deploy / stacks.delete on the stack's environment  a e s o h r t n R S u
  'POST /api/stacks': [
    {
      variant: 'on E1',
      expect: 'A A A F F F F F K A U',
      target: (f) => ({ body: { name: f.uniq('stack'), environmentId: f.ids.e1, compose: 'services:\n  app:\n    image: busybox:latest\n' } }),
    },
    {
      variant: 'on E3, no group',
      expect: 'A F F F F F F F K F U',
      target: (f) => ({ body: { name: f.uniq('stack'), environmentId: f.ids.e3, compose: 'services:\n  app:\n    image: busybox:latest\n' } }),
    },
  ],
  'GET /api/stacks': [
    // Lists are filtered to what each principal sees.
    { variant: 'all', expect: 'A A A A A A A A A A U', target: () => ({}) },
    { variant: 'of E1', expect: 'A A A A A A A F A A U', target: (f) => ({ query: { environmentId: f.ids.e1 } }) },
  ],
  'GET /api/stacks/:id': [
    { variant: 'on E1', expect: 'A A A A A A A F A A U', target: async (f) => ({ params: { id: await newStack(f, f.ids.e1) } }) },
    { variant: 'on E3, no group', expect: 'A F F F F F F F A F U', target: async (f) => ({ params: { id: await newStack(f, f.ids.e3) } }) },
  ],
  'PATCH /api/stacks/:id': [
    { expect: 'A A A F F F F F K A U', target: async (f) => ({ params: { id: await newStack(f, f.ids.e1) }, body: { health: { windowSeconds: 5 } } }) },
  ],
  'DELETE /api/stacks/:id': [
    { variant: 'never deployed', expect: 'A A A F F F F F K A U', target: async (f) => ({ params: { id: await newStack(f, f.ids.e1) } }) },
    {
      variant: 'deployed (queues stack.remove)',
      expect: 'A A A F F F F F K A U',
      target: async (f) => ({ params: { id: (await deployedStack(f, f.ids.e1)).id }, query: { removeVolumes: 'true' } }),
    },
  ],
  'POST /api/stacks/:id/deploy': [
    { variant: 'on E1', expect: 'A A A F F F F F K A U', target: async (f) => ({ params: { id: await newStack(f, f.ids.e1) }, body: { pull: 'always' } }) },
    { variant: 'on E2, other environment of G1', expect: 'A F F F F F F F K F U', target: async (f) => ({ params: { id: await newStack(f, f.ids.e2) }, body: {} }) },
  ],
  'POST /api/stacks/:id/rollback': [
    {
      expect: 'A A A F F F F F K A U',
      target: async (f) => {
        const { id, versionId } = await deployedStack(f, f.ids.e1);
        return { params: { id }, body: { versionId } };
      },
    },
  ],
  'POST /api/stacks/:id/plan': [
    {
      // Computes only (against the snapshot: no agent here), so read-only keys may.
      expect: 'A A A A A A A F A A U',
      target: async (f) => {
        await putSnapshot(f, f.ids.e1);
        return { params: { id: await newStack(f, f.ids.e1) }, body: {} };
      },
    },
  ],
  'GET /api/stacks/:id/versions': [{ expect: 'A A A A A A A F A A U', target: async (f) => ({ params: { id: (await deployedStack(f, f.ids.e1)).id } }) }],
  'GET /api/stacks/:id/versions/:versionId': [
    { expect: 'A A A A A A A F A A U', target: async (f) => ({ params: await deployedStack(f, f.ids.e1) }) },
  ],
  'GET /api/stacks/:id/versions/:versionId/events': [
    // A finished version: the stream sends its final status and ends.
    { expect: 'A A A A A A A F A A U', target: async (f) => ({ params: await deployedStack(f, f.ids.e1) }) },
  ],
  'POST /api/environments/:id/stacks/adopt': [
    {
      variant: 'E1',
      expect: 'A A A F F F F F K A U',
      target: async (f) => {
        const projectName = f.uniq('legacy');
        await putSnapshot(f, f.ids.e1, [projectName]);
        return { params: { id: f.ids.e1 }, body: { projectName } };
      },
    },
    {
      variant: 'E3, no group',
      expect: 'A F F F F F F F K F U',
      target: async (f) => {
        const projectName = f.uniq('legacy');
        await putSnapshot(f, f.ids.e3, [projectName]);
        return { params: { id: f.ids.e3 }, body: { projectName } };
      },
    },
  ],

  // ----- Git stacks: stacks.read / stacks.deploy on the stack's environment; the webhook is signed, not authenticated
  'POST /api/stacks/:id/git': [
    {
      variant: 'on E1',
      expect: 'A A A F F F F F K A U',
      target: async (f) => ({ params: { id: await newStack(f, f.ids.e1) }, body: { url: (await sharedGitRepo()).url, pollIntervalSeconds: 0 } }),
    },
    {
      variant: 'on E2, other environment of G1',
      expect: 'A F F F F F F F K F U',
      target: async (f) => ({ params: { id: await newStack(f, f.ids.e2) }, body: { url: (await sharedGitRepo()).url, pollIntervalSeconds: 0 } }),
    },
  ],
  'GET /api/stacks/:id/git': [{ expect: 'A A A A A A A F A A U', target: async (f) => ({ params: { id: (await gitStack(f, f.ids.e1)).stackId } }) }],
  'PATCH /api/stacks/:id/git': [
    { expect: 'A A A F F F F F K A U', target: async (f) => ({ params: { id: (await gitStack(f, f.ids.e1)).stackId }, body: { pollIntervalSeconds: 0 } }) },
  ],
  'DELETE /api/stacks/:id/git': [{ expect: 'A A A F F F F F K A U', target: async (f) => ({ params: { id: (await gitStack(f, f.ids.e1)).stackId } }) }],
  'POST /api/stacks/:id/git/sync': [
    { expect: 'A A A F F F F F K A U', target: async (f) => ({ params: { id: (await gitStack(f, f.ids.e1)).stackId }, body: {} }) },
  ],
  'POST /api/git-sources/:id/webhook': [
    {
      // Public: the signature is the credential, whoever else is calling.
      variant: 'signed with the secret',
      expect: 'A A A A A A A A A A A',
      target: async (f) => {
        const body = { ref: 'refs/heads/main' };
        return { params: { id: (await gitStack(f, f.ids.e1)).sourceId }, body, headers: { 'x-hub-signature-256': signWebhook(MATRIX_WEBHOOK_SECRET, JSON.stringify(body)) } };
      },
    },
    {
      variant: 'signed with another secret',
      expect: 'X X X X X X X X X X X',
      otherwise: { status: 401, code: 'webhook_signature_invalid' },
      target: async (f) => {
        const body = { ref: 'refs/heads/main' };
        return { params: { id: (await gitStack(f, f.ids.e1)).sourceId }, body, headers: { 'x-hub-signature-256': signWebhook('not the secret', JSON.stringify(body)) } };
      },
    },
  ],

  // ----- operations of the instance -------------------------------------------------- a e s o h r t n R S u
  'GET /api/audit': [{ expect: 'A F F F F F F F A F U', target: () => ({}) }],
  'GET /metrics': [{ expect: 'A F F F F F F F A F U', target: () => ({}) }],
};

// ---------------------------------------------------------------------------------------------
// Fixture
// ---------------------------------------------------------------------------------------------

interface Fixture {
  h: Harness;
  accounts: Record<AccountName, Account>;
  principals: Record<PrincipalName, Principal>;
  ids: { e1: number; e2: number; e3: number; g1: number; g2: number; t1: number; scratchTeam: number };
  uniq(prefix: string): string;
  relogin(a: Account): Promise<void>;
  newUser(): Promise<number>;
  newTeam(memberIds: number[]): Promise<number>;
  newGroup(): Promise<number>;
  newTag(): Promise<number>;
  newKey(owner: Account): Promise<number>;
  newEnvironmentLikeE1(): Promise<number>;
  newEnvironmentInG1(): Promise<number>;
  /** A valid enrolment body: a fresh environment's join token and a fresh key pair. */
  newEnrolment(): Promise<{ token: string; publicKey: string; hostname: string; agentVersion: string }>;
  /** An agent enrolled in the environment; answers its id. */
  newAgent(environmentId: number): Promise<number>;
  newAssignment(scope: { type: 'environment' | 'group'; id: number }): Promise<number>;
}

const DIRECT_ROLES: ReadonlyArray<[AccountName, string]> = [
  ['envadmin', 'environment_admin'],
  ['standard', 'standard_user'],
  ['operator', 'operator'],
  ['helpdesk', 'helpdesk'],
  ['readonly', 'readonly'],
];

async function buildFixture(dialect: TestDialect): Promise<Fixture> {
  const h = await createHarness(dialect);
  let counter = 0;
  const uniq = (prefix: string): string => `${prefix}-${++counter}`;

  const send = async (c: Call, status: number): Promise<any> => {
    const r = await h.call(c);
    expect(r.status, `fixture call ${c.method} ${c.url}: ${JSON.stringify(r.body)}`).toBe(status);
    return r.body;
  };

  const adminToken = await h.setupAdmin();
  const me = await send({ method: 'GET', url: '/api/auth/me', token: adminToken }, 200);
  const list: Array<[AccountName, Account]> = [
    ['admin', { id: me.user.id as number, username: ADMIN.username, password: ADMIN.password, token: adminToken }],
  ];
  for (const username of ['envadmin', 'standard', 'operator', 'helpdesk', 'readonly', 'teamop', 'norole', 'spare', 'pwtarget'] as const) {
    const u = await h.user(adminToken, username);
    list.push([username, { id: u.id, username, password: `${username}-password-123`, token: u.token }]);
  }
  const accounts = Object.fromEntries(list) as Record<AccountName, Account>;
  const asAdmin = (c: Omit<Call, 'token' | 'apiKey'>, status: number): Promise<any> => send({ ...c, token: accounts.admin.token }, status);

  const grant = async (
    principal: { type: 'user' | 'team'; id: number },
    scope: { type: 'environment' | 'group'; id: number },
    role: string,
  ): Promise<number> => (await asAdmin({ method: 'POST', url: '/api/roles/assignments', body: { principal, scope, role } }, 201)).id;

  const g1 = (await asAdmin({ method: 'POST', url: '/api/environments/groups', body: { name: 'G1' } }, 201)).id as number;
  const g2 = (await asAdmin({ method: 'POST', url: '/api/environments/groups', body: { name: 'G2' } }, 201)).id as number;
  const e1 = (await asAdmin({ method: 'POST', url: '/api/environments', body: { name: 'E1', groupId: g1 } }, 201)).id as number;
  const e2 = (await asAdmin({ method: 'POST', url: '/api/environments', body: { name: 'E2', groupId: g1 } }, 201)).id as number;
  const e3 = (await asAdmin({ method: 'POST', url: '/api/environments', body: { name: 'E3' } }, 201)).id as number;
  for (const [name, role] of DIRECT_ROLES) await grant({ type: 'user', id: accounts[name].id }, { type: 'environment', id: e1 }, role);
  const t1 = (await asAdmin({ method: 'POST', url: '/api/teams', body: { name: 'T1', memberIds: [accounts.teamop.id] } }, 201)).id as number;
  await grant({ type: 'team', id: t1 }, { type: 'group', id: g1 }, 'operator');
  const scratchTeam = (await asAdmin({ method: 'POST', url: '/api/teams', body: { name: 'scratch' } }, 201)).id as number;

  const roKey = (await send({ method: 'POST', url: '/api/api-keys', token: adminToken, body: { name: 'dashboard', readOnly: true } }, 201))
    .key as string;
  const fullKey = (await send({ method: 'POST', url: '/api/api-keys', token: accounts.standard.token, body: { name: 'ci' } }, 201))
    .key as string;

  const session = (name: PrincipalName, account: Account): Principal => ({
    name,
    kind: 'session',
    account,
    credentials: () => ({ token: account.token }),
  });
  const principals: Record<PrincipalName, Principal> = {
    admin: session('admin', accounts.admin),
    envAdmin: session('envAdmin', accounts.envadmin),
    standard: session('standard', accounts.standard),
    operator: session('operator', accounts.operator),
    helpdesk: session('helpdesk', accounts.helpdesk),
    readonly: session('readonly', accounts.readonly),
    teamOperator: session('teamOperator', accounts.teamop),
    noRole: session('noRole', accounts.norole),
    adminReadOnlyKey: { name: 'adminReadOnlyKey', kind: 'api_key', account: accounts.admin, credentials: () => ({ apiKey: roKey }) },
    standardFullKey: { name: 'standardFullKey', kind: 'api_key', account: accounts.standard, credentials: () => ({ apiKey: fullKey }) },
    anonymous: { name: 'anonymous', kind: 'none', account: null, credentials: () => ({}) },
  };

  const enrolment = async (environmentId: number) => {
    const { token } = await asAdmin({ method: 'POST', url: `/api/environments/${environmentId}/join-tokens`, body: {} }, 201);
    const publicKey = generateKeyPairSync('ed25519').publicKey.export({ format: 'pem', type: 'spki' }).toString();
    return { token: token as string, publicKey, hostname: uniq('host'), agentVersion: '0.1.0' };
  };

  const newTeam = async (memberIds: number[]): Promise<number> =>
    (await asAdmin({ method: 'POST', url: '/api/teams', body: { name: uniq('throwaway-team'), memberIds } }, 201)).id;

  return {
    h,
    accounts,
    principals,
    ids: { e1, e2, e3, g1, g2, t1, scratchTeam },
    uniq,
    async relogin(a) {
      a.token = (await send({ method: 'POST', url: '/api/auth/login', body: { username: a.username, password: a.password } }, 200)).token;
    },
    async newUser() {
      return (await asAdmin({ method: 'POST', url: '/api/users', body: { username: uniq('throwaway-user'), password: 'throwaway password' } }, 201)).id;
    },
    newTeam,
    async newGroup() {
      return (await asAdmin({ method: 'POST', url: '/api/environments/groups', body: { name: uniq('throwaway-group') } }, 201)).id;
    },
    async newTag() {
      return (await asAdmin({ method: 'POST', url: '/api/environments/tags', body: { name: uniq('throwaway-tag') } }, 201)).id;
    },
    async newKey(owner) {
      return (await send({ method: 'POST', url: '/api/api-keys', token: owner.token, body: { name: uniq('throwaway-key') } }, 201)).id;
    },
    /** A new environment in G1 with the same direct grants as E1. */
    async newEnvironmentLikeE1() {
      const id = (await asAdmin({ method: 'POST', url: '/api/environments', body: { name: uniq('throwaway-env'), groupId: g1 } }, 201))
        .id as number;
      for (const [name, role] of DIRECT_ROLES) await grant({ type: 'user', id: accounts[name].id }, { type: 'environment', id }, role);
      return id;
    },
    /** A new environment in G1 with no direct grants (reached only through the group). */
    async newEnvironmentInG1() {
      return (await asAdmin({ method: 'POST', url: '/api/environments', body: { name: uniq('throwaway-env'), groupId: g1 } }, 201)).id as number;
    },
    newEnrolment: async () => enrolment((await asAdmin({ method: 'POST', url: '/api/environments', body: { name: uniq('agent-env') } }, 201)).id),
    async newAgent(environmentId) {
      return (await send({ method: 'POST', url: '/api/agents/enrol', body: await enrolment(environmentId) }, 201)).agentId as number;
    },
    /** A fresh team granted readonly on `scope`; answers the assignment id. */
    async newAssignment(scope) {
      return grant({ type: 'team', id: await newTeam([]) }, scope, 'readonly');
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Running the matrix
// ---------------------------------------------------------------------------------------------

function routeKey(method: string, url: string): string {
  return `${method} ${url}`;
}

function splitKey(key: string): { method: Call['method']; url: string } {
  const space = key.indexOf(' ');
  return { method: key.slice(0, space) as Call['method'], url: key.slice(space + 1) };
}

function parseCells(key: string, c: Case): Cell[] {
  const cells = c.expect.trim().split(/\s+/);
  if (cells.length !== COLUMNS.length) throw new Error(`${key} [${c.variant ?? ''}]: ${cells.length} cells, want ${COLUMNS.length}`);
  for (const cell of cells) if (!(CELLS as readonly string[]).includes(cell)) throw new Error(`${key}: unknown cell "${cell}"`);
  if (cells.includes('X') && !c.otherwise) throw new Error(`${key}: X cells need "otherwise"`);
  return cells as Cell[];
}

/** The URL for `template` with its `:params` filled in (every one given, none extra). */
function fillUrl(template: string, t: Target): string {
  const params = t.params ?? {};
  const used = new Set<string>();
  const path = template.replace(/:([A-Za-z]+)/g, (_m, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`${template}: no value for :${name}`);
    used.add(name);
    return encodeURIComponent(String(value));
  });
  const extra = Object.keys(params).filter((k) => !used.has(k));
  if (extra.length > 0) throw new Error(`${template}: unknown params ${extra.join(', ')}`);
  const query = new URLSearchParams(Object.entries(t.query ?? {}).map(([k, v]): [string, string] => [k, String(v)])).toString();
  return query ? `${path}?${query}` : path;
}

/** The cell an answer is (one letter), or a description of an answer that is none of them. */
function classify(res: Answer, c: Case): string {
  if (res.status >= 200 && res.status < 300) return 'A';
  const problem = typeof res.body === 'object' && res.body !== null ? (res.body as { code?: unknown; detail?: unknown }) : {};
  const code = typeof problem.code === 'string' ? problem.code : '(no code)';
  for (const [cell, r] of Object.entries(REFUSALS)) if (res.status === r.status && code === r.code) return cell;
  if (c.otherwise && res.status === c.otherwise.status && code === c.otherwise.code) return 'X';
  return `${res.status} ${code}${typeof problem.detail === 'string' ? ` (${problem.detail})` : ''}`;
}

const SUMMARY_LETTER: Record<Cell, string> = { A: 'A', F: '-', K: '-', U: '-', X: '*' };

describe.each(DIALECTS)('role matrix (%s)', (dialect) => {
  let f: Fixture;

  beforeAll(async () => {
    f = await buildFixture(dialect);
  });
  afterAll(async () => {
    await f?.h.close();
    await closeSharedGitRepo();
  });

  it('has exactly one row per route: no route without expectations, no row without a route', () => {
    const routes = f.h.app.routes.map((r) => routeKey(r.method, r.url));
    const rows = Object.keys(MATRIX);
    expect(new Set(routes).size, 'duplicate routes').toBe(routes.length);
    expect({
      routesWithoutRow: routes.filter((r) => !rows.includes(r)),
      rowsWithoutRoute: rows.filter((r) => !routes.includes(r)),
    }).toEqual({ routesWithoutRow: [], rowsWithoutRoute: [] });
    for (const [key, cases] of Object.entries(MATRIX)) {
      expect(cases.length, `${key} has no case`).toBeGreaterThan(0);
      for (const c of cases) parseCells(key, c);
    }
  });

  it('lists exactly the environments each principal can see', async () => {
    const { e1, e2, e3 } = f.ids;
    const want: Partial<Record<PrincipalName, number[]>> = {
      admin: [e1, e2, e3],
      envAdmin: [e1],
      standard: [e1],
      operator: [e1],
      helpdesk: [e1],
      readonly: [e1],
      teamOperator: [e1, e2],
      noRole: [],
      adminReadOnlyKey: [e1, e2, e3],
      standardFullKey: [e1],
    };
    const got: Partial<Record<PrincipalName, number[]>> = {};
    for (const name of Object.keys(want) as PrincipalName[]) {
      const r = await f.h.call({ method: 'GET', url: '/api/environments?limit=1000', ...f.principals[name].credentials() });
      expect(r.status, `${name}: ${JSON.stringify(r.body)}`).toBe(200);
      const ids = (r.body.items as Array<{ id: number }>).map((e) => e.id).sort((x, y) => x - y);
      expect(r.body.total, `${name}: total`).toBe(ids.length);
      got[name] = ids;
    }
    expect(got).toEqual(want);
    // Filters never widen what a principal sees.
    const byGroup = await f.h.call({ method: 'GET', url: `/api/environments?groupId=${f.ids.g1}`, token: f.accounts.envadmin.token });
    expect((byGroup.body.items as Array<{ id: number }>).map((e) => e.id)).toEqual([e1]);
    const none = await f.h.call({ method: 'GET', url: `/api/environments?groupId=${f.ids.g1}`, token: f.accounts.norole.token });
    expect(none.body).toMatchObject({ items: [], total: 0 });
  });

  it('answers every principal as the matrix says on every operation', async () => {
    const mismatches: string[] = [];
    const lines: string[] = [];
    const label = (key: string, c: Case): string => `${key}${c.variant ? ` [${c.variant}]` : ''}`;
    const width = Math.max(...Object.entries(MATRIX).flatMap(([key, cases]) => cases.map((c) => label(key, c).length)));

    for (const [key, cases] of Object.entries(MATRIX)) {
      const { method, url } = splitKey(key);
      for (const c of cases) {
        const cells = parseCells(key, c);
        const letters: string[] = [];
        const wrong: string[] = [];
        for (const [i, column] of COLUMNS.entries()) {
          const want = cells[i]!;
          const p = f.principals[column.name];
          const t = await c.target(f, p);
          const res = await f.h.call({
            method,
            url: fillUrl(url, t),
            ...(t.body !== undefined ? { body: t.body } : {}),
            ...(t.headers ? { headers: t.headers } : {}),
            ...p.credentials(),
          });
          const got = classify(res, c);
          letters.push(got.length === 1 ? SUMMARY_LETTER[got as Cell] : '?');
          if (got !== want) {
            wrong.push(`${column.letter}:${got.length === 1 ? got : '?'}`);
            const wantText = want === 'A' ? '2xx' : want === 'X' ? `${c.otherwise?.status} ${c.otherwise?.code}` : `${REFUSALS[want].status} ${REFUSALS[want].code}`;
            mismatches.push(`${label(key, c)} as ${column.name}: want ${want} (${wantText}), got ${got.length === 1 ? `${got} (${res.status} ${String(res.body?.code ?? '')})` : got}`);
          }
          await c.after?.(f, p, res, t);
        }
        lines.push(`${label(key, c).padEnd(width)}  ${letters.join(' ')}${wrong.length ? `   MISMATCH (want ${c.expect}) ${wrong.join(' ')}` : ''}`);
      }
    }

    console.log(
      [
        `Role matrix on ${dialect}: A allowed (2xx), - refused (401/403), * passed authorization but the operation answers otherwise, ? neither`,
        ...COLUMNS.map((col) => `  ${col.letter} = ${col.who}`),
        `${''.padEnd(width)}  ${COLUMNS.map((col) => col.letter).join(' ')}`,
        ...lines,
      ].join('\n'),
    );

    expect(mismatches, 'cells that differ from the matrix').toEqual([]);
    // Every mutating call above, allowed or refused, left an audit record.
    await f.h.expectAllAudited();
    // Some thousand calls: about a minute on a busy 2-core machine, so more than the default minute.
  }, 180_000);
});
