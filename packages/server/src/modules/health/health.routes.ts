import { CAPSTAN_VERSION, HealthResponseSchema } from '@capstan/protocol';
import { defineRoute, type RouteSpec } from '../../http/route.ts';
import type { SetupService } from '../setup/setup.service.ts';

/** GET /api/health: liveness plus whether first-run setup is pending. */
export function healthRoutes(setup: SetupService): RouteSpec[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/health',
      summary: 'Server health',
      tag: 'system',
      access: 'public',
      beforeSetup: true,
      response: HealthResponseSchema,
      handler: async () => ({ status: 'ok' as const, version: CAPSTAN_VERSION, setupRequired: await setup.required() }),
    }),
  ] as RouteSpec[];
}
