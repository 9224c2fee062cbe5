import { Readable } from 'node:stream';
import {
  CreatedGitSourceSchema,
  CreateGitSourceSchema,
  GitSourceSchema,
  GitSyncResultSchema,
  GitWebhookAcceptedSchema,
  IdParamsSchema,
  SyncGitSourceSchema,
  UpdateGitSourceSchema,
} from '@capstan/protocol';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors.ts';
import { defineRoute, type RouteSpec } from '../../http/route.ts';
import type { GitSourcesService } from './git-sources.service.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The raw body of a webhook delivery (what its signature covers). */
    gitWebhookBody?: Buffer;
  }
}

const WEBHOOK_ROUTE = '/api/git-sources/:id/webhook';

/** Keeps the raw bytes of webhook deliveries (signatures cover them, not the parsed JSON); at most `limit` bytes. */
export function captureWebhookBodies(app: FastifyInstance, limit: number): void {
  app.addHook('preParsing', async (req, _reply, payload) => {
    if (req.routeOptions.url !== WEBHOOK_ROUTE) return payload;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of payload) {
      const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
      size += b.length;
      if (size > limit) throw new AppError('payload_too_large', `the delivery is larger than ${limit} bytes: send push events only`);
      chunks.push(b);
    }
    const raw = Buffer.concat(chunks);
    req.gitWebhookBody = raw;
    const replay = Readable.from([raw]) as Readable & { receivedEncodedLength?: number };
    replay.receivedEncodedLength = raw.length;
    return replay;
  });
}

/**
 * /api/stacks/:id/git and the public webhook. Routes addressed by stack id cannot name the
 * environment before the stack is loaded: the read declares stacks.read, mutations the caller's
 * own scope (read-only keys are still refused), and the service authorizes stacks.read /
 * stacks.deploy on the stack's environment.
 */
export function gitSourcesRoutes(git: GitSourcesService): RouteSpec[] {
  return [
    defineRoute({
      method: 'POST',
      url: '/api/stacks/:id/git',
      summary:
        "Deploy the stack from a Git repository: url, ref, composePath, extraPaths, auth (none | token | ssh; secrets encrypted, never shown), pollIntervalSeconds, webhookSecret (omitted: one is made and answered once). The ref is fetched first; needs stacks.deploy",
      tag: 'git-source',
      access: 'self.manage',
      audit: 'stack.git.create',
      params: IdParamsSchema,
      body: CreateGitSourceSchema,
      response: CreatedGitSourceSchema,
      status: 201,
      handler: ({ ctx, params, body }) => git.create(ctx, params.id, body),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/stacks/:id/git',
      summary: "The stack's Git source: where from, last seen and deployed commits, last error, webhook path",
      tag: 'git-source',
      access: 'stacks.read',
      params: IdParamsSchema,
      response: GitSourceSchema,
      handler: ({ ctx, params }) => git.get(ctx, params.id),
    }),
    defineRoute({
      method: 'PATCH',
      url: '/api/stacks/:id/git',
      summary: "Change the stack's Git source (a new url, ref, path or credentials is fetched first); automatic redeploys then act as you; needs stacks.deploy",
      tag: 'git-source',
      access: 'self.manage',
      audit: 'stack.git.update',
      params: IdParamsSchema,
      body: UpdateGitSourceSchema,
      response: GitSourceSchema,
      handler: ({ ctx, params, body }) => git.update(ctx, params.id, body),
    }),
    defineRoute({
      method: 'DELETE',
      url: '/api/stacks/:id/git',
      summary: 'Detach the stack from Git (the stack, its versions and containers stay); needs stacks.deploy',
      tag: 'git-source',
      access: 'self.manage',
      audit: 'stack.git.delete',
      params: IdParamsSchema,
      handler: ({ ctx, params }) => git.remove(ctx, params.id),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/stacks/:id/git/sync',
      summary:
        "Fetch now; redeploy when the stack's own files changed since the last deployed commit (redeploy=true: always, from the last good checkout when the Git server is down); needs stacks.deploy",
      tag: 'git-source',
      access: 'self.manage',
      audit: 'stack.git.sync',
      params: IdParamsSchema,
      body: SyncGitSourceSchema,
      response: GitSyncResultSchema,
      handler: ({ ctx, params, body }) => git.sync(ctx, params.id, body),
    }),
    defineRoute({
      method: 'POST',
      url: WEBHOOK_ROUTE,
      summary:
        'Webhook for push events (public; Content-Type application/json). Signed with the source\'s webhook secret: X-Hub-Signature-256 (GitHub, Gitea, Forgejo), X-Gitea-Signature or X-Gitlab-Token; otherwise 401. Starts a fetch; the body is not trusted; answers 202',
      tag: 'git-source',
      access: 'public',
      audit: 'stack.git.webhook',
      params: IdParamsSchema,
      response: GitWebhookAcceptedSchema,
      status: 202,
      handler: ({ ctx, params, reply }) => git.webhook(ctx, params.id, reply.request.headers, reply.request.gitWebhookBody ?? Buffer.alloc(0)),
    }),
  ] as RouteSpec[];
}
