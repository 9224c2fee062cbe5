// The live state of one Docker engine as the agent reports it: sent in full on connect and on each
// resync, and as deltas in between. Plain data; the pure diff/apply/hash helpers live beside it.
import * as z from 'zod/mini';

const labels = z.record(z.string(), z.string());

export const SnapshotPortSchema = z.object({
  privatePort: z.int(),
  publicPort: z.optional(z.int()),
  type: z.string().check(z.maxLength(8)),
  ip: z.optional(z.string().check(z.maxLength(64))),
});

export const SnapshotContainerSchema = z.object({
  id: z.string().check(z.maxLength(128)),
  name: z.string().check(z.maxLength(256)),
  image: z.string().check(z.maxLength(512)),
  imageId: z.string().check(z.maxLength(128)),
  command: z.string().check(z.maxLength(1024)),
  createdAt: z.string().check(z.maxLength(64)),
  /** created, running, paused, restarting, removing, exited, dead */
  state: z.string().check(z.maxLength(32)),
  /** Docker's status text without its relative times ("Up (healthy)", "Exited (0)"), so it changes only with the state. */
  status: z.string().check(z.maxLength(256)),
  health: z.nullable(z.string().check(z.maxLength(32))),
  labels,
  ports: z.array(SnapshotPortSchema).check(z.maxLength(256)),
  composeProject: z.nullable(z.string().check(z.maxLength(256))),
  composeService: z.nullable(z.string().check(z.maxLength(256))),
});
export type SnapshotContainer = z.infer<typeof SnapshotContainerSchema>;

export const SnapshotImageSchema = z.object({
  id: z.string().check(z.maxLength(128)),
  repoTags: z.array(z.string().check(z.maxLength(512))).check(z.maxLength(256)),
  repoDigests: z.array(z.string().check(z.maxLength(512))).check(z.maxLength(256)),
  size: z.int().check(z.minimum(0)),
  createdAt: z.string().check(z.maxLength(64)),
});
export type SnapshotImage = z.infer<typeof SnapshotImageSchema>;

export const SnapshotVolumeSchema = z.object({
  name: z.string().check(z.maxLength(256)),
  driver: z.string().check(z.maxLength(128)),
  mountpoint: z.string().check(z.maxLength(4096)),
  labels,
  composeProject: z.nullable(z.string().check(z.maxLength(256))),
});
export type SnapshotVolume = z.infer<typeof SnapshotVolumeSchema>;

export const SnapshotNetworkSchema = z.object({
  id: z.string().check(z.maxLength(128)),
  name: z.string().check(z.maxLength(256)),
  driver: z.string().check(z.maxLength(128)),
  scope: z.string().check(z.maxLength(32)),
  labels,
  composeProject: z.nullable(z.string().check(z.maxLength(256))),
});
export type SnapshotNetwork = z.infer<typeof SnapshotNetworkSchema>;

/** A compose project found by the com.docker.compose.project labels of its containers. */
export const SnapshotComposeProjectSchema = z.object({
  name: z.string().check(z.maxLength(256)),
  services: z.array(z.string().check(z.maxLength(256))).check(z.maxLength(1024)),
  containers: z.int().check(z.minimum(0)),
  running: z.int().check(z.minimum(0)),
  workingDir: z.nullable(z.string().check(z.maxLength(4096))),
  configFiles: z.nullable(z.string().check(z.maxLength(4096))),
});
export type SnapshotComposeProject = z.infer<typeof SnapshotComposeProjectSchema>;

export const SnapshotEngineSchema = z.object({
  name: z.string().check(z.maxLength(256)),
  version: z.string().check(z.maxLength(64)),
  apiVersion: z.string().check(z.maxLength(16)),
  os: z.string().check(z.maxLength(128)),
  arch: z.string().check(z.maxLength(64)),
  kernelVersion: z.string().check(z.maxLength(256)),
  cpus: z.int().check(z.minimum(0)),
  memoryBytes: z.int().check(z.minimum(0)),
  storageDriver: z.string().check(z.maxLength(64)),
});
export type SnapshotEngine = z.infer<typeof SnapshotEngineSchema>;

/** Everything the server keeps about one engine. */
export const EngineSnapshotSchema = z.object({
  takenAt: z.string().check(z.maxLength(64)),
  engine: SnapshotEngineSchema,
  containers: z.array(SnapshotContainerSchema).check(z.maxLength(10_000)),
  images: z.array(SnapshotImageSchema).check(z.maxLength(10_000)),
  volumes: z.array(SnapshotVolumeSchema).check(z.maxLength(10_000)),
  networks: z.array(SnapshotNetworkSchema).check(z.maxLength(10_000)),
  composeProjects: z.array(SnapshotComposeProjectSchema).check(z.maxLength(10_000)),
  /**
   * Set when the agent left data out to fit one control frame (labels first, then whole items):
   * the snapshot is true as far as it goes but incomplete. Absent means complete.
   */
  truncated: z.optional(z.boolean()),
});
export type EngineSnapshot = z.infer<typeof EngineSnapshotSchema>;

/** Changes to one collection: items added or changed (whole items), and keys removed. */
const collectionDelta = <T extends z.ZodMiniType>(item: T) =>
  z.object({
    upsert: z.array(item).check(z.maxLength(10_000)),
    remove: z.array(z.string().check(z.maxLength(256))).check(z.maxLength(10_000)),
  });

/** Difference between two snapshots; applying it to the base yields the newer snapshot exactly. */
export const SnapshotDeltaSchema = z.object({
  takenAt: z.string().check(z.maxLength(64)),
  engine: z.optional(SnapshotEngineSchema),
  containers: collectionDelta(SnapshotContainerSchema),
  images: collectionDelta(SnapshotImageSchema),
  volumes: collectionDelta(SnapshotVolumeSchema),
  networks: collectionDelta(SnapshotNetworkSchema),
  composeProjects: collectionDelta(SnapshotComposeProjectSchema),
  /** Present when the newer snapshot's `truncated` differs from the base's. */
  truncated: z.optional(z.boolean()),
});
export type SnapshotDelta = z.infer<typeof SnapshotDeltaSchema>;
