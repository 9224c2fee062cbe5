import {
  AgentListSchema,
  AgentSchema,
  CreateJoinTokenSchema,
  EnrolRequestSchema,
  EnrolResponseSchema,
  IdParamsSchema,
  JoinTokenSchema,
} from '@capstan/protocol';
import type { FastifyReply } from 'fastify';
import { defineRoute, type RouteSpec } from '../../http/route.ts';
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
