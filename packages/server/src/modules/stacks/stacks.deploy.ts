// Deploys and rollbacks: each makes a new immutable version and queues one stack.deploy command
// (target, the previous deployed version to fall back to, registry credentials, health gate).
import type { ComposeIssue, ComposeProject, DeployedVersion, DeployStack, RollbackStack, StackDeployPayload, StackFile, StackTarget } from '@capstan/protocol';
import { AppError, notFound } from '../../errors.ts';
import type { RequestContext } from '../../http/context.ts';
import { requirePrincipal } from '../../http/context.ts';
import type { CommandRow } from '../commands/commands.repository.ts';
import { loadStack, proposedContent, requireActive, unmanagedProjectWarning, type StacksDeps } from './stacks.service.ts';
import { secretValues, type PlainVariable } from './stacks.policy.ts';
import { presentVersion } from './stacks.present.ts';
import type { StackRow, VersionRow } from './stacks.repository.ts';

/** The content and pins one new version is made of. */
interface VersionSpec {
  kind: 'deploy' | 'rollback';
  rollbackOf: VersionRow | null;
  compose: string;
  files: StackFile[];
  variables: PlainVariable[];
  project: ComposeProject;
  warnings: ComposeIssue[];
  imagePins: Record<string, string>;
  pull: 'always' | 'missing';
  gitCommit: string | null;
  /** The stack's stored content changes to this version's. */
  contentChanged: boolean;
}

/** Makes versions and queues their stack.deploy commands. */
export class StackDeployer {
  readonly #d: StacksDeps;

  constructor(deps: StacksDeps) {
    this.#d = deps;
  }

