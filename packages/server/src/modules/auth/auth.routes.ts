import { EmptySchema, LoginResponseSchema, LoginSchema, MeResponseSchema } from '@capstan/protocol';
import { defineRoute, type RouteSpec } from '../../http/route.ts';
import type { AccessService } from '../access/access.service.ts';
import type { UsersService } from '../users/users.service.ts';
import { SESSION_COOKIE, type AuthService } from './auth.service.ts';

/** The Set-Cookie value carrying a session token until it expires (HttpOnly, Secure, SameSite=Strict). */
export function sessionCookie(token: string, expiresAt: string): string {
  const maxAge = Math.max(0, Math.floor((Date.parse(expiresAt) - Date.now()) / 1000));
  return `${SESSION_COOKIE}=${token}; Path=/; Max-Age=${maxAge}; HttpOnly; Secure; SameSite=Strict`;
}

/** /api/auth: login, logout, who am I. */
export function authRoutes(auth: AuthService, access: AccessService, users: UsersService): RouteSpec[] {
  return [
    defineRoute({
      method: 'POST',
      url: '/api/auth/login',
      summary: 'Sign in with username and password; answers a session token (also set as a cookie)',
      tag: 'session',
      access: 'public',
      audit: 'auth.login',
      body: LoginSchema,
      response: LoginResponseSchema,
      handler: async ({ ctx, body, reply }) => {
        const result = await auth.login(ctx, body);
        reply.header('set-cookie', sessionCookie(result.token, result.expiresAt));
        return result;
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/auth/logout',
      summary: 'End the current session',
      tag: 'session',
      access: 'self.manage',
      audit: 'auth.logout',
      body: EmptySchema,
      handler: async ({ ctx, reply }) => {
        await auth.logout(ctx);
        reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict`);
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/auth/me',
      summary: 'The caller, how it authenticated and its effective access',
      tag: 'session',
      access: 'self.read',
      response: MeResponseSchema,
      handler: async ({ ctx }) => {
        const p = ctx.principal!;
        return {
          user: await users.get(ctx, p.userId),
          authMethod: p.authMethod,
          readOnly: p.readOnly,
          ...(await access.me(p)),
        };
      },
    }),
  ] as RouteSpec[];
}
