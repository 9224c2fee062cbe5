import { z } from 'zod';
import { IdSchema, NameSchema, TimestampSchema } from './common.ts';

export const ApiKeySchema = z.object({
  id: IdSchema,
  userId: IdSchema,
  name: z.string(),
  /** First characters of the key, enough to recognise it in a list. */
  prefix: z.string(),
  readOnly: z.boolean(),
  expiresAt: TimestampSchema.nullable(),
  lastUsedAt: TimestampSchema.nullable(),
  createdAt: TimestampSchema,
});
export type ApiKey = z.infer<typeof ApiKeySchema>;

export const CreateApiKeySchema = z.strictObject({
  name: NameSchema,
  readOnly: z.boolean().default(false),
  expiresAt: TimestampSchema.optional().refine(
    (v) => v === undefined || Date.parse(v) > Date.now(),
    'must be in the future',
  ),
});
export type CreateApiKey = z.infer<typeof CreateApiKeySchema>;

/** The secret is shown once, at creation; the server keeps only its hash. */
export const CreatedApiKeySchema = ApiKeySchema.extend({ key: z.string() });
export type CreatedApiKey = z.infer<typeof CreatedApiKeySchema>;

export const ApiKeyListQuerySchema = z.strictObject({
  /** Administrators may list another user's keys. */
  userId: IdSchema.optional(),
});
export const ApiKeyListSchema = z.object({ items: z.array(ApiKeySchema) });
export type ApiKeyList = z.infer<typeof ApiKeyListSchema>;
