import type { Readable } from 'node:stream';
import {
  AdoptStackSchema,
  CreatedStackSchema,
  CreateStackSchema,
  DeleteStackQuerySchema,
  DeployedVersionSchema,
  DeployStackSchema,
  IdParamsSchema,
  PlanStackSchema,
  RollbackStackSchema,
  StackPageSchema,
  StackListQuerySchema,
  StackPlanAnswerSchema,
  StackRemovalSchema,
  StackSchema,
  StackVersionListSchema,
  StackVersionParamsSchema,
  StackVersionSchema,
  UpdateStackSchema,
} from '@capstan/protocol';
import { z } from 'zod';
import { defineRoute, type RouteSpec } from '../../http/route.ts';
import type { StacksModule } from './stacks.module.ts';

/** The Last-Event-ID a reconnecting EventSource sends, when it is one of ours. */
function lastEventId(header: string | string[] | undefined): number | null {
  const v = Array.isArray(header) ? header[0] : header;
  return v !== undefined && /^\d{1,9}$/.test(v) ? Number(v) : null;
}

/**
 * /api/stacks and /api/environments/:id/stacks/adopt. Routes addressed by stack id cannot name
 * the environment before the stack is loaded: reads declare stacks.read and mutations the
 * caller's own scope (read-only keys are still refused), and the services authorize
 * stacks.read / stacks.deploy / stacks.delete on the stack's environment.
 */
export function stacksRoutes(m: StacksModule): RouteSpec[] {
  return [
    defineRoute({
      method: 'POST',
      url: '/api/stacks',
      summary: 'Create a stack (name, environmentId, compose, files, variables; secret values are encrypted and never shown again); it is not deployed yet',
      tag: 'stack',
      access: 'stacks.deploy',
      audit: 'stack.create',
      environmentId: ({ body }) => body.environmentId,
      body: CreateStackSchema,
      response: CreatedStackSchema,
      status: 201,
      handler: ({ ctx, body }) => m.service.create(ctx, body),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/stacks',
      summary: 'List the stacks you can see (filter by environmentId)',
      tag: 'stack',
      access: 'stacks.read',
      query: StackListQuerySchema,
      response: StackPageSchema,
      handler: ({ ctx, query }) => m.service.list(ctx, query),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/stacks/:id',
      summary: 'Get a stack with its content (secret values masked), settings and status',
      tag: 'stack',
      access: 'stacks.read',
      params: IdParamsSchema,
      response: StackSchema,
      handler: ({ ctx, params }) => m.service.get(ctx, params.id),
    }),
    defineRoute({
      method: 'PATCH',
      url: '/api/stacks/:id',
      summary: "Change a stack's settings (health gate: windowSeconds, onFailure rollback|report); needs stacks.deploy",
      tag: 'stack',
      access: 'self.manage',
      audit: 'stack.update',
      params: IdParamsSchema,
      body: UpdateStackSchema,
      response: StackSchema,
      handler: ({ ctx, params, body }) => m.service.update(ctx, params.id, body),
    }),
    defineRoute({
      method: 'DELETE',
      url: '/api/stacks/:id',
      summary: 'Delete a stack: a stack.remove command removes its containers and networks (volumes with removeVolumes=true), then the stack goes; needs stacks.delete',
      tag: 'stack',
      access: 'self.manage',
      audit: 'stack.delete',
      params: IdParamsSchema,
      query: DeleteStackQuerySchema,
      response: StackRemovalSchema,
      status: 202,
      handler: ({ ctx, params, query }) => m.service.remove(ctx, params.id, query),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/stacks/:id/deploy',
      summary: 'Deploy the stack (optionally with new compose, files, variables; pull always|missing): a new version and its stack.deploy command; answers 202 with the version; needs stacks.deploy',
      tag: 'stack',
      access: 'self.manage',
      audit: 'stack.deploy',
      params: IdParamsSchema,
      body: DeployStackSchema,
      response: DeployedVersionSchema,
      status: 202,
      handler: ({ ctx, params, body }) => m.deployer.deploy(ctx, params.id, body),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/stacks/:id/rollback',
      summary: "Deploy a copy of a stored version (versionId) with that version's image digests pinned; answers 202 with the new version; needs stacks.deploy",
      tag: 'stack',
      access: 'self.manage',
      audit: 'stack.rollback',
      params: IdParamsSchema,
      body: RollbackStackSchema,
      response: DeployedVersionSchema,
      status: 202,
      handler: ({ ctx, params, body }) => m.deployer.rollback(ctx, params.id, body),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/stacks/:id/plan',
      summary: "What deploying the stack's content (or the content given) would change, per service; live from the agent, else against the last snapshot (basis snapshot); needs stacks.read",
      tag: 'stack',
      access: 'self.read',
      audit: 'stack.plan',
      params: IdParamsSchema,
      body: PlanStackSchema,
      response: StackPlanAnswerSchema,
      handler: ({ ctx, params, body }) => m.planner.plan(ctx, params.id, body),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/stacks/:id/versions',
      summary: "A stack's versions, newest first (without their content)",
      tag: 'stack',
      access: 'stacks.read',
      params: IdParamsSchema,
      response: StackVersionListSchema,
      handler: ({ ctx, params }) => m.service.versions(ctx, params.id),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/stacks/:id/versions/:versionId',
      summary: 'One version: compose, files, variables (secret values masked), image pins and digests, outcome, plan',
      tag: 'stack',
      access: 'stacks.read',
      params: StackVersionParamsSchema,
      response: StackVersionSchema,
      handler: ({ ctx, params }) => m.service.version(ctx, params.id, params.versionId),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/stacks/:id/versions/:versionId/events',
      summary: "A version's deploy as Server-Sent Events: `progress` (steps, pulls; history first, honours Last-Event-ID), `status` (final: true last, then the stream ends)",
      tag: 'stack',
      access: 'stacks.read',
      params: StackVersionParamsSchema,
      response: z.custom<Readable>(),
      handler: async ({ ctx, params, reply }) => {
        const stream = await m.events.open(ctx, params.id, params.versionId, lastEventId(reply.request.headers['last-event-id']));
        reply.header('content-type', 'text/event-stream; charset=utf-8');
        reply.header('cache-control', 'no-cache');
        reply.header('x-accel-buffering', 'no');
        return stream;
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/environments/:id/stacks/adopt',
      summary: "Adopt a compose project running on the environment's host (from its snapshot) as a stack, without redeploying it",
      tag: 'stack',
      access: 'stacks.deploy',
      audit: 'stack.adopt',
      params: IdParamsSchema,
      environmentId: ({ params }) => params.id,
      body: AdoptStackSchema,
      response: StackSchema,
      status: 201,
      handler: ({ ctx, params, body }) => m.adopter.adopt(ctx, params.id, body),
    }),
  ] as RouteSpec[];
}
