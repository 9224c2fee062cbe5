// stack.plan: the plan against the live engine, changing nothing. With a pull check, each unpinned
// tag's registry digest is asked for (through the engine, with the image's registry credentials),
// so tags that moved in the registry show as image updates.
import { parseImageReference, planStack, serviceImageReference, type StackPlanPayload, type StackPlan, type StackStep } from '@capstan/protocol';
import { liveProjectState } from './live-state.ts';
import { registryDigest } from './pull.ts';
import type { StackRuntime } from './deploy.ts';

/** What stack.plan reports. */
export interface StackPlanOutput {
  readonly plan: StackPlan;
  readonly steps: StackStep[];
}

/** Plans `payload.target` against the engine now. */
export async function planLive(rt: StackRuntime, payload: StackPlanPayload): Promise<StackPlanOutput> {
  const { target } = payload;
  const registryDigests: Record<string, string> = {};
  if (payload.pull) {
    const refs = new Set(Object.values(target.project.services).filter((s) => s.replicas > 0).map((s) => serviceImageReference(target, s)));
    for (const ref of [...refs].sort()) {
      if (parseImageReference(ref).digest !== null || /^sha256:/.test(ref)) continue;
      try {
        registryDigests[ref] = await registryDigest(rt.engine, ref, payload.registryAuth);
      } catch (err) {
        rt.progress({ type: 'message', level: 'warn', text: `cannot check ${ref} for updates: ${(err as Error).message}`.slice(0, 4096) });
      }
    }
  }
  const state = await liveProjectState(rt.engine, target.project.name);
  const now = (rt.now ?? (() => new Date()))();
  return planStack(state, target, { basis: 'live', computedAt: now.toISOString(), pull: payload.pull ? 'always' : 'missing', registryDigests });
}
