// Commands: server → agent operations other than the raw Docker passthrough. Each one is an entry
// of the environment's durable, ordered command log; the agent journals it, runs it at most once
// per id and reports a result. Later issues add kinds (stack deploys, …) to COMMAND_SPEC_SCHEMAS.
import * as z from 'zod/mini';
import { RegistryAuthSchema } from '../stacks/commands.ts';

/** Docker container id or name, as the Engine API accepts in a path. */
export const ContainerRefSchema = z
  .string()
  .check(z.minLength(1), z.maxLength(128), z.regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'must be a container id or name (letters, digits, _ . -)'));

const timeoutSeconds = z.int().check(z.minimum(0), z.maximum(3600));

export const ContainerStartCommandSchema = z.strictObject({
  kind: z.literal('container.start'),
  payload: z.strictObject({ containerId: ContainerRefSchema }),
});
export const ContainerStopCommandSchema = z.strictObject({
  kind: z.literal('container.stop'),
  payload: z.strictObject({ containerId: ContainerRefSchema, timeoutSeconds: z.optional(timeoutSeconds) }),
});
export const ContainerRestartCommandSchema = z.strictObject({
  kind: z.literal('container.restart'),
  payload: z.strictObject({ containerId: ContainerRefSchema, timeoutSeconds: z.optional(timeoutSeconds) }),
});
export const ContainerKillCommandSchema = z.strictObject({
  kind: z.literal('container.kill'),
  payload: z.strictObject({
    containerId: ContainerRefSchema,
    signal: z.optional(z.string().check(z.regex(/^(SIG)?[A-Z0-9]{1,12}$/, 'must be a signal name such as SIGTERM'))),
  }),
});
export const ContainerRemoveCommandSchema = z.strictObject({
  kind: z.literal('container.remove'),
  payload: z.strictObject({
    containerId: ContainerRefSchema,
    force: z._default(z.boolean(), false),
    removeVolumes: z._default(z.boolean(), false),
  }),
});
/** Runs a process in a running container (no TTY) and reports its exit code and bounded output. */
export const ContainerExecCommandSchema = z.strictObject({
  kind: z.literal('container.exec'),
  payload: z.strictObject({
    containerId: ContainerRefSchema,
    cmd: z.array(z.string().check(z.maxLength(4096))).check(z.minLength(1), z.maxLength(256)),
    env: z.optional(z.array(z.string().check(z.maxLength(4096))).check(z.maxLength(256))),
    workingDir: z.optional(z.string().check(z.maxLength(4096))),
    user: z.optional(z.string().check(z.maxLength(256))),
  }),
});
/**
 * Pulls an image (reference as `docker pull` takes it). `registryAuth` is filled by the server from
 * the registry definitions (users may not send it) and travels sealed in the command log.
 */
export const ImagePullCommandSchema = z.strictObject({
  kind: z.literal('image.pull'),
  payload: z.strictObject({
    image: z.string().check(z.minLength(1), z.maxLength(512), z.regex(/^[^\s]+$/, 'must be an image reference without spaces')),
    registryAuth: z.optional(z.array(RegistryAuthSchema).check(z.maxLength(8))),
  }),
});

/** Every command kind this protocol version defines, each with its payload schema. */
export const COMMAND_SPEC_SCHEMAS = [
  ContainerStartCommandSchema,
  ContainerStopCommandSchema,
  ContainerRestartCommandSchema,
  ContainerKillCommandSchema,
  ContainerRemoveCommandSchema,
  ContainerExecCommandSchema,
  ImagePullCommandSchema,
] as const;

/** A command as queued: its kind and the payload that kind takes. */
export const CommandSpecSchema = z.discriminatedUnion('kind', [...COMMAND_SPEC_SCHEMAS]);
export type CommandSpec = z.infer<typeof CommandSpecSchema>;
export type CommandKind = CommandSpec['kind'];

/** The kinds of COMMAND_SPEC_SCHEMAS, in their order. */
export const COMMAND_KINDS: readonly CommandKind[] = COMMAND_SPEC_SCHEMAS.map((s) => s.shape.kind.def.values[0] as CommandKind);

/** Wire shape of a kind: validated loosely on the frame so a newer kind fails the command, not the tunnel. */
export const CommandKindNameSchema = z.string().check(z.regex(/^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/, 'must be a dotted lower-case command kind'));

/**
 * Lifecycle of a command in the server's log. queued → sent → accepted → succeeded | failed;
 * `expired`, `cancelled` and `superseded` end a command that never ran.
 */
export const CommandStatusSchema = z.enum(['queued', 'sent', 'accepted', 'succeeded', 'failed', 'expired', 'cancelled', 'superseded']);
export type CommandStatus = z.infer<typeof CommandStatusSchema>;

/** Why a command failed, as the agent reports it. */
export const CommandErrorSchema = z.object({
  code: z.string().check(z.minLength(1), z.maxLength(64)),
  message: z.string().check(z.maxLength(4096)),
});
export type CommandError = z.infer<typeof CommandErrorSchema>;

/**
 * How often the agent tries a command whose attempt failed with a retryable error (the engine was
 * unreachable or answered 5xx, a pull hit the network): `attempts` in all, `delayMs` apart. The
 * agent retries in place, so later commands keep waiting and the order holds. A command failing
 * its last attempt ends `failed` with its error (the dead-letter list: GET …/commands?status=failed,
 * re-queued with POST …/commands/{id}/retry).
 */
export const RetryPolicySchema = z.object({
  attempts: z.int().check(z.minimum(1), z.maximum(10)),
  delayMs: z.int().check(z.minimum(0), z.maximum(3_600_000)),
});
export type RetryPolicy = z.infer<typeof RetryPolicySchema>;

/** The policy of a kind when the command does not name one: pulls ride out network trouble, the rest run once. */
export function defaultRetryPolicy(kind: string): RetryPolicy {
  return kind === 'image.pull' ? { attempts: 3, delayMs: 10_000 } : { attempts: 1, delayMs: 0 };
}

/** Largest output a command result carries (exec output is cut to this, marked truncated). */
export const MAX_COMMAND_OUTPUT_CHARS = 64 * 1024;
