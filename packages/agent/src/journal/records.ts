import * as z from 'zod/mini';

/**
 * One line of the journal: a command accepted for execution, a checkpoint on its way (what recovery
 * after a crash needs to tell whether its effect happened), or the result it produced.
 */
export const JournalRecordSchema = z.discriminatedUnion('t', [
  z.object({
    t: z.literal('accepted'),
    id: z.string().check(z.minLength(1)),
    seq: z.int().check(z.nonnegative()),
    kind: z.string().check(z.minLength(1)),
    at: z.string(),
  }),
  z.object({
    t: z.literal('checkpoint'),
    id: z.string().check(z.minLength(1)),
    data: z.unknown(),
    at: z.string(),
  }),
  z.object({
    t: z.literal('result'),
    id: z.string().check(z.minLength(1)),
    status: z.enum(['succeeded', 'failed']),
    result: z.unknown(),
    at: z.string(),
  }),
]);
export type JournalRecord = z.infer<typeof JournalRecordSchema>;

/** What the journal knows about one command id. */
export type CommandState =
  | { state: 'unknown' }
  /** `checkpoint`: the data of the last checkpoint journalled for it, when there is one. */
  | { state: 'accepted'; seq: number; kind: string; checkpoint?: unknown }
  | { state: 'done'; seq: number; kind: string; status: 'succeeded' | 'failed'; result: unknown };

/**
 * Splits journal text into records. A torn last line (crash mid-append) is dropped and its
 * byte offset returned so the file can be cut back to the last whole record; a malformed line
 * elsewhere means the file was edited or corrupted, which the caller must not paper over.
 */
export function parseJournal(text: string): { records: JournalRecord[]; validBytes: number; corruptLine: number | null } {
  const records: JournalRecord[] = [];
  let offset = 0;
  let line = 0;
  while (offset < text.length) {
    const nl = text.indexOf('\n', offset);
    if (nl === -1) break; // torn tail: never acknowledged, safe to drop
    line++;
    const raw = text.slice(offset, nl);
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      return { records, validBytes: Buffer.byteLength(text.slice(0, offset)), corruptLine: line };
    }
    const r = JournalRecordSchema.safeParse(parsed);
    if (!r.success) return { records, validBytes: Buffer.byteLength(text.slice(0, offset)), corruptLine: line };
    records.push(r.data);
    offset = nl + 1;
  }
  return { records, validBytes: Buffer.byteLength(text.slice(0, offset)), corruptLine: null };
}
