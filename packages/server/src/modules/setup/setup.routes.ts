import { SetupAdminResponseSchema, SetupAdminSchema } from '@capstan/protocol';
import { defineRoute, type RouteSpec } from '../../http/route.ts';
import type { SetupService } from './setup.service.ts';

/** POST /api/setup/admin: create the first administrator. */
export function setupRoutes(setup: SetupService): RouteSpec[] {
  return [
    defineRoute({
      method: 'POST',
      url: '/api/setup/admin',
      summary: 'Create the first administrator (only on a fresh instance, within the setup window)',
      tag: 'setup',
      access: 'public',
      beforeSetup: true,
      audit: 'setup.admin',
      body: SetupAdminSchema,
      response: SetupAdminResponseSchema,
      status: 201,
      handler: ({ ctx, body }) => setup.createAdmin(ctx, body),
    }),
  ] as RouteSpec[];
}
