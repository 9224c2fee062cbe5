import {
  AgentListSchema,
  AgentSchema,
  CreateGroupJoinTokenSchema,
  CreateJoinTokenSchema,
  EnrolRequestSchema,
  EnrolResponseSchema,
  GroupJoinTokenSchema,
  IdParamsSchema,
  JoinTokenSchema,
} from '@capstan/protocol';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { defineRoute, type RouteSpec } from '../../http/route.ts';
import { AGENT_BUNDLE_NAME } from './agent-bundle.ts';
import type { AgentsService, RequestOrigin } from './agents.service.ts';

function origin(reply: FastifyReply): RequestOrigin {
  return { protocol: reply.request.protocol, host: reply.request.host };
}

/** Edge Agent enrolment and credentials: /api/environments/:id/join-tokens, /api/environments/:id/agents, /api/agents */
export function agentsRoutes(agents: AgentsService): RouteSpec[] {
  return [
    defineRoute({
      method: 'POST',
      url: '/api/environments/:id/join-tokens',
      summary: 'Create a one-time, expiring join token for a new agent of the environment, with the command that starts it',
      tag: 'agent',
      access: 'agents.manage',
      audit: 'agents.join_token.create',
      params: IdParamsSchema,
      environmentId: ({ params }) => params.id,
      body: CreateJoinTokenSchema,
      response: JoinTokenSchema,
      status: 201,
      handler: ({ ctx, params, body, reply }) => agents.createJoinToken(ctx, params.id, body, origin(reply)),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/environments/groups/:id/join-tokens',
      summary: 'Create an expiring join token for a group: every host enrolling with it becomes a new environment of the group (fleet onboarding)',
      tag: 'agent',
      access: 'environments.create',
      audit: 'agents.group_join_token.create',
      params: IdParamsSchema,
      body: CreateGroupJoinTokenSchema,
      response: GroupJoinTokenSchema,
      status: 201,
      handler: ({ ctx, params, body, reply }) => agents.createGroupJoinToken(ctx, params.id, body, origin(reply)),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/environments/:id/agents',
      summary: "List the environment's agents (revoked ones included)",
      tag: 'agent',
      access: 'environment.read',
      params: IdParamsSchema,
      environmentId: ({ params }) => params.id,
      response: AgentListSchema,
      handler: ({ params }) => agents.list(params.id),
    }),
    defineRoute({
      method: 'GET',
      url: `/api/agents/${AGENT_BUNDLE_NAME}`,
      summary: 'The bundled agent that join commands download (public code; its SHA-256 is in X-Capstan-Agent-Sha256, the ETag and the join command)',
      tag: 'agent',
      access: 'public',
      response: z.instanceof(Buffer),
      handler: async ({ ctx, reply }) => {
        const bundle = await agents.bundle.require();
        const etag = `"${bundle.sha256}"`;
        reply.header('content-type', 'text/javascript; charset=utf-8');
        reply.header('x-capstan-agent-sha256', bundle.sha256);
        reply.header('etag', etag);
        reply.header('cache-control', 'no-cache');
        if (reply.request.headers['if-none-match'] === etag) {
          ctx.successStatus = 304;
          return Buffer.alloc(0);
        }
        return bundle.data;
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/agents/enrol',
      summary: "Enrol an agent's Ed25519 public key with a join token (one use; the token is the credential)",
      tag: 'agent',
      access: 'public',
      audit: 'agents.enrol',
      body: EnrolRequestSchema,
      response: EnrolResponseSchema,
      status: 201,
      handler: ({ ctx, body }) => agents.enrol(ctx, body),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/agents/:id/revoke',
      summary: 'Revoke an agent: its connection closes at once and it is refused from then on',
      tag: 'agent',
      // The environment is known once the agent is loaded: the service authorizes agents.manage.
      access: 'self.manage',
      audit: 'agents.revoke',
      params: IdParamsSchema,
      response: AgentSchema,
      handler: ({ ctx, params }) => agents.revoke(ctx, params.id),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/agents/:id/rotate',
      summary: "Rotate an agent's credential: the current key stops working now; the answer is a join token that re-enrols the same agent",
      tag: 'agent',
      // The environment is known once the agent is loaded: the service authorizes agents.manage.
      access: 'self.manage',
      audit: 'agents.rotate',
      params: IdParamsSchema,
      body: CreateJoinTokenSchema,
      response: JoinTokenSchema,
      status: 201,
      handler: ({ ctx, params, body, reply }) => agents.rotate(ctx, params.id, body, origin(reply)),
    }),
  ] as RouteSpec[];
}
