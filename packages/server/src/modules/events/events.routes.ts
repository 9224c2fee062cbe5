import type { Readable } from 'node:stream';
import { EVENTS_PATH } from '@capstan/protocol';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { requirePrincipal } from '../../http/context.ts';
import { defineRoute, type RouteSpec } from '../../http/route.ts';
import type { LiveEventStreams } from './events.stream.ts';

/** The change-notice stream; `signedIn` re-checks the request's credentials (a signed-out client's stream ends). */
export function eventsRoutes(streams: LiveEventStreams, signedIn: (req: FastifyRequest) => Promise<boolean>): RouteSpec[] {
  return [
    defineRoute({
      method: 'GET',
      url: EVENTS_PATH,
      summary:
        'Change notices as Server-Sent Events: `environment`, `snapshot`, `command`, `stack` (data: the notice JSON), only of environments the caller may read; refetch what they name',
      tag: 'events',
      access: 'self.read',
      response: z.custom<Readable>(),
      handler: ({ ctx, reply }) => {
        const stream = streams.open(requirePrincipal(ctx), () => signedIn(reply.request));
        reply.header('content-type', 'text/event-stream; charset=utf-8');
        reply.header('cache-control', 'no-cache');
        reply.header('x-accel-buffering', 'no');
        return Promise.resolve(stream);
      },
    }),
  ] as RouteSpec[];
}
