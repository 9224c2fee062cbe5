// Authorization decision cost, in process: the pure decide() policy, and AccessService.authorize()
// against a real (seeded) store with 1,000 vs 100,000 users' grants cached.
// Run by bench.ts as a forked child (with --expose-gc); standalone:
//   node --expose-gc packages/server/bench/authz.ts <seeded data dir>
import { PERMISSIONS, ROLE_NAMES, type Permission, type RoleName } from '@capstan/protocol';
import { openStore } from '../src/db/store.ts';
import type { Principal } from '../src/http/context.ts';
import {
  decide,
  type EnvironmentRef,
  type Grants,
  type Subject,
} from '../src/modules/access/access.policy.ts';
import { AccessRepository } from '../src/modules/access/access.repository.ts';
import { AccessService } from '../src/modules/access/access.service.ts';
import { AuditRepository } from '../src/modules/audit/audit.repository.ts';
import { AuditService } from '../src/modules/audit/audit.service.ts';
import { answerOnce, mean, median, percentile } from './lib.ts';
import { pick, rng } from './random.ts';

export interface AuthzResult {
  population: { users: number; environments: number; roleAssignments: number };
  decide: Array<{ name: string; nsPerCheck: number }>;
  authorize: {
    /** First authorize() of a user whose grants are not cached (one SQL query), µs. */
    uncached: { samples: number; p50Us: number; p99Us: number; meanUs: number };
    /** Loading every user's grants into the cache (scaled from the users loaded in bulk to all of them). */
    warmAll: { users: number; ms: number; heapMb: number; bytesPerUser: number };
    /** Cached, allowed checks for users drawn at random, ns per check. */
    cached1k: number;
    cached100k: number;
    /** 100,000 users cached, but calls drawn from the same 1,000 users as cached1k: the cost of the map size alone. */
    cached100kHot1k: number;
    /** cached100k / cached1k: ~1 means flat in user count. */
    ratio: number;
    /** The chosen user (50 environment roles + 2 group roles via a team), cached, allowed. */
    chosenUser: number;
    /** Cached, denied checks (authorize throws AppError), ns per check. */
    denied100k: number;
    callsPerRound: number;
    rounds: number;
  };
}

const gc = (globalThis as { gc?: () => void }).gc;
const heapUsed = () => {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
};

/** ns per call of a synchronous check, median over rounds. */
function timeSync(rounds: number, iterations: number, body: (i: number) => boolean): number {
  const results: number[] = [];
  let sink = 0;
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) if (body(i)) sink++;
    results.push(Number(process.hrtime.bigint() - t0) / iterations);
  }
  if (sink < 0) console.log(sink); // keeps the loop observable
  return median(results);
}

function decideBench(): AuthzResult['decide'] {
  const rand = rng(7);
  const environments = new Map<number, RoleName[]>();
  while (environments.size < 50) {
    environments.set(1 + Math.floor(rand() * 10_000), [pick(rand, ROLE_NAMES) ?? 'readonly']);
  }
  // One environment holds only `readonly`, for the role-lacks-permission case.
  const readonlyEnv = [...environments.keys()][0] ?? 1;
  environments.set(readonlyEnv, ['readonly']);
  const groups = new Map<number, RoleName[]>([
    [11, ['operator']],
    [12, ['helpdesk']],
  ]);
  const grants: Grants = { environments, groups };
  const user: Subject = { isAdmin: false, readOnly: false, grants };
  const admin: Subject = {
    isAdmin: true,
    readOnly: false,
    grants: { environments: new Map(), groups: new Map() },
  };
  const readOnlyKey: Subject = { isAdmin: false, readOnly: true, grants };

  const directIds = [...environments.keys()];
  const mask = 63;
  const refs = (make: (k: number) => EnvironmentRef) => Array.from({ length: mask + 1 }, (_, k) => make(k));
  // Direct grant; the environment's group (50..99) is not granted.
  const direct = refs((k) => ({ id: directIds[k % directIds.length] ?? 1, groupId: 50 + (k % 50) }));
  // Not granted directly; its group (11 or 12) is.
  const viaGroup = refs((k) => ({ id: 20_000 + k, groupId: 11 + (k % 2) }));
  // Neither.
  const none = refs((k) => ({ id: 30_000 + k, groupId: 50 + (k % 50) }));
  const readonlyRef: EnvironmentRef = { id: readonlyEnv, groupId: 99 };

  const N = 1_000_000;
  const R = 5;
  const read: Permission = 'environment.read';
  const cases: Array<[string, (i: number) => boolean]> = [
    ['admin (short-circuit)', (i) => decide(admin, read, direct[i & mask] ?? null).allowed],
    ['allowed: direct environment role', (i) => decide(user, read, direct[i & mask] ?? null).allowed],
    ['allowed: role via group (team)', (i) => decide(user, read, viaGroup[i & mask] ?? null).allowed],
    ['denied: no role on environment', (i) => decide(user, read, none[i & mask] ?? null).allowed],
    ['denied: role lacks permission', () => decide(user, 'containers.operate', readonlyRef).allowed],
    [
      'denied: read-only key, mutating',
      (i) => decide(readOnlyKey, 'containers.operate', direct[i & mask] ?? null).allowed,
    ],
    ['list route (env = null)', () => decide(user, read, null).allowed],
  ];
  if (!PERMISSIONS['containers.operate'].mutating)
    throw new Error('containers.operate is expected to be mutating');
  // Warm every case first so the JIT has seen all shapes before anything is timed.
  for (const [, body] of cases) timeSync(1, N / 5, body);
  return cases.map(([name, body]) => ({ name, nsPerCheck: timeSync(R, N, body) }));
}

