import {
  CommandListQuerySchema,
  CommandPageSchema,
  CommandParamsSchema,
  CommandSchema,
  CommandWithHistorySchema,
  EnqueueCommandSchema,
  IdParamsSchema,
} from '@capstan/protocol';
import { defineRoute, type RouteSpec } from '../../http/route.ts';
import type { CommandsService } from './commands.service.ts';

/**
 * /api/environments/:id/commands. The routes declare `environment.read` (you must see the
 * environment); queueing, cancelling and retrying also need the kind's own permission, which
 * depends on the body or the stored command and is checked by the service.
 */
export function commandsRoutes(commands: CommandsService): RouteSpec[] {
  return [
    defineRoute({
      method: 'POST',
      url: '/api/environments/:id/commands',
      summary: "Queue a command for the environment's agent (needs the permission of its kind); answers 202",
      tag: 'command',
      access: 'environment.read',
      audit: 'commands.enqueue',
      params: IdParamsSchema,
      environmentId: ({ params }) => params.id,
      body: EnqueueCommandSchema,
      response: CommandSchema,
      status: 202,
      handler: ({ ctx, params, body }) => commands.enqueue(ctx, params.id, body),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/environments/:id/commands',
      summary: 'List the environment\'s commands (order=newest: highest seq first, default; order=seq: run order; filter by status)',
      tag: 'command',
      access: 'environment.read',
      params: IdParamsSchema,
      environmentId: ({ params }) => params.id,
      query: CommandListQuerySchema,
      response: CommandPageSchema,
      handler: ({ params, query }) => commands.list(params.id, query),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/environments/:id/commands/:commandId',
      summary: 'Get a command with its result and history',
      tag: 'command',
      access: 'environment.read',
      params: CommandParamsSchema,
      environmentId: ({ params }) => params.id,
      response: CommandWithHistorySchema,
      handler: ({ params }) => commands.get(params.id, params.commandId),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/environments/:id/commands/:commandId/cancel',
      summary: 'Cancel a command the agent was not sent yet (needs the permission of its kind)',
      tag: 'command',
      access: 'environment.read',
      audit: 'commands.cancel',
      params: CommandParamsSchema,
      environmentId: ({ params }) => params.id,
      response: CommandSchema,
      handler: ({ ctx, params }) => commands.cancel(ctx, params.id, params.commandId),
    }),
  ] as RouteSpec[];
}

/** POST /api/environments/:id/commands/:commandId/retry (registered after the others: see app.ts). */
export function commandRetryRoutes(commands: CommandsService): RouteSpec[] {
  return [
    defineRoute({
      method: 'POST',
      url: '/api/environments/:id/commands/:commandId/retry',
      summary: 'Queue a copy of a command that ended failed or expired (needs the permission of its kind); answers 202 with the copy',
      tag: 'command',
      access: 'environment.read',
      audit: 'commands.retry',
      params: CommandParamsSchema,
      environmentId: ({ params }) => params.id,
      response: CommandSchema,
      status: 202,
      handler: ({ ctx, params }) => commands.retry(ctx, params.id, params.commandId),
    }),
  ] as RouteSpec[];
}