  /** Deploys the stack's content, or new content given in `body` (which becomes the stack's); answers the queued version. */
  async deploy(ctx: RequestContext, id: number, body: DeployStack): Promise<DeployedVersion> {
    const d = this.#d;
    const stack = await loadStack(d, ctx, id, 'stacks.deploy');
    requireActive(stack);
    const environmentId = Number(stack.environmentId);
    const { compose, files, variables, project, warnings } = proposedContent(d, stack, body, 'deploy');
    if (stack.currentVersionId === null && stack.source !== 'adopted') warnings.push(...(await unmanagedProjectWarning(d, environmentId, stack.projectName)));
    return this.#queue(ctx, stack, {
      kind: 'deploy',
      rollbackOf: null,
      compose,
      files,
      variables,
      project,
      warnings,
      imagePins: {},
      pull: body.pull,
      gitCommit: body.gitCommit ?? null,
      contentChanged: body.compose !== undefined || body.files !== undefined || body.variables !== undefined,
    });
  }

  /** Deploys a copy of a stored version with its image digests pinned; answers the queued version. */
  async rollback(ctx: RequestContext, id: number, body: RollbackStack): Promise<DeployedVersion> {
    const d = this.#d;
    const stack = await loadStack(d, ctx, id, 'stacks.deploy');
    requireActive(stack);
    const source = await d.repo.version(id, body.versionId);
    if (!source) throw notFound('stack version', body.versionId);
    if (source.compose === null) {
      throw new AppError('conflict', `version ${source.number} was adopted: Capstan does not have the compose file it ran with, so it cannot be deployed again`, { versionId: Number(source.id) });
    }
    const environmentId = Number(stack.environmentId);
    const variables = d.content.openVariables(environmentId, stack.projectName, source.variables);
    const files = d.content.files(source.files);
    const { project, warnings } = d.content.parse({ projectName: stack.projectName, compose: source.compose, files, variables });
    const digests = JSON.parse(source.imageDigests) as Record<string, string>;
    return this.#queue(ctx, stack, {
      kind: 'rollback',
      rollbackOf: source,
      compose: source.compose,
      files,
      variables,
      project,
      warnings,
      imagePins: Object.keys(digests).length > 0 ? digests : (JSON.parse(source.imagePins) as Record<string, string>),
      pull: 'missing',
      gitCommit: source.gitCommit,
      contentChanged: true,
    });
  }

  /** The last deployed version as a deploy target (its digests pinned), or null (none, or adopted). */
  #previousTarget(stack: StackRow, previous: VersionRow | undefined): StackTarget | null {
    if (!previous || previous.compose === null) return null;
    const environmentId = Number(stack.environmentId);
    try {
      const variables = this.#d.content.openVariables(environmentId, stack.projectName, previous.variables);
      const { project } = this.#d.content.parse({ projectName: stack.projectName, compose: previous.compose, files: this.#d.content.files(previous.files), variables });
      return { stackId: Number(stack.id), versionId: Number(previous.id), project, imagePins: JSON.parse(previous.imageDigests) as Record<string, string> };
    } catch {
      // It parsed when it was deployed; a parser that changed since must not block a new deploy.
      return null;
    }
  }

  async #queue(ctx: RequestContext, stack: StackRow, spec: VersionSpec): Promise<DeployedVersion> {
    const d = this.#d;
    const principal = requirePrincipal(ctx);
    const stackId = Number(stack.id);
    const environmentId = Number(stack.environmentId);
    const previousRow = stack.currentVersionId === null ? undefined : await d.repo.version(stackId, Number(stack.currentVersionId));
    const previous = this.#previousTarget(stack, previousRow);
    const images = [...new Set(Object.values(spec.project.services).map((s) => spec.imagePins[s.name] ?? s.image))].sort();
    const registryAuth = await d.registryAuth(environmentId, images);
    const sealedVariables = d.content.sealVariables(environmentId, stack.projectName, spec.variables);
    const at = d.now().toISOString();
    // Rows this deploy queued or ended, announced (and published) once it committed.
    const changed: CommandRow[] = [];

    const version = await d.audit.transact(ctx, async (trx, audit) => {
      const locked = await d.repo.lock(trx, stackId, at);
      if (!locked) throw notFound('stack', stackId);
      requireActive(locked);
      const number = await d.repo.nextVersionNumber(trx, stackId);
      // A deploy still waiting to be sent is pointless now: this one replaces it.
      const superseded: number[] = [];
      for (const waiting of await d.repo.queuedVersions(trx, stackId)) {
        const row = await d.commands.supersede(trx, environmentId, waiting.commandId ?? '', { by: principal.username, replacedBy: number });
        if (row) {
          changed.push(row);
          superseded.push(Number(waiting.number));
        }
      }
      if (spec.contentChanged) {
        await d.repo.update(trx, stackId, { compose: spec.compose, files: JSON.stringify(spec.files), variables: sealedVariables, updatedAt: at });
      }
      const inserted = await d.repo.insertVersion(trx, {
        stackId,
        number,
        kind: spec.kind,
        rollbackOf: spec.rollbackOf ? Number(spec.rollbackOf.id) : null,
        compose: spec.compose,
        files: JSON.stringify(spec.files),
        variables: sealedVariables,
        imagePins: JSON.stringify(spec.imagePins),
        imageDigests: '{}',
        pull: spec.pull,
        gitCommit: spec.gitCommit,
        createdBy: principal.userId,
        createdByName: principal.username,
        createdAt: at,
        status: 'queued',
        reason: null,
        commandId: null,
        plan: null,
        adopted: null,
        finishedAt: null,
      });
      const payload: StackDeployPayload = {
        target: { stackId, versionId: Number(inserted.id), project: spec.project, imagePins: spec.imagePins },
        previous,
        pull: spec.pull,
        registryAuth,
        health: { windowMs: Number(locked.healthWindowSeconds) * 1000, onFailure: locked.onFailure },
      };
      const command = await d.commands.enqueueInternal(trx, {
        environmentId,
        kind: 'stack.deploy',
        payload,
        // The payload carries variable values and registry passwords: sealed, summarised for the command log.
        summary: { stackId, versionId: Number(inserted.id), number, projectName: stack.projectName, pull: spec.pull },
        redact: [...secretValues(spec.variables), ...registryAuth.map((r) => r.password).filter((p) => p !== '')],
        createdBy: principal.userId,
        by: principal.username,
      });
      changed.push(command);
      const withCommand = await d.repo.attachCommand(trx, Number(inserted.id), command.id);
      audit.targetType = 'stack';
      audit.targetId = String(stackId);
      audit.details = {
        ...audit.details,
        environmentId,
        name: stack.name,
        versionId: Number(inserted.id),
        number,
        commandId: command.id,
        pull: spec.pull,
        services: Object.keys(spec.project.services),
        contentChanged: spec.contentChanged,
        ...(spec.rollbackOf ? { rollbackOf: Number(spec.rollbackOf.id), rollbackOfNumber: Number(spec.rollbackOf.number), imagePins: spec.imagePins } : {}),
        ...(spec.gitCommit ? { gitCommit: spec.gitCommit } : {}),
        ...(superseded.length ? { superseded } : {}),
      };
      return withCommand;
    });
    d.commands.announce(environmentId, changed);
    d.publish({ type: 'stack', environmentId, stackId });
    return { ...presentVersion(version), warnings: spec.warnings };
  }
}
