// The "→ new stack" seam: a rendered template becomes a stack through the stacks module's own
// create and deploy, so its rules (name per environment, compose checks, sealed secrets) apply.
import { CreateStackSchema, DeployStackSchema, type CreateStack, type CreatedStack, type DeployStack, type DeployedVersion } from '@capstan/protocol';
import { AppError } from '../../errors.ts';
import type { RequestContext } from '../../http/context.ts';
import type { CreateStackFn } from './templates.service.ts';

/** What the seam needs from the stacks module. */
export interface StacksPort {
  create(ctx: RequestContext, body: CreateStack): Promise<CreatedStack>;
  deploy(ctx: RequestContext, id: number, body: DeployStack): Promise<DeployedVersion>;
}

/** A `createStack` that creates the stack (source `template`) and queues its first deploy. */
export function createStackThrough(stacks: StacksPort): CreateStackFn {
  return async (ctx, input) => {
    const parsed = CreateStackSchema.safeParse({
      name: input.name,
      environmentId: input.environmentId,
      compose: input.compose,
      files: input.files,
      variables: input.variables,
      source: 'template',
    });
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => ({ location: 'body' as const, path: i.path.join('.'), message: i.message }));
      throw new AppError('validation_failed', `the rendered template is not a valid stack: ${issues[0]?.path ?? ''}: ${issues[0]?.message ?? ''}`, { issues });
    }
    const created = await stacks.create(ctx, parsed.data);
    let version: DeployedVersion;
    try {
      version = await stacks.deploy(ctx, created.id, DeployStackSchema.parse({}));
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      throw new AppError(err.code, `stack ${created.id} was created but its first deploy was refused (${err.message}): deploy it with POST /api/stacks/${created.id}/deploy`, {
        ...err.details,
        stackId: created.id,
      });
    }
    return {
      id: created.id,
      name: created.name,
      environmentId: created.environmentId,
      projectName: created.projectName,
      version: { id: version.id, number: version.number, status: version.status, commandId: version.commandId },
      warnings: [...created.warnings, ...version.warnings],
    };
  };
}
