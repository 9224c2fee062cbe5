// Live updates for people's clients: GET /api/events is a Server-Sent Events stream of small
// change notices. Each names what changed, not the new state: a client refetches what it shows
// (through the API table), so a notice never carries data its reader may not see in full.
import { z } from 'zod';
import { CommandStatusSchema } from '../commands/index.ts';

/** The path of the change-notice stream. */
export const EVENTS_PATH = '/api/events';

/** An environment's row changed: status (agent up/down), mode, last seen or poll state, name, tags, group. */
export const EnvironmentChangedSchema = z.object({ type: z.literal('environment'), environmentId: z.number().int() });
/** The server stored a new engine state for the environment (containers, images, volumes, networks). */
export const SnapshotChangedSchema = z.object({ type: z.literal('snapshot'), environmentId: z.number().int() });
/** A queued command of the environment changed status. */
export const CommandChangedSchema = z.object({
  type: z.literal('command'),
  environmentId: z.number().int(),
  commandId: z.string(),
  status: CommandStatusSchema,
});
/** A stack or one of its versions changed (created, deployed, failed, rolled back, removed). */
export const StackChangedSchema = z.object({ type: z.literal('stack'), environmentId: z.number().int(), stackId: z.number().int() });

/** One change notice: the `data` of an SSE event whose `event` field is the notice's `type`. */
export const LiveEventSchema = z.discriminatedUnion('type', [EnvironmentChangedSchema, SnapshotChangedSchema, CommandChangedSchema, StackChangedSchema]);
export type LiveEvent = z.infer<typeof LiveEventSchema>;
export type LiveEventType = LiveEvent['type'];
