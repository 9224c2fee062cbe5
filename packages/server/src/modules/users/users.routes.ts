import {
  ChangePasswordSchema,
  CreateUserSchema,
  IdParamsSchema,
  UpdateUserSchema,
  UserListQuerySchema,
  UserPageSchema,
  UserSchema,
} from '@capstan/protocol';
import { defineRoute, type RouteSpec } from '../../http/route.ts';
import type { UsersService } from './users.service.ts';

/** /api/users */
export function usersRoutes(users: UsersService): RouteSpec[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/users',
      summary: 'List users',
      tag: 'user',
      access: 'users.read',
      query: UserListQuerySchema,
      response: UserPageSchema,
      handler: ({ query }) => users.list(query),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/users',
      summary: 'Create a local user',
      tag: 'user',
      access: 'users.manage',
      audit: 'users.create',
      body: CreateUserSchema,
      response: UserSchema,
      status: 201,
      handler: ({ ctx, body }) => users.create(ctx, body),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/users/:id',
      summary: 'Get a user (yourself, or anyone with users.read)',
      tag: 'user',
      access: 'self.read',
      params: IdParamsSchema,
      response: UserSchema,
      handler: ({ ctx, params }) => users.get(ctx, params.id),
    }),
    defineRoute({
      method: 'PATCH',
      url: '/api/users/:id',
      summary: 'Promote, demote, disable, enable or unlock a user',
      tag: 'user',
      access: 'users.manage',
      audit: 'users.update',
      params: IdParamsSchema,
      body: UpdateUserSchema,
      response: UserSchema,
      handler: ({ ctx, params, body }) => users.update(ctx, params.id, body),
    }),
    defineRoute({
      method: 'DELETE',
      url: '/api/users/:id',
      summary: 'Delete a user with their sessions, keys and role assignments',
      tag: 'user',
      access: 'users.manage',
      audit: 'users.delete',
      params: IdParamsSchema,
      handler: ({ ctx, params }) => users.delete(ctx, params.id),
    }),
    defineRoute({
      method: 'PUT',
      url: '/api/users/:id/password',
      summary: 'Change a password (own: currentPassword required); ends all sessions of that user',
      tag: 'user',
      access: 'self.manage',
      audit: 'users.password',
      params: IdParamsSchema,
      body: ChangePasswordSchema,
      handler: ({ ctx, params, body }) => users.changePassword(ctx, params.id, body),
    }),
  ] as RouteSpec[];
}
