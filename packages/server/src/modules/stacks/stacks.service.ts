// Stacks: create, read, settings and delete. Deploys and rollbacks are stacks.deploy.ts, plans
// stacks.plan.ts, adoption stacks.adopt.ts; command outcomes land through stacks.outcomes.ts.
import type {
  ComposeIssue,
  ComposeProject,
  CreatedStack,
  CreateStack,
  DeleteStackQuery,
  Permission,
  PlanStack,
  Stack,
  StackFile,
  StackListQuery,
  StackPage,
  StackRemoval,
  StackVariableInput,
  StackVersion,
  StackVersionList,
  UpdateStack,
} from '@capstan/protocol';
import type { Kysely } from 'kysely';
import type { MainDatabase } from '../../db/schema.ts';
import { AppError, notFound } from '../../errors.ts';
import type { RequestContext } from '../../http/context.ts';
import { requirePrincipal } from '../../http/context.ts';
import type { AccessService } from '../access/access.service.ts';
import type { AuditService } from '../audit/audit.service.ts';
import type { CommandsService } from '../commands/commands.service.ts';
import type { Publish } from '../events/events.hub.ts';
import type { SnapshotsService } from '../snapshots/snapshots.service.ts';
import { MAIN_FILE, type StackContent } from './stacks.content.ts';
import { mergeVariables, type PlainVariable } from './stacks.policy.ts';
import { presentStack, presentStackSummary, presentVersion, presentVersionSummary } from './stacks.present.ts';
import type { StackRow, StacksRepository } from './stacks.repository.ts';
import type { RegistryAuthResolver } from './registry-auth.ts';

/** What the stack services share. */
export interface StacksDeps {
  db: Kysely<MainDatabase>;
  repo: StacksRepository;
  content: StackContent;
  access: AccessService;
  audit: AuditService;
  commands: CommandsService;
  snapshots: SnapshotsService;
  registryAuth: RegistryAuthResolver;
  /** Whether the environment's agent is connected now and runs commands. */
  isLive(environmentId: number): boolean;
  now(): Date;
  /** Change notices (live events): a stack or one of its versions changed. */
  publish: Publish;
}

/** The part of a stack every operation starts from: loaded, and the caller allowed `permission` on its environment. */
export async function loadStack(deps: Pick<StacksDeps, 'repo' | 'access'>, ctx: RequestContext, id: number, permission: Permission): Promise<StackRow> {
  const p = requirePrincipal(ctx);
  const row = await deps.repo.get(id);
  if (!row) {
    // Like environments: only administrators learn that an id does not exist.
    if (p.isAdmin) throw notFound('stack', id);
    throw new AppError('forbidden', `you have no role on the environment of stack ${id}`, { permission });
  }
  await deps.access.authorize(p, permission, Number(row.environmentId));
  ctx.permission = permission;
  return row;
}

/** A stack being deleted takes no deploy, rollback or settings change. */
export function requireActive(row: StackRow): void {
  if (row.state === 'removing') {
    throw new AppError('conflict', `stack ${row.id} is being removed (command ${row.removeCommandId ?? '?'}): wait for it to finish`, { stackId: Number(row.id) });
  }
}

/** `mergeVariables` on a request body's variables; AppError validation_failed naming the first problem (all in `issues`). */
function mergeBodyVariables(current: readonly PlainVariable[], input: readonly StackVariableInput[]): PlainVariable[] {
  const merged = mergeVariables(current, input);
  if ('problems' in merged) throw new AppError('validation_failed', `body.${merged.problems[0]?.path}: ${merged.problems[0]?.message}`, { issues: merged.problems });
  return merged.variables;
}

/** What a deploy or plan runs: the compose file, extra files and variables (secrets opened), parsed. */
export interface ProposedContent {
  compose: string;
  files: StackFile[];
  variables: PlainVariable[];
  project: ComposeProject;
  warnings: ComposeIssue[];
}

/**
 * The content a deploy or plan of `stack` works on: the stack's stored content with whatever `body`
 * gives instead (variables merged over the stored ones). AppError when the stack was adopted (no
 * compose file) and `body` gives none; `verb` names the operation in that message.
 */
