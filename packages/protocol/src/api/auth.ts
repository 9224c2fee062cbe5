import { z } from 'zod';
import { TimestampSchema } from './common.ts';
import { UserSchema } from './users.ts';
import { PermissionSchema, RoleNameSchema } from '../permissions.ts';

export const LoginSchema = z.strictObject({
  username: z.string().min(1, 'must not be empty').max(64),
  password: z.string().min(1, 'must not be empty').max(256),
});
export type Login = z.infer<typeof LoginSchema>;

export const LoginResponseSchema = z.object({
  token: z.string(),
  expiresAt: TimestampSchema,
  user: UserSchema,
});
export type LoginResponse = z.infer<typeof LoginResponseSchema>;

/** Who the caller is and what it may do: drives role-aware clients. */
export const MeResponseSchema = z.object({
  user: UserSchema,
  authMethod: z.enum(['session', 'api_key']),
  readOnly: z.boolean(),
  /** Global permissions held (all of them for administrators). */
  permissions: z.array(PermissionSchema),
  /** Roles held per environment and per group, after team expansion. */
  environmentRoles: z.array(z.object({ environmentId: z.number().int(), roles: z.array(RoleNameSchema) })),
  groupRoles: z.array(z.object({ groupId: z.number().int(), roles: z.array(RoleNameSchema) })),
});
export type MeResponse = z.infer<typeof MeResponseSchema>;
