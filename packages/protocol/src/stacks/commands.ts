// Stack operations as commands of the command log (see commands/index.ts): what the server asks an
// agent to do with a compose project, and what the agent answers. The agent validates payloads with
// these schemas; a payload it cannot parse is a failed command, never a tunnel error.
import * as z from 'zod/mini';
import { ComposeProjectSchema } from '../compose/model.ts';

/** Credentials for one registry, resolved by the server for the images of a deploy (sent over TLS, never journalled). */
export const RegistryAuthSchema = z.object({
  /** Registry host[:port] as it appears in image references (docker.io for Docker Hub). */
  serverAddress: z.string().check(z.minLength(1), z.maxLength(255)),
  username: z.string().check(z.maxLength(255)),
  password: z.string().check(z.maxLength(4096)),
});
export type RegistryAuth = z.infer<typeof RegistryAuthSchema>;

/** After applying, how long to watch health, and what to do when it fails. */
export const HealthGateSchema = z.object({
  /** Watch window; 0 disables the gate. */
  windowMs: z.int().check(z.minimum(0), z.maximum(3_600_000)),
  onFailure: z.enum(['rollback', 'report']),
});
export type HealthGate = z.infer<typeof HealthGateSchema>;

/** A deployable target: the project plus image pins (service → image@digest) for exact rollbacks. */
export const StackTargetSchema = z.object({
  stackId: z.int().check(z.positive()),
  versionId: z.int().check(z.positive()),
  project: ComposeProjectSchema,
  /** service name → pinned reference (repo@sha256:…), used instead of the tag when present. */
  imagePins: z.record(z.string(), z.string().check(z.maxLength(512))),
});
export type StackTarget = z.infer<typeof StackTargetSchema>;

/** `stack.deploy`: reconcile the engine to `target`; on a failed health gate go back to `previous`. */
export const StackDeployPayloadSchema = z.object({
  target: StackTargetSchema,
  previous: z.nullable(StackTargetSchema),
  /** always: re-pull tags (the one-click update); missing: pull only absent images. */
  pull: z.enum(['always', 'missing']),
  registryAuth: z.array(RegistryAuthSchema).check(z.maxLength(64)),
  health: HealthGateSchema,
});
export type StackDeployPayload = z.infer<typeof StackDeployPayloadSchema>;

/** `stack.plan`: compute the plan against the live engine, changing nothing (pull: true checks registry digests). */
export const StackPlanPayloadSchema = z.object({
  target: StackTargetSchema,
  pull: z.boolean(),
  registryAuth: z.array(RegistryAuthSchema).check(z.maxLength(64)),
});
export type StackPlanPayload = z.infer<typeof StackPlanPayloadSchema>;

/** `stack.remove`: remove the project's containers and networks (and its volumes when asked). */
export const StackRemovePayloadSchema = z.object({
  projectName: z.string().check(z.minLength(1), z.maxLength(63)),
  removeVolumes: z.boolean(),
});
export type StackRemovePayload = z.infer<typeof StackRemovePayloadSchema>;

/** One field that differs between the running container and the target service. */
export const FieldChangeSchema = z.object({
  field: z.string().check(z.maxLength(128)),
  from: z.unknown(),
  to: z.unknown(),
});
export type FieldChange = z.infer<typeof FieldChangeSchema>;

/** The plan for one service. */
export const ServicePlanSchema = z.object({
  service: z.string(),
  action: z.enum(['create', 'recreate', 'remove', 'unchanged', 'scale']),
  /** For recreate: what changed (config fields and/or image). */
  changes: z.array(FieldChangeSchema),
  image: z.object({
    reference: z.string(),
    /** Image id/digest the running container uses (null: none running). */
    current: z.nullable(z.string()),
    /** What the target resolves to (null: unknown without a pull check). */
    target: z.nullable(z.string()),
    /** A re-pull found a newer image for the same tag. */
    updated: z.boolean(),
  }),
  containers: z.object({ current: z.int().check(z.minimum(0)), target: z.int().check(z.minimum(0)) }),
});
export type ServicePlan = z.infer<typeof ServicePlanSchema>;

/** The whole plan: per service, networks and volumes, and what it was computed against. */
export const StackPlanSchema = z.object({
  services: z.array(ServicePlanSchema),
  /** recreate: an existing network's settings differ from the file (`changes` says which); the deploy refuses it. */
  networks: z.array(z.object({ name: z.string(), action: z.enum(['create', 'unchanged', 'remove', 'recreate']), changes: z.optional(z.array(FieldChangeSchema)) })),
  volumes: z.array(z.object({ name: z.string(), action: z.enum(['create', 'unchanged']) })),
  /** live: the agent's planner against the engine now; snapshot: against the last snapshot (host offline). */
  basis: z.enum(['live', 'snapshot']),
  computedAt: z.string(),
  /** True when nothing would change. */
  noop: z.boolean(),
});
export type StackPlan = z.infer<typeof StackPlanSchema>;

/** `stack.deploy` result (the command's `output`). */
export const StackDeployResultSchema = z.object({
  outcome: z.enum(['deployed', 'rolled_back', 'failed']),
  plan: StackPlanSchema,
  /** service → image digest actually used (repo@sha256:…), recorded on the version for exact rollbacks. */
  imageDigests: z.record(z.string(), z.string()),
  /** Why the deploy failed or was rolled back (service, check, message). */
  failure: z.nullable(z.object({ service: z.nullable(z.string()), reason: z.string().check(z.maxLength(4096)) })),
  durationMs: z.int().check(z.minimum(0)),
});
export type StackDeployResult = z.infer<typeof StackDeployResultSchema>;

/** Progress of a running command (agent → server, not journalled; best effort, in order per command). */
export const CommandProgressEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('step'), step: z.string().check(z.maxLength(256)), status: z.enum(['started', 'done', 'failed']), detail: z.optional(z.string().check(z.maxLength(1024))) }),
  z.object({ type: z.literal('pull'), image: z.string().check(z.maxLength(512)), layer: z.optional(z.string().check(z.maxLength(128))), status: z.string().check(z.maxLength(128)), current: z.optional(z.int().check(z.minimum(0))), total: z.optional(z.int().check(z.minimum(0))) }),
  z.object({ type: z.literal('health'), service: z.string().check(z.maxLength(256)), status: z.string().check(z.maxLength(64)), detail: z.optional(z.string().check(z.maxLength(1024))) }),
  z.object({ type: z.literal('message'), level: z.enum(['info', 'warn', 'error']), text: z.string().check(z.maxLength(4096)) }),
]);
export type CommandProgressEvent = z.infer<typeof CommandProgressEventSchema>;
