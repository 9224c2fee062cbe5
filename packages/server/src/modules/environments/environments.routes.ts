import {
  CreateEnvironmentSchema,
  EnvironmentListQuerySchema,
  EnvironmentPageSchema,
  EnvironmentSchema,
  IdParamsSchema,
  UpdateEnvironmentSchema,
} from '@capstan/protocol';
import { defineRoute, type RouteSpec } from '../../http/route.ts';
import type { EnvironmentsService } from './environments.service.ts';

/** /api/environments */
export function environmentsRoutes(envs: EnvironmentsService): RouteSpec[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/environments',
      summary: 'List the environments you can see (filter by search, group, tag)',
      tag: 'environment',
      access: 'environment.read',
      query: EnvironmentListQuerySchema,
      response: EnvironmentPageSchema,
      handler: ({ ctx, query }) => envs.list(ctx, query),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/environments',
      summary: 'Create an environment',
      tag: 'environment',
      access: 'environments.create',
      audit: 'environments.create',
      body: CreateEnvironmentSchema,
      response: EnvironmentSchema,
      status: 201,
      handler: ({ ctx, body }) => envs.create(ctx, body),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/environments/:id',
      summary: 'Get an environment',
      tag: 'environment',
      access: 'environment.read',
      params: IdParamsSchema,
      environmentId: ({ params }) => params.id,
      response: EnvironmentSchema,
      handler: ({ params }) => envs.get(params.id),
    }),
    defineRoute({
      method: 'PATCH',
      url: '/api/environments/:id',
      summary: 'Rename, retag, regroup (administrators) or change the mode of an environment',
      tag: 'environment',
      access: 'environment.update',
      audit: 'environments.update',
      params: IdParamsSchema,
      environmentId: ({ params }) => params.id,
      body: UpdateEnvironmentSchema,
      response: EnvironmentSchema,
      handler: ({ ctx, params, body }) => envs.update(ctx, params.id, body),
    }),
    defineRoute({
      method: 'DELETE',
      url: '/api/environments/:id',
      summary: 'Delete an environment and its role assignments',
      tag: 'environment',
      access: 'environment.delete',
      audit: 'environments.delete',
      params: IdParamsSchema,
      environmentId: ({ params }) => params.id,
      handler: ({ ctx, params }) => envs.delete(ctx, params.id),
    }),
  ] as RouteSpec[];
}
