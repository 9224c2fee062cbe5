// Identifier and timestamp rules shared by the API schemas (classic zod, api/common.ts) and the
// schemas the Edge Agent loads (zod/mini: classic zod alone costs the agent ~12 MB of memory).
// Both flavours are built from the constants here, so they accept exactly the same values.
import * as z from 'zod/mini';

/** Largest numeric id (PostgreSQL `integer`). */
export const MAX_ID = 2_147_483_647;

/** What a timestamp beyond the year 9999 is told (JavaScript dates go further; SQL and ISO-8601 text do not). */
export const TIMESTAMP_RANGE_MESSAGE = 'must be a date no later than the year 9999 (UTC)';

/** True for an ISO-8601 text whose instant lies no later than the year 9999 (UTC). */
export function timestampInRange(v: string): boolean {
  const t = Date.parse(v);
  return Number.isFinite(t) && new Date(t).getUTCFullYear() <= 9999;
}

/** Numeric identifier (coerced, as in URLs), the zod/mini twin of api/common.ts IdSchema. */
export const IdMiniSchema = z.coerce.number().check(z.int(), z.positive(), z.maximum(MAX_ID));

/** ISO-8601 UTC timestamp as written by the server, the zod/mini twin of api/common.ts TimestampSchema. */
export const TimestampMiniSchema = z.iso.datetime({ offset: true }).check(z.refine(timestampInRange, TIMESTAMP_RANGE_MESSAGE));
