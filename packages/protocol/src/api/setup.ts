import { z } from 'zod';
import { NewPasswordSchema, UsernameSchema } from './common.ts';
import { LoginResponseSchema } from './auth.ts';

export const SetupAdminSchema = z.strictObject({
  username: UsernameSchema.default('admin'),
  password: NewPasswordSchema,
});
export type SetupAdmin = z.infer<typeof SetupAdminSchema>;

/** Setup signs the new administrator in at once. */
export const SetupAdminResponseSchema = LoginResponseSchema;