/** Times decide(), then AccessService.authorize() on the seeded store in `dataDir` (≥ 1,000 users). */
export async function runAuthz(dataDir: string): Promise<AuthzResult> {
  const decideResults = decideBench();

  const store = await openStore({ dataDir });
  try {
    const { db } = store;
    const count = async (table: 'users' | 'environments' | 'roleAssignments') =>
      Number(
        (
          await db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const userRows = await db
      .selectFrom('users')
      .select(['id', 'username'])
      .where('isAdmin', '=', 0)
      .orderBy('id')
      .execute();
    const envRows = await db.selectFrom('environments').select(['id', 'groupId']).orderBy('id').execute();
    const environments = envRows.length;
    const population = {
      users: userRows.length,
      environments,
      roleAssignments: await count('roleAssignments'),
    };
    if (userRows.length < 1000 || environments === 0)
      throw new Error(
        `data dir ${dataDir} is not seeded (${userRows.length} users, ${environments} environments)`,
      );
    const groupOfEnv = new Map<number, number | null>(
      envRows.map((r) => [Number(r.id), r.groupId === null ? null : Number(r.groupId)]),
    );
    const envIds = envRows.map((r) => Number(r.id));

    // One allowed environment per user (its first direct role), and the user with the most direct roles.
    const firstEnv = new Map<number, number>();
    const directCount = new Map<number, number>();
    const direct = await db
      .selectFrom('roleAssignments')
      .select(['principalId', 'scopeId'])
      .where('principalType', '=', 'user')
      .where('scopeType', '=', 'environment')
      .orderBy('id')
      .execute();
    for (const r of direct) {
      const u = Number(r.principalId);
      if (!firstEnv.has(u)) firstEnv.set(u, Number(r.scopeId));
      directCount.set(u, (directCount.get(u) ?? 0) + 1);
    }
    let chosenId = 0;
    for (const [u, n] of directCount) if (n > (directCount.get(chosenId) ?? 0)) chosenId = u;

    const users = userRows.filter((u) => firstEnv.has(Number(u.id)));
    const userIds = Int32Array.from(users, (u) => Number(u.id));
    // A fresh principal per call, as authenticate() makes one per request.
    const principal = (i: number): Principal => ({
      userId: userIds[i] ?? 0,
      username: 'bench',
      isAdmin: false,
      authMethod: 'session',
      sessionId: null,
      apiKeyId: null,
      readOnly: false,
    });
    const allowedEnv = Int32Array.from(users, (u) => firstEnv.get(Number(u.id)) ?? 0);
    const adminPrincipal: Principal = { ...principal(0), userId: 0, isAdmin: true };

    const newService = async () => {
      // The production cache holds 20,000 users; here it holds all of them (its young generation
      // is half its bound), because this measures a decision with grants cached, not a miss.
      const svc = new AccessService(
        new AccessRepository(db),
        new AuditService(db, new AuditRepository(db, store.audit)),
        2 * userIds.length + 2,
      );
      // Cache every environment's group (the admin path still resolves the environment).
      for (const id of envIds) await svc.authorize(adminPrincipal, 'environment.read', id);
      return svc;
    };
    const rand = rng(42);
    const shuffled = Int32Array.from(userIds.keys());
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      const t = shuffled[i] ?? 0;
      shuffled[i] = shuffled[j] ?? 0;
      shuffled[j] = t;
    }

    // First (uncached) call: 200 users to warm the code path, then 1,000 timed; then everyone's grants.
    const big = await newService();
    const uncached: number[] = [];
    const UNCACHED_WARMUP = 200;
    const UNCACHED = 1000;
    for (let k = 0; k < UNCACHED_WARMUP + UNCACHED; k++) {
      const i = shuffled[k] ?? 0;
      const t0 = process.hrtime.bigint();
      await big.authorize(principal(i), 'environment.read', allowedEnv[i] ?? 0);
      if (k >= UNCACHED_WARMUP) uncached.push(Number(process.hrtime.bigint() - t0) / 1000);
    }
    uncached.sort((a, b) => a - b);
    const heapBefore = heapUsed();
    const warmStart = performance.now();
    for (let k = UNCACHED_WARMUP + UNCACHED; k < shuffled.length; k++)
      await big.grants(userIds[shuffled[k] ?? 0] ?? 0);
    const warmMs = performance.now() - warmStart;
    const heapAfter = heapUsed();
    const warmedUsers = shuffled.length - UNCACHED_WARMUP - UNCACHED;

    const small = await newService();
    const smallSet = shuffled.slice(0, 1000);
    for (const i of smallSet) await small.grants(userIds[i] ?? 0);

    const CALLS = 300_000;
    const draw = (from: Int32Array) => Int32Array.from({ length: CALLS }, () => pick(rand, from) ?? 0);
    const drawBig = draw(shuffled);
    const drawSmall = draw(smallSet);
    const timeAuthorize = async (
      svc: AccessService,
      idx: Int32Array,
      env: (i: number) => number,
      calls = idx.length,
    ) => {
      const t0 = process.hrtime.bigint();
      for (let k = 0; k < calls; k++) {
        const i = idx[k] ?? 0;
        await svc.authorize(principal(i), 'environment.read', env(i));
      }
      return Number(process.hrtime.bigint() - t0) / calls;
    };
    const allowed = (i: number) => allowedEnv[i] ?? 0;

    // Chosen user: cycles through everything it can see (direct roles and its teams' groups).
    const chosenIndex = userIds.indexOf(chosenId);
    const chosenGrants = await big.grants(chosenId);
    const chosenEnvs = envIds.filter((e) => {
      const g = groupOfEnv.get(e);
      return (
        chosenGrants.environments.has(e) || (g !== null && g !== undefined && chosenGrants.groups.has(g))
      );
    });
    const chosenIdx = new Int32Array(CALLS).fill(chosenIndex);
    const chosenEnv = (() => {
      let k = 0;
      return () => chosenEnvs[k++ % chosenEnvs.length] ?? 0;
    })();

    // Denied: an environment neither granted directly nor through a granted group.
    const deniedEnv = new Int32Array(userIds.length);
    for (let i = 0; i < userIds.length; i++) {
      const g = await big.grants(userIds[i] ?? 0);
      let e = 0;
      do {
        e = pick(rand, envIds) ?? 0;
      } while (g.environments.has(e) || g.groups.has(groupOfEnv.get(e) ?? -1));
      deniedEnv[i] = e;
    }
    const timeDenied = async (calls: number) => {
      const t0 = process.hrtime.bigint();
      let denied = 0;
      for (let k = 0; k < calls; k++) {
        const i = drawBig[k] ?? 0;
        try {
          await big.authorize(principal(i), 'environment.read', deniedEnv[i] ?? 0);
        } catch {
          denied++;
        }
      }
      if (denied !== calls) throw new Error(`expected ${calls} denials, got ${denied}`);
      return Number(process.hrtime.bigint() - t0) / calls;
    };

    // Warm-up, then interleaved rounds so drift hits both sizes alike.
    await timeAuthorize(small, drawSmall, allowed, 50_000);
    await timeAuthorize(big, drawBig, allowed, 50_000);
    await timeAuthorize(big, chosenIdx, chosenEnv, 50_000);
    await timeDenied(5_000);
    const ROUNDS = 5;
    const r1k: number[] = [];
    const r100k: number[] = [];
    const r100kHot: number[] = [];
    const rChosen: number[] = [];
    const rDenied: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      r1k.push(await timeAuthorize(small, drawSmall, allowed));
      r100k.push(await timeAuthorize(big, drawBig, allowed));
      r100kHot.push(await timeAuthorize(big, drawSmall, allowed));
      rChosen.push(await timeAuthorize(big, chosenIdx, chosenEnv));
      rDenied.push(await timeDenied(30_000));
    }
    const cached1k = median(r1k);
    const cached100k = median(r100k);
    return {
      population,
      decide: decideResults,
      authorize: {
        uncached: {
          samples: uncached.length,
          p50Us: percentile(uncached, 50),
          p99Us: percentile(uncached, 99),
          meanUs: mean(uncached),
        },
        warmAll: {
          users: userIds.length,
          ms: (warmMs * userIds.length) / warmedUsers,
          heapMb: ((heapAfter - heapBefore) * userIds.length) / warmedUsers / 1048576,
          bytesPerUser: (heapAfter - heapBefore) / warmedUsers,
        },
        cached1k,
        cached100k,
        cached100kHot1k: median(r100kHot),
        ratio: cached100k / cached1k,
        chosenUser: median(rChosen),
        denied100k: median(rDenied),
        callsPerRound: CALLS,
        rounds: ROUNDS,
      },
    };
  } finally {
    await store.close();
  }
}

// Forked by bench.ts: the data dir comes over IPC. Standalone: from argv, result printed as JSON.
if (process.send) {
  answerOnce((msg: { dataDir: string }) => runAuthz(msg.dataDir), true);
} else if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const dir = process.argv[2];
  if (!dir) {
    process.stderr.write('usage: node --expose-gc packages/server/bench/authz.ts <seeded data dir>\n');
    process.exit(2);
  }
  console.log(JSON.stringify(await runAuthz(dir), null, 2));
}
