// stack.deploy: pull what the target needs, plan against the engine as it then is, apply, watch
// health for the stack's window, and on failure go back to the previous target (exactly, by its
// pinned images) or only report, as the stack says.
import {
  networkRecreationRefusal,
  planStack,
  serviceImageReference,
  type CommandProgressEvent,
  type RegistryAuth,
  type StackDeployPayload,
  type StackDeployResult,
  type StackPlan,
  type StackTarget,
} from '@capstan/protocol';
import type { EngineConnector } from '../engine/engine-connector.ts';
import { applySteps, StepError } from './apply.ts';
import { watchHealth, type GateFailure } from './health-gate.ts';
import { liveProjectState } from './live-state.ts';
import { usedImageDigest } from './pull.ts';
import { prepareStackFiles, saveLastTarget, stackPaths } from './stack-files.ts';

/** What stack executors need from the agent. */
export interface StackRuntime {
  readonly engine: EngineConnector;
  readonly stateDir: string;
  readonly progress: (event: CommandProgressEvent) => void;
  readonly now?: () => Date;
  /** What `~` in bind sources stands for (default: the agent's home directory). */
  readonly homeDir?: string;
  /** Longest wait for a depends_on condition (default 5 min). */
  readonly dependencyTimeoutMs?: number;
  /** Poll interval of waits and the health gate (default 250 / 500 ms). */
  readonly pollMs?: number;
}

/** One reconciliation's outcome. */
interface Applied {
  readonly plan: StackPlan;
  readonly imageDigests: Record<string, string>;
}

/** A reconciliation that failed part-way (or, `untouched`, refused before changing anything), with what it had planned. */
class ApplyFailure extends Error {
  readonly failure: GateFailure;
  readonly plan: StackPlan | null;
  readonly untouched: boolean;
  constructor(failure: GateFailure, plan: StackPlan | null, untouched = false) {
    super(failure.reason);
    this.failure = failure;
    this.plan = plan;
    this.untouched = untouched;
  }
}

/** Throws an untouched ApplyFailure when the plan would need a project network recreated. */
function refuseNetworkRecreation(plan: StackPlan): void {
  const refusal = networkRecreationRefusal(plan);
  if (refusal !== null) throw new ApplyFailure({ service: null, reason: refusal }, plan, true);
}

const nowOf = (rt: StackRuntime): Date => (rt.now ?? (() => new Date()))();

/** Service → the digest (or image id) its containers were created from. */
async function digestsOf(engine: EngineConnector, target: StackTarget): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const s of Object.values(target.project.services).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (s.replicas === 0) continue;
    const digest = await usedImageDigest(engine, serviceImageReference(target, s));
    if (digest) out[s.name] = digest;
  }
  return out;
}

/** Pulls, re-plans against the engine after the pulls, applies. Throws ApplyFailure. */
async function reconcile(rt: StackRuntime, target: StackTarget, pull: 'always' | 'missing', registryAuth: readonly RegistryAuth[]): Promise<Applied> {
  const paths = stackPaths(rt.stateDir, target.project.name);
  let plan: StackPlan | null = null;
  try {
    const files = prepareStackFiles(paths, target.project);
    const ctx = {
      engine: rt.engine,
      target,
      workingDir: paths.workingDir,
      files,
      registryAuth,
      progress: rt.progress,
      ...(rt.dependencyTimeoutMs !== undefined ? { dependencyTimeoutMs: rt.dependencyTimeoutMs } : {}),
      ...(rt.pollMs !== undefined ? { pollMs: rt.pollMs } : {}),
      ...(rt.homeDir !== undefined ? { homeDir: rt.homeDir } : {}),
    };
    const before = await liveProjectState(rt.engine, target.project.name);
    const first = planStack(before, target, { basis: 'live', computedAt: nowOf(rt).toISOString(), pull });
    refuseNetworkRecreation(first.plan);
    const pulls = first.steps.filter((s) => s.kind === 'pull-image');
    await applySteps(ctx, pulls);
    // Image ids may have moved with the pulls: plan the containers against the engine as it is now.
    const state = pulls.length > 0 ? await liveProjectState(rt.engine, target.project.name) : before;
    const planned = planStack(state, target, { basis: 'live', computedAt: nowOf(rt).toISOString(), pull: 'never' });
    plan = planned.plan;
    refuseNetworkRecreation(plan);
    await applySteps(ctx, planned.steps);
    return { plan, imageDigests: await digestsOf(rt.engine, target) };
  } catch (err) {
    if (err instanceof ApplyFailure) throw err;
    const service = err instanceof StepError ? err.service : null;
    throw new ApplyFailure({ service, reason: (err as Error).message.slice(0, 4096) }, plan);
  }
}

const emptyPlan = (rt: StackRuntime): StackPlan => ({ services: [], networks: [], volumes: [], basis: 'live', computedAt: nowOf(rt).toISOString(), noop: true });

/**
 * Deploys `payload.target` and reports a StackDeployResult: `deployed`; `rolled_back` when it or
 * its health gate failed and the previous target was redeployed; `failed` otherwise (including a
 * rollback that failed too). The last accepted target is kept in the stack's folder.
 */
export async function deployStack(rt: StackRuntime, payload: StackDeployPayload): Promise<StackDeployResult> {
  const started = Date.now();
  const { target, previous, health } = payload;
  const paths = stackPaths(rt.stateDir, target.project.name);
  saveLastTarget(paths, { target, pull: payload.pull, health, acceptedAt: nowOf(rt).toISOString() });
  let plan: StackPlan = emptyPlan(rt);
  let imageDigests: Record<string, string> = {};
  let failure: GateFailure | null = null;
  let untouched = false;
  try {
    const applied = await reconcile(rt, target, payload.pull, payload.registryAuth);
    plan = applied.plan;
    imageDigests = applied.imageDigests;
    if (health.windowMs > 0) {
      rt.progress({ type: 'message', level: 'info', text: `watching health for ${health.windowMs} ms` });
      failure = await watchHealth(rt.engine, target, health.windowMs, rt.progress, rt.pollMs);
    }
  } catch (err) {
    if (!(err instanceof ApplyFailure)) throw err;
    failure = err.failure;
    plan = err.plan ?? plan;
    untouched = err.untouched;
  }
  const result = (outcome: StackDeployResult['outcome'], why: GateFailure | null): StackDeployResult => ({
    outcome,
    plan,
    imageDigests,
    failure: why ? { service: why.service, reason: why.reason.slice(0, 4096) } : null,
    durationMs: Math.max(0, Date.now() - started),
  });
  if (failure === null) return result('deployed', null);
  rt.progress({ type: 'message', level: 'error', text: `deploy failed: ${failure.reason}`.slice(0, 4096) });
  // A refused deploy changed nothing: there is nothing to roll back.
  if (health.onFailure !== 'rollback' || previous === null || untouched) return result('failed', failure);

  rt.progress({ type: 'message', level: 'warn', text: `rolling back to version ${previous.versionId}` });
  try {
    // The previous version exactly: its pins, images pulled only when the engine lacks them.
    await reconcile(rt, previous, 'missing', payload.registryAuth);
  } catch (err) {
    const reason = err instanceof ApplyFailure ? err.failure.reason : (err as Error).message;
    return result('failed', { service: failure.service, reason: `${failure.reason}; the rollback to version ${previous.versionId} failed too: ${reason}` });
  }
  saveLastTarget(paths, { target: previous, pull: 'missing', health, acceptedAt: nowOf(rt).toISOString() });
  return result('rolled_back', failure);
}