export function proposedContent(
  deps: Pick<StacksDeps, 'content'>,
  stack: StackRow,
  body: Pick<PlanStack, 'compose' | 'files' | 'variables'>,
  verb: 'deploy' | 'plan',
): ProposedContent {
  const current = deps.content.openVariables(Number(stack.environmentId), stack.projectName, stack.variables);
  const variables = body.variables ? mergeBodyVariables(current, body.variables) : current;
  const compose = body.compose ?? stack.compose;
  if (compose === null) {
    const id = Number(stack.id);
    throw new AppError('conflict', `stack ${id} was adopted and Capstan does not have its compose file: ${verb} with "compose" in the body`, { stackId: id });
  }
  const files = body.files ?? deps.content.files(stack.files);
  const { project, warnings } = deps.content.parse({ projectName: stack.projectName, compose, files, variables });
  return { compose, files, variables, project, warnings };
}

/** The fields every newly inserted stack row starts with: active, never deployed, created by `userId` at `at`. */
export function newStackState(userId: number, at: string) {
  return { currentVersionId: null, state: 'active', removeCommandId: null, removeError: null, createdBy: userId, createdAt: at, updatedAt: at } as const;
}

/** A warning when the host runs a compose project of the same name that no stack manages. */
export async function unmanagedProjectWarning(deps: Pick<StacksDeps, 'snapshots'>, environmentId: number, projectName: string): Promise<ComposeIssue[]> {
  const view = await deps.snapshots.latest(environmentId).catch(() => null);
  if (!view?.snapshot.composeProjects.some((p) => p.name === projectName)) return [];
  return [
    {
      severity: 'warning',
      file: MAIN_FILE,
      line: null,
      column: null,
      path: '',
      message: `a compose project "${projectName}" already runs on this host: deploying takes over its containers (to keep them as they are, adopt it with POST /api/environments/${environmentId}/stacks/adopt instead)`,
    },
  ];
}

/** Create, list, read, settings, versions and delete of stacks. */
export class StacksService {
  readonly #d: StacksDeps;

  constructor(deps: StacksDeps) {
    this.#d = deps;
  }

  /** Creates a stack (not deployed); the route authorized stacks.deploy on the environment. */
  async create(ctx: RequestContext, body: CreateStack): Promise<CreatedStack> {
    const d = this.#d;
    const principal = requirePrincipal(ctx);
    const projectName = body.name.toLowerCase();
    const variables = mergeBodyVariables([], body.variables);
    const { project, warnings } = d.content.parse({ projectName, compose: body.compose, files: body.files, variables });
    warnings.push(...(await unmanagedProjectWarning(d, body.environmentId, projectName)));
    const at = d.now().toISOString();
    const row = await d.audit.transact(ctx, async (trx, audit) => {
      const taken = await d.repo.byProject(body.environmentId, projectName, trx);
      if (taken) throw new AppError('conflict', `environment ${body.environmentId} has a stack "${taken.name}" (id ${taken.id}) already: its project name is "${projectName}"; choose another name`);
      const created = await d.repo.insertStack(trx, {
        environmentId: body.environmentId,
        name: body.name,
        projectName,
        source: body.source,
        compose: body.compose,
        files: JSON.stringify(body.files),
        variables: d.content.sealVariables(body.environmentId, projectName, variables),
        healthWindowSeconds: body.health.windowSeconds,
        onFailure: body.health.onFailure,
        ...newStackState(principal.userId, at),
      });
      audit.targetType = 'stack';
      audit.targetId = String(created.id);
      // Names only: variable values (secret or not) stay out of the audit log. Details a calling
      // feature set already (template deploys) are kept.
      audit.details = {
        ...audit.details,
        environmentId: body.environmentId,
        name: body.name,
        projectName,
        source: body.source,
        services: Object.keys(project.services),
        files: body.files.map((f) => f.name),
        variables: variables.map((v) => ({ name: v.name, secret: v.secret })),
        health: body.health,
      };
      return created;
    });
    d.publish({ type: 'stack', environmentId: body.environmentId, stackId: Number(row.id) });
    return { ...presentStack(row, null), warnings };
  }

