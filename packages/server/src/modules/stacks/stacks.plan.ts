// Plans: what deploying the stack's content (or proposed content) would change. Computed by the
// agent against the live engine when it is connected (a stack.plan command, awaited), else by the
// same pure planner here against the environment's last snapshot, marked basis "snapshot".
import { planStack, projectStateFromSnapshot, type EnvironmentSnapshotView, type PlanStack, type StackPlanAnswer, type StackPlanPayload, type StackTarget } from '@capstan/protocol';
import { AppError } from '../../errors.ts';
import type { RequestContext } from '../../http/context.ts';
import { requirePrincipal } from '../../http/context.ts';
import { redactSecrets } from '../commands/commands.policy.ts';
import { loadStack, proposedContent, type StacksDeps } from './stacks.service.ts';
import { planFromOutput, secretValues } from './stacks.policy.ts';

/** How long a live plan may take before the snapshot plan answers instead. */
export const LIVE_PLAN_TIMEOUT_MS = 30_000;

/** Computes plans. */
export class StackPlanner {
  readonly #d: StacksDeps;
  readonly #timeoutMs: number;

  constructor(deps: StacksDeps, timeoutMs = LIVE_PLAN_TIMEOUT_MS) {
    this.#d = deps;
    this.#timeoutMs = timeoutMs;
  }

  /** The plan for the stack's content, or for the content in `body` (not stored). */
  async plan(ctx: RequestContext, id: number, body: PlanStack): Promise<StackPlanAnswer> {
    const d = this.#d;
    const stack = await loadStack(d, ctx, id, 'stacks.read');
    const environmentId = Number(stack.environmentId);
    const { variables, project, warnings } = proposedContent(d, stack, body, 'plan');
    // A plan makes no version; the planner does not read the id, the schema wants one.
    const target: StackTarget = { stackId: id, versionId: Number(stack.currentVersionId ?? 1), project, imagePins: {} };
    const secrets = secretValues(variables);

    let liveUnavailable: string;
    if (d.isLive(environmentId)) {
      const live = await this.#live(ctx, environmentId, stack.projectName, target, body.pull, secrets);
      if ('plan' in live) return { plan: redactSecrets(live.plan, secrets), liveUnavailable: null, warnings };
      liveUnavailable = live.reason;
    } else {
      liveUnavailable = `the agent of environment ${environmentId} is not connected`;
    }

    const view = await this.#snapshot(environmentId, liveUnavailable);
    const planned = planStack(projectStateFromSnapshot(view.snapshot, stack.projectName), target, {
      basis: 'snapshot',
      computedAt: d.now().toISOString(),
      pull: body.pull ? 'always' : 'missing',
    });
    return {
      plan: redactSecrets(planned.plan, secrets),
      liveUnavailable: `${liveUnavailable}: planned against the last snapshot (taken ${view.takenAt})${view.snapshot.truncated ? ', which is incomplete' : ''}`,
      warnings,
    };
  }

  /** Asks the agent (a stack.plan command that expires unrun after the wait) and waits for its answer. */
  async #live(ctx: RequestContext, environmentId: number, projectName: string, target: StackTarget, pull: boolean, secrets: string[]): Promise<{ plan: NonNullable<ReturnType<typeof planFromOutput>> } | { reason: string }> {
    const d = this.#d;
    const principal = requirePrincipal(ctx);
    const images = [...new Set(Object.values(target.project.services).map((s) => s.image))].sort();
    const registryAuth = pull ? await d.registryAuth(environmentId, images) : [];
    const payload: StackPlanPayload = { target, pull, registryAuth };
    const ttlSeconds = Math.max(1, Math.ceil(this.#timeoutMs / 1000));
    const command = await d.audit.transact(ctx, async (trx, audit) => {
      const row = await d.commands.enqueueInternal(trx, {
        environmentId,
        kind: 'stack.plan',
        payload,
        summary: { stackId: target.stackId, projectName, pull },
        redact: [...secrets, ...registryAuth.map((r) => r.password).filter((p) => p !== '')],
        createdBy: principal.userId,
        by: principal.username,
        ttlSeconds,
      });
      audit.targetType = 'stack';
      audit.targetId = String(target.stackId);
      audit.details = { environmentId, commandId: row.id, pull };
      return row;
    });
    d.commands.announce(environmentId, [command]);
    const done = await d.commands.whenFinished(environmentId, command.id, this.#timeoutMs);
    if (!done) return { reason: `the agent did not answer the plan within ${Math.round(this.#timeoutMs / 1000)} s` };
    const plan = done.status === 'succeeded' ? planFromOutput(done.output) : null;
    if (plan) return { plan };
    let why = '';
    try {
      const e = JSON.parse(done.error ?? 'null') as { message?: unknown } | null;
      if (typeof e?.message === 'string') why = `: ${e.message}`;
    } catch {
      // no detail
    }
    return { reason: done.status === 'succeeded' ? 'the agent answered the plan with something unreadable' : `the agent's plan ended ${done.status}${why}` };
  }

  async #snapshot(environmentId: number, why: string): Promise<EnvironmentSnapshotView> {
    try {
      return await this.#d.snapshots.latest(environmentId);
    } catch (err) {
      if (err instanceof AppError && err.code === 'snapshot_not_found') {
        throw new AppError('plan_unavailable', `no plan can be made: ${why}, and it has never reported its engine state; connect the agent and try again`, { environmentId });
      }
      throw err;
    }
  }
}
