// The wiring between Git sources and the stacks feature: a Git redeploy becomes an ordinary stack
// deploy (a new immutable version carrying the commit), made as a real user so the usual
// authorization and audit apply: the caller of a manual sync, else who configured the source.
import { randomUUID } from 'node:crypto';
import { DeployStackSchema, type DeployStack } from '@capstan/protocol';
import { AppError } from '../../errors.ts';
import type { RequestContext } from '../../http/context.ts';
import type { GitSourcesRepository } from './git-sources.repository.ts';
import type { Redeploy } from './git-sources.sync.ts';

/** The one call of the stacks feature a Git redeploy needs (StackDeployer.deploy). */
export interface StackDeployPort {
  deploy(ctx: RequestContext, stackId: number, body: DeployStack): Promise<unknown>;
}

/** A Redeploy that deploys through the stacks feature as the request's actor. */
export function redeployThroughStacks(deployer: StackDeployPort, repo: GitSourcesRepository): Redeploy {
  return async (stackId, req) => {
    const actor = req.actorUserId === null ? undefined : await repo.actor(req.actorUserId);
    if (!actor || actor.disabled) {
      throw new AppError('forbidden', `the account this Git source deploys as is ${actor ? 'disabled' : 'gone'}: change the source (PATCH /api/stacks/${stackId}/git) to deploy as you`, { stackId });
    }
    const files = Object.entries(req.files)
      .filter(([name]) => name !== req.mainFile)
      .map(([name, content]) => ({ name, content }));
    const parsed = DeployStackSchema.safeParse({ compose: req.files[req.mainFile], files, pull: 'missing', gitCommit: req.commit });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new AppError('git_files_invalid', `the stack's files at ${req.commit.slice(0, 12)} cannot be deployed: ${issue ? `${issue.path.join('.') || 'files'}: ${issue.message}` : 'invalid'}`);
    }
    const ctx: RequestContext = {
      requestId: `git-${req.trigger}-${randomUUID()}`,
      sourceIp: 'internal',
      userAgent: 'capstan git source',
      principal: { userId: actor.id, username: actor.username, isAdmin: actor.isAdmin, authMethod: 'session', sessionId: null, apiKeyId: null, readOnly: false },
      permission: 'stacks.deploy',
      audit: { action: 'stack.deploy', targetType: 'stack', targetId: String(stackId), details: {} },
      successStatus: 202,
      audited: false,
    };
    await deployer.deploy(ctx, stackId, parsed.data);
  };
}
