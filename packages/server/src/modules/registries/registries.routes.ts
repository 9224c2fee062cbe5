import {
  CreateRegistrySchema,
  IdParamsSchema,
  RegistryListSchema,
  RegistrySchema,
  RegistryTestResultSchema,
  UpdateRegistrySchema,
} from '@capstan/protocol';
import { defineRoute, type RouteSpec } from '../../http/route.ts';
import type { RegistriesService } from './registries.service.ts';

/** /api/registries: private registry credentials (administrators; passwords are write-only). */
export function registriesRoutes(registries: RegistriesService): RouteSpec[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/registries',
      summary: 'List registry definitions (never their passwords)',
      tag: 'registry',
      access: 'registries.read',
      response: RegistryListSchema,
      handler: () => registries.list(),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/registries/:id',
      summary: 'One registry definition (never its password)',
      tag: 'registry',
      access: 'registries.read',
      params: IdParamsSchema,
      response: RegistrySchema,
      handler: ({ params }) => registries.get(params.id),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/registries',
      summary: 'Add credentials for a private registry; agents use them to pull its images',
      tag: 'registry',
      access: 'registries.manage',
      audit: 'registries.create',
      body: CreateRegistrySchema,
      response: RegistrySchema,
      status: 201,
      handler: ({ ctx, body }) => registries.create(ctx, body),
    }),
    defineRoute({
      method: 'PATCH',
      url: '/api/registries/:id',
      summary: 'Change a registry definition (a new password replaces the stored one)',
      tag: 'registry',
      access: 'registries.manage',
      audit: 'registries.update',
      params: IdParamsSchema,
      body: UpdateRegistrySchema,
      response: RegistrySchema,
      handler: ({ ctx, params, body }) => registries.update(ctx, params.id, body),
    }),
    defineRoute({
      method: 'DELETE',
      url: '/api/registries/:id',
      summary: 'Delete a registry definition',
      tag: 'registry',
      access: 'registries.manage',
      audit: 'registries.delete',
      params: IdParamsSchema,
      handler: ({ ctx, params }) => registries.delete(ctx, params.id),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/registries/:id/test',
      summary: "Check the stored credentials against the registry's /v2/ endpoint",
      tag: 'registry',
      access: 'registries.manage',
      audit: 'registries.test',
      params: IdParamsSchema,
      response: RegistryTestResultSchema,
      handler: ({ ctx, params }) => registries.test(ctx, params.id),
    }),
  ] as RouteSpec[];
}
