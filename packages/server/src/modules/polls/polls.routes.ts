import { POLL_MAX_BODY_BYTES, POLL_PATH, PollAnswerSchema, PollRequestSchema } from '@capstan/protocol';
import { defineRoute, type RouteSpec } from '../../http/route.ts';
import { verifiedClientCertSpki } from '../tunnel/tunnel-apps.ts';
import type { PollsService } from './polls.service.ts';

/** POST /api/agents/poll: Async mode's transport (also served on --tunnel-port). */
export function pollsRoutes(polls: PollsService): RouteSpec[] {
  return [
    defineRoute({
      method: 'POST',
      url: POLL_PATH,
      summary:
        "An Async-mode agent's poll: reports command acceptances, results and engine state, answers the next commands (signed with the agent's key over a single-use nonce; without one the answer is 401 challenge_required with details.nonce)",
      tag: 'agent',
      // The signature over the server's nonce is the credential, whoever else is calling.
      access: 'public',
      audit: 'agents.poll',
      bodyLimit: POLL_MAX_BODY_BYTES,
      body: PollRequestSchema,
      response: PollAnswerSchema,
      handler: ({ ctx, body, reply }) => polls.poll(ctx, body, verifiedClientCertSpki(reply.request.raw)),
    }),
  ] as RouteSpec[];
}
