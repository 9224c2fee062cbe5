import { z } from 'zod';
import { IdSchema, TimestampSchema } from './common.ts';
import { PermissionSchema, RoleNameSchema } from '../permissions.ts';

export const RoleSchema = z.object({
  name: RoleNameSchema,
  displayName: z.string(),
  description: z.string(),
  permissions: z.array(PermissionSchema),
});
export const RoleListSchema = z.object({
  items: z.array(RoleSchema),
  permissions: z.array(
    z.object({
      name: PermissionSchema,
      scope: z.enum(['self', 'global', 'environment']),
      mutating: z.boolean(),
      description: z.string(),
    }),
  ),
});
export type RoleList = z.infer<typeof RoleListSchema>;

export const PrincipalSchema = z.strictObject({ type: z.enum(['user', 'team']), id: IdSchema });
export const ScopeSchema = z.strictObject({ type: z.enum(['environment', 'group']), id: IdSchema });
export type Principal = z.infer<typeof PrincipalSchema>;
export type Scope = z.infer<typeof ScopeSchema>;

export const RoleAssignmentSchema = z.object({
  id: IdSchema,
  principal: PrincipalSchema,
  scope: ScopeSchema,
  role: RoleNameSchema,
  createdAt: TimestampSchema,
});
export type RoleAssignment = z.infer<typeof RoleAssignmentSchema>;

/** Granting a role where the principal already holds one on that scope replaces it. */
export const CreateRoleAssignmentSchema = z.strictObject({
  principal: PrincipalSchema,
  scope: ScopeSchema,
  role: RoleNameSchema,
});
export type CreateRoleAssignment = z.infer<typeof CreateRoleAssignmentSchema>;

export const RoleAssignmentQuerySchema = z.strictObject({
  scopeType: z.enum(['environment', 'group']).optional(),
  scopeId: IdSchema.optional(),
  principalType: z.enum(['user', 'team']).optional(),
  principalId: IdSchema.optional(),
});
export type RoleAssignmentQuery = z.infer<typeof RoleAssignmentQuerySchema>;
export const RoleAssignmentListSchema = z.object({ items: z.array(RoleAssignmentSchema) });
