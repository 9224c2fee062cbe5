import { ApiKeyListQuerySchema, ApiKeyListSchema, CreateApiKeySchema, CreatedApiKeySchema, IdParamsSchema } from '@capstan/protocol';
import { defineRoute, type RouteSpec } from '../../http/route.ts';
import type { ApiKeysService } from './api-keys.service.ts';

/** /api/api-keys */
export function apiKeysRoutes(keys: ApiKeysService): RouteSpec[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/api-keys',
      summary: 'List your API keys (administrators: ?userId=)',
      tag: 'api_key',
      access: 'self.read',
      query: ApiKeyListQuerySchema,
      response: ApiKeyListSchema,
      handler: ({ ctx, query }) => keys.list(ctx, query.userId),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/api-keys',
      summary: 'Create an API key for yourself; the key is shown once',
      tag: 'api_key',
      access: 'self.manage',
      audit: 'api_keys.create',
      body: CreateApiKeySchema,
      response: CreatedApiKeySchema,
      status: 201,
      handler: ({ ctx, body }) => keys.create(ctx, body),
    }),
    defineRoute({
      method: 'DELETE',
      url: '/api/api-keys/:id',
      summary: 'Delete an API key; it is refused at once',
      tag: 'api_key',
      access: 'self.manage',
      audit: 'api_keys.delete',
      params: IdParamsSchema,
      handler: ({ ctx, params }) => keys.delete(ctx, params.id),
    }),
  ] as RouteSpec[];
}
