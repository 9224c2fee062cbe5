// `deploy:` without a swarm, as docker-compose 1.29 applies it to plain containers: resources limits
// and reservations, replicas, restart_policy → restart. The swarm-only parts are warned about (they
// do not change what runs on a single engine). The service-level `mem_limit`, `mem_reservation`,
// `cpus`, `pids_limit` and `scale` land in the same fields.
import { noResources } from './defaults.ts';
import type { ServiceSpec } from './model.ts';
import {
  asInt,
  asMap,
  asNumber,
  asString,
  describe,
  eachKey,
  fail,
  sub,
  warn,
  type Ctx,
  type KeyRule,
} from './reader.ts';
import { readBytes } from './units.ts';
import type { Pos, YNode } from './yaml-positions.ts';

type Resources = ServiceSpec['limits'];

export interface DeployResult {
  limits: Resources;
  reservations: Resources;
  /** null: not set here (1 unless `scale`). */
  replicas: number | null;
  maxPerNode: number | null;
  /** From restart_policy, in `restart:` syntax. */
  restart: string | null;
  restartPos: Pos | null;
}

const SWARM = 'is a swarm setting and is ignored on a single engine';
const DEPLOY_RULES: Record<string, KeyRule> = {
  labels: { level: 'warning', message: `${SWARM}: put container labels under the service's labels` },
  update_config: {
    level: 'warning',
    message: `${SWARM}: Capstan replaces changed containers one service at a time`,
  },
  rollback_config: { level: 'warning', message: `${SWARM}: Capstan rolls back through stack versions` },
  endpoint_mode: { level: 'warning', message: `${SWARM}` },
};

/** Reads `deploy:`. */
export function readDeploy(ctx: Ctx, node: YNode, path: string): DeployResult {
  const out: DeployResult = {
    limits: noResources(),
    reservations: noResources(),
    replicas: null,
    maxPerNode: null,
    restart: null,
    restartPos: null,
  };
  const map = asMap(ctx, node, path);
  if (map === undefined) return out;
  eachKey(
    ctx,
    map,
    path,
    ['mode', 'replicas', 'resources', 'restart_policy', 'placement'],
    DEPLOY_RULES,
    (key, value) => {
      const p = sub(path, key);
      if (key === 'mode') {
        const s = asString(ctx, value, p);
        if (s === 'global')
          warn(
            ctx,
            value.pos,
            p,
            `${p}: global means one container per swarm node; on one engine the service runs one container`,
          );
        else if (s !== undefined && s !== 'replicated')
          fail(ctx, value.pos, p, `${p} must be replicated or global, not ${describe(value)}`);
      } else if (key === 'replicas') out.replicas = asInt(ctx, value, p, 0, 100) ?? null;
      else if (key === 'resources') readResources(ctx, value, p, out);
      else if (key === 'restart_policy') readRestartPolicy(ctx, value, p, out);
      else readPlacement(ctx, value, p, out);
    },
  );
  if (map.entries.some((e) => e.key === 'mode' && e.value.kind === 'scalar' && e.value.value === 'global'))
    out.replicas = null;
  return out;
}

function readResources(ctx: Ctx, node: YNode, path: string, out: DeployResult): void {
  const map = asMap(ctx, node, path);
  if (map === undefined) return;
  eachKey(ctx, map, path, ['limits', 'reservations'], {}, (key, value) => {
    const p = sub(path, key);
    const target = key === 'limits' ? out.limits : out.reservations;
    const m = asMap(ctx, value, p);
    if (m === undefined) return;
    const rules: Record<string, KeyRule> =
      key === 'limits'
        ? {}
        : {
            devices: {
              level: 'error',
              message: 'device reservations (GPUs) are not supported yet: remove devices',
            },
            generic_resources: { level: 'error', message: `${SWARM}: remove generic_resources` },
            pids: { level: 'error', message: 'pids can only be limited: move it to resources.limits' },
          };
    const keys = key === 'limits' ? ['cpus', 'memory', 'pids'] : ['cpus', 'memory'];
    eachKey(ctx, m, p, keys, rules, (k, v) => {
      const kp = sub(p, k);
      if (k === 'cpus') target.cpus = readCpus(ctx, v, kp);
      else if (k === 'memory') target.memoryBytes = readBytes(ctx, v, kp) ?? null;
      else target.pids = asInt(ctx, v, kp, 0, Number.MAX_SAFE_INTEGER) ?? null;
    });
  });
}

/** Reads a CPU count ("0.5" or 0.5), at most nine decimals as the engine counts nano-CPUs. */
export function readCpus(ctx: Ctx, node: YNode, path: string): number | null {
  const n = asNumber(ctx, node, path);
  if (n === undefined) return null;
  if (Math.abs(Math.round(n * 1e9) - n * 1e9) > 1e-3) {
    fail(ctx, node.pos, path, `${path} must have nine or fewer digits after the decimal point`);
    return null;
  }
  return n;
}

function readRestartPolicy(ctx: Ctx, node: YNode, path: string, out: DeployResult): void {
  const map = asMap(ctx, node, path);
  if (map === undefined) return;
  let condition = 'any';
  let attempts = 0;
  const rules: Record<string, KeyRule> = {
    delay: {
      level: 'warning',
      message: 'the delay between restarts is chosen by the engine; this is ignored',
    },
    window: { level: 'warning', message: `${SWARM}` },
  };
  eachKey(ctx, map, path, ['condition', 'max_attempts'], rules, (key, value) => {
    const p = sub(path, key);
    if (key === 'condition') {
      const s = asString(ctx, value, p);
      if (s === 'none' || s === 'on-failure' || s === 'any') condition = s;
      else if (s !== undefined)
        fail(ctx, value.pos, p, `${p} must be none, on-failure or any, not ${describe(value)}`);
    } else attempts = asInt(ctx, value, p, 0, 1_000_000) ?? 0;
  });
  out.restart =
    condition === 'any'
      ? 'always'
      : condition === 'none'
        ? 'no'
        : attempts > 0
          ? `on-failure:${attempts}`
          : 'on-failure';
  out.restartPos = map.pos;
}

function readPlacement(ctx: Ctx, node: YNode, path: string, out: DeployResult): void {
  const map = asMap(ctx, node, path);
  if (map === undefined) return;
  const rules: Record<string, KeyRule> = {
    constraints: {
      level: 'warning',
      message: `${SWARM}: choose the environment when deploying the stack instead`,
    },
    preferences: { level: 'warning', message: `${SWARM}` },
  };
  eachKey(ctx, map, path, ['max_replicas_per_node'], rules, (_key, value) => {
    out.maxPerNode = asInt(ctx, value, sub(path, 'max_replicas_per_node'), 0, 100) ?? null;
  });
}
