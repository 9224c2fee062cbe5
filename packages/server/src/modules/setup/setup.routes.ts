import { SetupAdminResponseSchema, SetupAdminSchema } from '@capstan/protocol';
import { defineRoute, type RouteSpec } from '../../http/route.ts';
import { sessionCookie } from '../auth/auth.routes.ts';
import type { SetupService } from './setup.service.ts';

/** POST /api/setup/admin: create the first administrator. */
export function setupRoutes(setup: SetupService): RouteSpec[] {
  return [
    defineRoute({
      method: 'POST',
      url: '/api/setup/admin',
      summary: 'Create the first administrator (only on a fresh instance, within the setup window); signs it in (token and cookie)',
      tag: 'setup',
      access: 'public',
      beforeSetup: true,
      audit: 'setup.admin',
      body: SetupAdminSchema,
      response: SetupAdminResponseSchema,
      status: 201,
      handler: async ({ ctx, body, reply }) => {
        const result = await setup.createAdmin(ctx, body);
        // Signed in at once in browsers too: the web UI goes straight from setup to the app.
        reply.header('set-cookie', sessionCookie(result.token, result.expiresAt));
        return result;
      },
    }),
  ] as RouteSpec[];
}
