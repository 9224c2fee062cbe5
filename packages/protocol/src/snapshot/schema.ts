// The live state of one Docker engine as the agent reports it: sent in full on connect and on each
// resync, and as deltas in between. Plain data; the pure diff/apply/hash helpers live beside it.
import { z } from 'zod';

const labels = z.record(z.string(), z.string());

export const SnapshotPortSchema = z.object({
  privatePort: z.number().int(),
  publicPort: z.number().int().optional(),
  type: z.string().max(8),
  ip: z.string().max(64).optional(),
});

export const SnapshotContainerSchema = z.object({
  id: z.string().max(128),
  name: z.string().max(256),
  image: z.string().max(512),
  imageId: z.string().max(128),
  command: z.string().max(1024),
  createdAt: z.string().max(64),
  /** created, running, paused, restarting, removing, exited, dead */
  state: z.string().max(32),
  /** Docker's status text without its relative times ("Up (healthy)", "Exited (0)"), so it changes only with the state. */
  status: z.string().max(256),
  health: z.string().max(32).nullable(),
  labels,
  ports: z.array(SnapshotPortSchema).max(256),
  composeProject: z.string().max(256).nullable(),
  composeService: z.string().max(256).nullable(),
});
export type SnapshotContainer = z.infer<typeof SnapshotContainerSchema>;

export const SnapshotImageSchema = z.object({
  id: z.string().max(128),
  repoTags: z.array(z.string().max(512)).max(256),
  repoDigests: z.array(z.string().max(512)).max(256),
  size: z.number().int().min(0),
  createdAt: z.string().max(64),
});
export type SnapshotImage = z.infer<typeof SnapshotImageSchema>;

export const SnapshotVolumeSchema = z.object({
  name: z.string().max(256),
  driver: z.string().max(128),
  mountpoint: z.string().max(4096),
  labels,
  composeProject: z.string().max(256).nullable(),
});
export type SnapshotVolume = z.infer<typeof SnapshotVolumeSchema>;

export const SnapshotNetworkSchema = z.object({
  id: z.string().max(128),
  name: z.string().max(256),
  driver: z.string().max(128),
  scope: z.string().max(32),
  labels,
  composeProject: z.string().max(256).nullable(),
});
export type SnapshotNetwork = z.infer<typeof SnapshotNetworkSchema>;

/** A compose project found by the com.docker.compose.project labels of its containers. */
export const SnapshotComposeProjectSchema = z.object({
  name: z.string().max(256),
  services: z.array(z.string().max(256)).max(1024),
  containers: z.number().int().min(0),
  running: z.number().int().min(0),
  workingDir: z.string().max(4096).nullable(),
  configFiles: z.string().max(4096).nullable(),
});
export type SnapshotComposeProject = z.infer<typeof SnapshotComposeProjectSchema>;

export const SnapshotEngineSchema = z.object({
  name: z.string().max(256),
  version: z.string().max(64),
  apiVersion: z.string().max(16),
  os: z.string().max(128),
  arch: z.string().max(64),
  kernelVersion: z.string().max(256),
  cpus: z.number().int().min(0),
  memoryBytes: z.number().int().min(0),
  storageDriver: z.string().max(64),
});
export type SnapshotEngine = z.infer<typeof SnapshotEngineSchema>;

/** Everything the server keeps about one engine. */
export const EngineSnapshotSchema = z.object({
  takenAt: z.string().max(64),
  engine: SnapshotEngineSchema,
  containers: z.array(SnapshotContainerSchema).max(10_000),
  images: z.array(SnapshotImageSchema).max(10_000),
  volumes: z.array(SnapshotVolumeSchema).max(10_000),
  networks: z.array(SnapshotNetworkSchema).max(10_000),
  composeProjects: z.array(SnapshotComposeProjectSchema).max(10_000),
  /**
   * Set when the agent left data out to fit one control frame (labels first, then whole items):
   * the snapshot is true as far as it goes but incomplete. Absent means complete.
   */
  truncated: z.boolean().optional(),
});
export type EngineSnapshot = z.infer<typeof EngineSnapshotSchema>;

/** Changes to one collection: items added or changed (whole items), and keys removed. */
const collectionDelta = <T extends z.ZodTypeAny>(item: T) =>
  z.object({ upsert: z.array(item).max(10_000), remove: z.array(z.string().max(256)).max(10_000) });

/** Difference between two snapshots; applying it to the base yields the newer snapshot exactly. */
export const SnapshotDeltaSchema = z.object({
  takenAt: z.string().max(64),
  engine: SnapshotEngineSchema.optional(),
  containers: collectionDelta(SnapshotContainerSchema),
  images: collectionDelta(SnapshotImageSchema),
  volumes: collectionDelta(SnapshotVolumeSchema),
  networks: collectionDelta(SnapshotNetworkSchema),
  composeProjects: collectionDelta(SnapshotComposeProjectSchema),
  /** Present when the newer snapshot's `truncated` differs from the base's. */
  truncated: z.boolean().optional(),
});
export type SnapshotDelta = z.infer<typeof SnapshotDeltaSchema>;
