// Adoption: a compose project already running on a host (found by its labels in the latest
// snapshot) becomes a stack without touching it. Capstan cannot rebuild the compose file from a
// snapshot, so the stack starts without one (compose null) and version 1 records what ran instead:
// per service its containers with their config labels, and the image digests the snapshot knows.
// The first deploy with a compose file takes the project over.
import { StackNameSchema, type AdoptStack, type Stack } from '@capstan/protocol';
import { AppError } from '../../errors.ts';
import type { RequestContext } from '../../http/context.ts';
import { requirePrincipal } from '../../http/context.ts';
import { newStackState, type StacksDeps } from './stacks.service.ts';
import { adoptedDigests, adoptedProject, adoptionNote, projectNameOf } from './stacks.policy.ts';
import { presentStack } from './stacks.present.ts';

/** Health settings an adopted stack starts with (as POST /api/stacks defaults them). */
const DEFAULT_HEALTH = { windowSeconds: 10, onFailure: 'rollback' } as const;

/** Turns running compose projects into stacks. */
export class StackAdopter {
  readonly #d: StacksDeps;

  constructor(deps: StacksDeps) {
    this.#d = deps;
  }

  /** Adopts `body.projectName` of the environment's snapshot; the route authorized stacks.deploy there. */
  async adopt(ctx: RequestContext, environmentId: number, body: AdoptStack): Promise<Stack> {
    const d = this.#d;
    const principal = requirePrincipal(ctx);
    // Until a stack exists, a refusal is about the environment.
    if (ctx.audit) {
      ctx.audit.targetType = 'environment';
      ctx.audit.targetId = String(environmentId);
      ctx.audit.details = { projectName: body.projectName };
    }
    const name = body.name ?? body.projectName;
    const problem = !StackNameSchema.safeParse(name).success
      ? `"${name}" cannot be a stack name (letters, digits, _ and -): give "name"`
      : projectNameOf(name) !== body.projectName
        ? `the stack's name must be the project name "${body.projectName}" (in any letter case): the name is how deploys find the project`
        : null;
    if (problem) throw new AppError('validation_failed', `body.name: ${problem}`, { issues: [{ location: 'body', path: 'name', message: problem }] });

    const view = await d.snapshots.latest(environmentId);
    const project = adoptedProject(view.snapshot, body.projectName);
    if (!project) {
      const names = view.snapshot.composeProjects.map((p) => p.name);
      throw new AppError(
        'not_found',
        `environment ${environmentId} runs no compose project "${body.projectName}" (snapshot taken ${view.takenAt}); ${names.length ? `it runs: ${names.join(', ')}` : 'it runs none'}`,
        { resource: 'compose project', id: body.projectName },
      );
    }
    const at = d.now().toISOString();
    const row = await d.audit.transact(ctx, async (trx, audit) => {
      const taken = await d.repo.byProject(environmentId, body.projectName, trx);
      if (taken) throw new AppError('conflict', `project "${body.projectName}" is stack ${taken.id} ("${taken.name}") already`, { stackId: Number(taken.id) });
      const stack = await d.repo.insertStack(trx, {
        environmentId,
        name,
        projectName: body.projectName,
        source: 'adopted',
        compose: null,
        files: '[]',
        variables: '[]',
        healthWindowSeconds: DEFAULT_HEALTH.windowSeconds,
        onFailure: DEFAULT_HEALTH.onFailure,
        ...newStackState(principal.userId, at),
      });
      const version = await d.repo.insertVersion(trx, {
        stackId: Number(stack.id),
        number: 1,
        kind: 'adopt',
        rollbackOf: null,
        compose: null,
        files: '[]',
        variables: '[]',
        imagePins: '{}',
        imageDigests: JSON.stringify(adoptedDigests(view.snapshot, project)),
        pull: null,
        gitCommit: null,
        createdBy: principal.userId,
        createdByName: principal.username,
        createdAt: at,
        // Nothing was deployed: it is recorded as the state that runs.
        status: 'deployed',
        reason: adoptionNote(project),
        commandId: null,
        plan: null,
        adopted: JSON.stringify(project),
        finishedAt: at,
      });
      const adopted = await d.repo.update(trx, Number(stack.id), { currentVersionId: Number(version.id) });
      audit.targetType = 'stack';
      audit.targetId = String(stack.id);
      audit.details = {
        environmentId,
        name,
        projectName: body.projectName,
        services: Object.keys(project.services),
        containers: Object.values(project.services).reduce((n, list) => n + list.length, 0),
        snapshotTakenAt: view.takenAt,
      };
      return { stack: adopted ?? stack, version };
    });
    d.publish({ type: 'stack', environmentId, stackId: Number(row.stack.id) });
    return presentStack(row.stack, row.version);
  }
}
