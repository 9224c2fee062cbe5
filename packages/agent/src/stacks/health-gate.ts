// The health gate after a deploy: for a window, every container of the target must stay up (not
// unhealthy, not restarting over and over, not exited), else the deploy failed and says why.
import type { CommandProgressEvent, StackTarget } from '@capstan/protocol';
import type { EngineConnector } from '../engine/engine-connector.ts';
import { serviceContainers, type InspectedState } from './apply.ts';

/** Why the gate failed. */
export interface GateFailure {
  readonly service: string | null;
  readonly reason: string;
}

/** Restarts within the window that count as "restarting repeatedly". */
const MAX_RESTARTS = 2;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Services that others depend on with service_completed_successfully: they may exit 0. */
function oneShots(target: StackTarget): Set<string> {
  const out = new Set<string>();
  for (const s of Object.values(target.project.services)) {
    for (const [dep, d] of Object.entries(s.dependsOn)) if (d.condition === 'service_completed_successfully') out.add(dep);
  }
  return out;
}

/** A problem with one container now, or null. */
export function containerProblem(c: InspectedState, restartsSinceStart: number, mayComplete: boolean): string | null {
  if (c.health === 'unhealthy') return `${c.name} is unhealthy${c.lastHealthOutput ? `: ${c.lastHealthOutput}` : ''}`;
  if (restartsSinceStart >= MAX_RESTARTS) return `${c.name} restarted ${restartsSinceStart} times`;
  if (c.status === 'exited' || c.status === 'dead') {
    if (c.exitCode === 0 && mayComplete) return null;
    return `${c.name} exited with code ${c.exitCode}`;
  }
  return null;
}

/** Longest the gate waits past its window for a healthcheck still `starting` to give a verdict. */
export const MAX_VERDICT_WAIT_MS = 10 * 60_000;

/**
 * Watches the target's containers for `windowMs` (polling every `pollMs`); resolves null when all
 * stayed up and every healthcheck reports healthy at the end, else the first failure found. A
 * healthcheck still `starting` when the window ends (a start period or interval longer than the
 * window) is waited for until it gives a verdict, at most as long as that healthcheck can take.
 */
export async function watchHealth(
  engine: EngineConnector,
  target: StackTarget,
  windowMs: number,
  progress: (event: CommandProgressEvent) => void,
  pollMs = 500,
): Promise<GateFailure | null> {
  const project = target.project.name;
  const services = Object.values(target.project.services).filter((s) => s.replicas > 0);
  const completes = oneShots(target);
  const firstRestarts = new Map<string, number>();
  const lastStatus = new Map<string, string>();
  const deadline = Date.now() + windowMs;
  let verdictBy: number | null = null;
  for (;;) {
    const now = Date.now();
    const final = now >= deadline;
    let pending: { service: string; name: string; until: number } | null = null;
    for (const s of services) {
      const containers = await serviceContainers(engine, project, s.name);
      if (containers.length < s.replicas) return { service: s.name, reason: `${s.name} has ${containers.length} of ${s.replicas} containers` };
      for (const c of containers) {
        if (!firstRestarts.has(c.id)) firstRestarts.set(c.id, c.restartCount);
        const status = c.health ?? c.status;
        if (lastStatus.get(c.id) !== status) {
          lastStatus.set(c.id, status);
          progress({ type: 'health', service: s.name.slice(0, 256), status: status.slice(0, 64), detail: c.name.slice(0, 1024) });
        }
        const problem = containerProblem(c, c.restartCount - (firstRestarts.get(c.id) ?? c.restartCount), completes.has(s.name));
        if (problem) return { service: s.name, reason: problem };
        if (final && c.health === 'starting') {
          const until = deadline + Math.min(c.healthVerdictMs ?? 0, MAX_VERDICT_WAIT_MS);
          if (!pending || until > pending.until) pending = { service: s.name, name: c.name, until };
        }
      }
    }
    if (!final) {
      await sleep(Math.min(pollMs, Math.max(0, deadline - Date.now())));
      continue;
    }
    if (!pending) return null;
    verdictBy ??= pending.until;
    if (now >= verdictBy) return { service: pending.service, reason: `${pending.name} did not become healthy within ${verdictBy - deadline + windowMs} ms` };
    await sleep(pollMs);
  }
}
