import { EnvironmentSnapshotViewSchema, IdParamsSchema } from '@capstan/protocol';
import { defineRoute, type RouteSpec } from '../../http/route.ts';
import type { SnapshotsService } from './snapshots.service.ts';

/** GET /api/environments/:id/snapshot */
export function snapshotsRoutes(snapshots: SnapshotsService): RouteSpec[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/environments/:id/snapshot',
      summary: "The environment's latest engine state (containers, images, volumes, networks, compose projects) as its agent reported it",
      tag: 'environment',
      access: 'docker.read',
      params: IdParamsSchema,
      environmentId: ({ params }) => params.id,
      response: EnvironmentSnapshotViewSchema,
      handler: ({ params }) => snapshots.latest(params.id),
    }),
  ];
}
