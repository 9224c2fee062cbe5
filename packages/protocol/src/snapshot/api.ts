// The REST view of an environment's latest snapshot (GET /api/environments/{id}/snapshot).
import { z } from 'zod';
import { EngineSnapshotSchema } from './schema.ts';

/** The latest engine state the server holds for one environment. */
export const EnvironmentSnapshotViewSchema = z.object({
  environmentId: z.number().int(),
  /** When the agent collected the state. */
  takenAt: z.string(),
  /** When the server stored it (last full snapshot or delta). */
  receivedAt: z.string(),
  /** sha256 hex of the snapshot's canonical form. */
  hash: z.string(),
  /** Whether the agent is connected now; false means this is the last state seen before it left. */
  live: z.boolean(),
  snapshot: EngineSnapshotSchema,
});
export type EnvironmentSnapshotView = z.infer<typeof EnvironmentSnapshotViewSchema>;

/** Container counts shown in environment lists (from the latest snapshot); paused ones count in `total` only. */
export const EnvironmentContainerCountsSchema = z.object({
  total: z.number().int(),
  running: z.number().int(),
  stopped: z.number().int(),
  unhealthy: z.number().int(),
});
export type EnvironmentContainerCounts = z.infer<typeof EnvironmentContainerCountsSchema>;