  /** Stacks the caller may see (every role that sees an environment holds stacks.read on it). */
  async list(ctx: RequestContext, q: StackListQuery): Promise<StackPage> {
    const principal = requirePrincipal(ctx);
    if (q.environmentId !== undefined) await this.#d.access.authorize(principal, 'stacks.read', q.environmentId);
    const visible = q.environmentId !== undefined ? null : await this.#d.access.visibility(principal);
    const { items, total } = await this.#d.repo.list(q, visible);
    const latest = await this.#d.repo.latestVersions(items.map((r) => Number(r.id)));
    return { items: items.map((r) => presentStackSummary(r, latest.get(Number(r.id)) ?? null)), total, limit: q.limit, offset: q.offset };
  }

  /** One stack with its content (secret values masked). */
  async get(ctx: RequestContext, id: number): Promise<Stack> {
    const row = await loadStack(this.#d, ctx, id, 'stacks.read');
    return this.present(row);
  }

  /** The API view of a stored stack. */
  async present(row: StackRow): Promise<Stack> {
    const latest = await this.#d.repo.latestVersions([Number(row.id)]);
    return presentStack(row, latest.get(Number(row.id)) ?? null);
  }

  /** Changes the stack's settings (health gate); they apply from the next deploy. */
  async update(ctx: RequestContext, id: number, body: UpdateStack): Promise<Stack> {
    const d = this.#d;
    const found = await loadStack(d, ctx, id, 'stacks.deploy');
    requireActive(found);
    const row = await d.audit.transact(ctx, async (trx, audit) => {
      const health = {
        windowSeconds: body.health?.windowSeconds ?? Number(found.healthWindowSeconds),
        onFailure: body.health?.onFailure ?? found.onFailure,
      };
      audit.targetType = 'stack';
      audit.details = { environmentId: Number(found.environmentId), name: found.name, health };
      const updated = await d.repo.update(trx, id, { healthWindowSeconds: health.windowSeconds, onFailure: health.onFailure, updatedAt: d.now().toISOString() });
      if (!updated) throw notFound('stack', id);
      return updated;
    });
    d.publish({ type: 'stack', environmentId: Number(found.environmentId), stackId: id });
    return this.present(row);
  }

  /**
   * Deletes a stack: its containers and networks (and volumes when asked) are removed by a
   * stack.remove command, and the stack with its versions goes when that succeeds. A stack that
   * never ran a deploy goes at once.
   */
  async remove(ctx: RequestContext, id: number, q: DeleteStackQuery): Promise<StackRemoval> {
    const d = this.#d;
    const found = await loadStack(d, ctx, id, 'stacks.delete');
    requireActive(found);
    const principal = requirePrincipal(ctx);
    const environmentId = Number(found.environmentId);
    const deployedEver = found.currentVersionId !== null || (await d.repo.latestVersions([id])).has(id);
    const command = await d.audit.transact(ctx, async (trx, audit) => {
      audit.targetType = 'stack';
      audit.details = { environmentId, name: found.name, projectName: found.projectName, removeVolumes: q.removeVolumes };
      if (!deployedEver) {
        await d.repo.delete(trx, id);
        audit.details.commandId = null;
        return null;
      }
      const command = await d.commands.enqueueInternal(trx, {
        environmentId,
        kind: 'stack.remove',
        payload: { projectName: found.projectName, removeVolumes: q.removeVolumes },
        createdBy: principal.userId,
        by: principal.username,
      });
      await d.repo.update(trx, id, { state: 'removing', removeCommandId: command.id, removeError: null, updatedAt: d.now().toISOString() });
      audit.details.commandId = command.id;
      return command;
    });
    if (command) d.commands.announce(environmentId, [command]);
    d.publish({ type: 'stack', environmentId, stackId: id });
    return { stackId: id, commandId: command?.id ?? null, removed: command === null };
  }

  /** The stack's versions, newest first, without their content. */
  async versions(ctx: RequestContext, id: number): Promise<StackVersionList> {
    await loadStack(this.#d, ctx, id, 'stacks.read');
    return { items: (await this.#d.repo.versions(id)).map(presentVersionSummary) };
  }

  /** One version with its content (secret values masked). */
  async version(ctx: RequestContext, id: number, versionId: number): Promise<StackVersion> {
    await loadStack(this.#d, ctx, id, 'stacks.read');
    const row = await this.#d.repo.version(id, versionId);
    if (!row) throw notFound('stack version', versionId);
    return presentVersion(row);
  }
}
