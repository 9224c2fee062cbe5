import {
  CreateRoleAssignmentSchema,
  IdParamsSchema,
  RoleAssignmentListSchema,
  RoleAssignmentQuerySchema,
  RoleAssignmentSchema,
  RoleListSchema,
} from '@capstan/protocol';
import { defineRoute, type RouteSpec } from '../../http/route.ts';
import type { AccessService } from './access.service.ts';

/** /api/roles: the role catalogue and role assignments per environment or group. */
export function rolesRoutes(access: AccessService): RouteSpec[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/roles',
      summary: 'List roles and the permission catalogue',
      tag: 'roles',
      access: 'self.read',
      response: RoleListSchema,
      handler: () => Promise.resolve(access.roles()),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/roles/assignments',
      summary: 'List role assignments',
      tag: 'roles',
      access: 'self.read',
      query: RoleAssignmentQuerySchema,
      response: RoleAssignmentListSchema,
      handler: ({ ctx, query }) => access.listAssignments(ctx, query),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/roles/assignments',
      summary: 'Grant a role to a user or team on an environment or group',
      tag: 'role_assignment',
      // The scope is in the body: the service asks for environment.access or roles.assign.
      access: 'self.manage',
      audit: 'roles.grant',
      body: CreateRoleAssignmentSchema,
      response: RoleAssignmentSchema,
      status: 201,
      handler: ({ ctx, body }) => access.grant(ctx, body),
    }),
    defineRoute({
      method: 'DELETE',
      url: '/api/roles/assignments/:id',
      summary: 'Revoke a role assignment',
      tag: 'role_assignment',
      // The scope is known once the assignment is loaded: the service authorizes.
      access: 'self.manage',
      audit: 'roles.revoke',
      params: IdParamsSchema,
      handler: ({ ctx, params }) => access.revoke(ctx, params.id),
    }),
  ] as RouteSpec[];
}
