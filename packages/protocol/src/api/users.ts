import { z } from 'zod';
import { IdSchema, NewPasswordSchema, PageQueryShape, TimestampSchema, UsernameSchema, pageOf } from './common.ts';

export const UserSchema = z.object({
  id: IdSchema,
  username: z.string(),
  isAdmin: z.boolean(),
  disabled: z.boolean(),
  lockedUntil: TimestampSchema.nullable(),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
});
export type User = z.infer<typeof UserSchema>;

export const CreateUserSchema = z.strictObject({
  username: UsernameSchema,
  password: NewPasswordSchema,
  isAdmin: z.boolean().default(false),
});
export type CreateUser = z.infer<typeof CreateUserSchema>;

export const UpdateUserSchema = z
  .strictObject({
    isAdmin: z.boolean().optional(),
    disabled: z.boolean().optional(),
    /** Clears a temporary login lockout. */
    unlock: z.literal(true).optional(),
  })
  .refine((v) => Object.keys(v).length > 0, 'give at least one of isAdmin, disabled, unlock');
export type UpdateUser = z.infer<typeof UpdateUserSchema>;

export const ChangePasswordSchema = z.strictObject({
  /** Required when changing one's own password. */
  currentPassword: z.string().max(256).optional(),
  newPassword: NewPasswordSchema,
});
export type ChangePassword = z.infer<typeof ChangePasswordSchema>;

export const UserListQuerySchema = z.strictObject({
  ...PageQueryShape,
  search: z.string().max(100).optional(),
});
export type UserListQuery = z.infer<typeof UserListQuerySchema>;

export const UserPageSchema = pageOf(UserSchema);
export type UserPage = z.infer<typeof UserPageSchema>;
