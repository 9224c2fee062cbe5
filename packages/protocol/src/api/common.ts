import { z } from 'zod';
import { MAX_ID, TIMESTAMP_RANGE_MESSAGE, timestampInRange } from '../primitives.ts';

/** Numeric identifiers, as they appear in URLs (`/api/environments/12`). */
export const IdSchema = z.coerce.number().int().positive().max(MAX_ID);

export const IdParamsSchema = z.strictObject({ id: IdSchema });
export type IdParams = z.infer<typeof IdParamsSchema>;

/** ISO-8601 UTC timestamp as written by the server. */
export const TimestampSchema = z
  .string()
  .datetime({ offset: true })
  .refine(timestampInRange, TIMESTAMP_RANGE_MESSAGE);

/** Offset paging shared by every list route. */
export const PageQueryShape = {
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
};

/** A page of items plus the total number matching the filter. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    total: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
  });
}

/** A name people type and read: trimmed, 1..100 chars, no control characters. */
export const NameSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')
  .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters');

export const UsernameSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters')
  .regex(/^[A-Za-z0-9._@-]*$/, 'may contain only letters, digits and . _ @ -');

/** Passwords: length is what matters (NIST 800-63B); the cap keeps hashing bounded. */
export const NewPasswordSchema = z
  .string()
  .min(12, 'must be at least 12 characters')
  .max(256, 'must be at most 256 characters');

export const EmptySchema = z.strictObject({});
