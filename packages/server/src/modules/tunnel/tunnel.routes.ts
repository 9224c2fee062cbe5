import { EnvironmentStatusViewSchema, IdParamsSchema } from '@capstan/protocol';
import type { Kysely } from 'kysely';
import type { MainDatabase } from '../../db/schema.ts';
import { notFound } from '../../errors.ts';
import { defineRoute, type RouteSpec } from '../../http/route.ts';
import type { PollContacts } from '../polls/polls.contacts.ts';
import { withPollState } from '../polls/polls.policy.ts';
import type { TunnelRegistry } from './tunnel.registry.ts';


/** GET /api/environments/:id/status */
export function tunnelRoutes(tunnel: TunnelRegistry, db: Kysely<MainDatabase>, polls?: Pick<PollContacts, 'latest'>): RouteSpec[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/environments/:id/status',
      summary: "Connection state of the environment's agent (up/down, last seen, versions)",
      tag: 'environment',
      access: 'environment.read',
      params: IdParamsSchema,
      environmentId: ({ params }) => params.id,
      response: EnvironmentStatusViewSchema,
      handler: async ({ params }) => {
        const row = await db
          .selectFrom('environments')
          .select(['id', 'mode', 'status', 'lastSeenAt', 'agentVersion', 'engineVersion', 'pollIntervalSeconds', 'lastPollAt', 'nextPollAt'])
          .where('id', '=', params.id)
          .executeTakeFirst();
        if (!row) throw notFound('environment', params.id);
        const live = tunnel.live(params.id);
        // A poll not yet written counts; an async environment's status follows its polls.
        const polled = withPollState({ ...row, pollIntervalSeconds: Number(row.pollIntervalSeconds) }, polls?.latest(params.id), Date.now());
        return {
          environmentId: Number(row.id),
          status: live.connected ? 'up' : polled.status,
          connected: live.connected,
          agentId: live.agentId,
          lastSeenAt: live.lastFrameAt ?? polled.lastSeenAt,
          connectedAt: live.connectedAt,
          agentVersion: live.agentVersion ?? polled.agentVersion,
          engineVersion: live.engineVersion ?? polled.engineVersion,
          protocolVersion: live.protocolVersion,
          mtls: live.mtls,
          mode: row.mode,
          lastPollAt: polled.lastPollAt,
          nextPollAt: polled.nextPollAt,
        };
      },
    }),
  ];
}
