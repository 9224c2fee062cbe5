import { IdParamsSchema, TimestampSchema } from '@capstan/protocol';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { MainDatabase } from '../../db/schema.ts';
import { notFound } from '../../errors.ts';
import { defineRoute, type RouteSpec } from '../../http/route.ts';
import type { PollContacts } from '../polls/polls.contacts.ts';
import { withPollState } from '../polls/polls.policy.ts';
import type { TunnelRegistry } from './tunnel.registry.ts';

/**
 * The connection state of an environment's agent (the tunnel's, or an async environment's polls).
 * Local to the server until the protocol's EnvironmentSchema carries these fields.
 */
export const EnvironmentStatusViewSchema = z.object({
  environmentId: z.number().int(),
  status: z.enum(['pending', 'up', 'down']),
  /** True while this server holds a live, authenticated tunnel to the agent. */
  connected: z.boolean(),
  agentId: z.number().int().nullable(),
  /** Last frame from the agent: live while connected, else as recorded at disconnect. */
  lastSeenAt: TimestampSchema.nullable(),
  connectedAt: TimestampSchema.nullable(),
  agentVersion: z.string().nullable(),
  engineVersion: z.string().nullable(),
  protocolVersion: z.number().int().nullable(),
  /** The agent authenticated its connection with the client certificate issued at enrolment too. */
  mtls: z.boolean(),
  /** `async`: the agent polls; status and lastSeenAt come from its polls (up until a poll is overdue). */
  mode: z.enum(['standard', 'async']),
  /** Async mode: the last poll, and by when the next one is due. */
  lastPollAt: TimestampSchema.nullable(),
  nextPollAt: TimestampSchema.nullable(),
});
export type EnvironmentStatusView = z.infer<typeof EnvironmentStatusViewSchema>;

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
