// Stacks over the API: a compose project managed by Capstan on one environment, deployed as
// immutable versions through the command log. Server/web/cli only (classic zod); the agent side of
// stacks is packages/protocol/src/stacks (zod/mini).
import { z } from 'zod';
import { ComposeIssueSchema } from '../compose/model.ts';
import { StackPlanSchema } from '../stacks/commands.ts';
import { IdSchema, PageQueryShape, TimestampSchema, pageOf } from './common.ts';

/** Largest compose file (and each extra file) a stack holds. */
export const MAX_STACK_FILE_CHARS = 256 * 1024;

/**
 * A stack's name; its lower-case form is the compose project name on the host
 * (com.docker.compose.project), so it follows compose's rule and is unique per environment.
 */
export const StackNameSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(63, 'must be at most 63 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'must be letters, digits, _ and -, starting with a letter or digit (its lower-case form is the compose project name)');

/** Where a stack's compose file came from; `adopted`: found running on the host, compose file unknown. */
export const StackSourceSchema = z.enum(['editor', 'upload', 'template', 'git', 'adopted']);
export type StackSource = z.infer<typeof StackSourceSchema>;

/** A variable as given: a secret one may omit `value` to keep the stored one. */
export const StackVariableInputSchema = z.strictObject({
  name: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a variable name (letters, digits, _; not starting with a digit)'),
  /** Omitted on a secret variable: keep the value stored for this name. */
  value: z.string().max(32 * 1024).optional(),
  /** Secret values are encrypted at rest and never shown again. */
  secret: z.boolean().default(false),
});
export type StackVariableInput = z.infer<typeof StackVariableInputSchema>;

/** A variable as answered: secret values are masked (null). */
export const StackVariableSchema = z.object({ name: z.string(), value: z.string().nullable(), secret: z.boolean() });
export type StackVariable = z.infer<typeof StackVariableSchema>;

/** An extra file of the stack (an env file, a config or secret file the compose file refers to). */
export const StackFileSchema = z.strictObject({
  name: z
    .string()
    .min(1)
    .max(255)
    .regex(/^(?!\/)(?!.*(^|\/)\.\.(\/|$))[A-Za-z0-9._\/-]+$/, 'must be a relative file path (letters, digits, . _ - /; no ..)'),
  content: z.string().max(MAX_STACK_FILE_CHARS),
});
export type StackFile = z.infer<typeof StackFileSchema>;

const variables = z.array(StackVariableInputSchema).max(256);
const files = z.array(StackFileSchema).max(32);
const compose = z.string().min(1, 'must not be empty').max(MAX_STACK_FILE_CHARS);

/** After a deploy applied, how long the agent watches health, and what it does when health fails. */
export const StackHealthSettingsSchema = z.object({
  /** 0 disables the gate. */
  windowSeconds: z.number().int().min(0).max(3600),
  onFailure: z.enum(['rollback', 'report']),
});
export type StackHealthSettings = z.infer<typeof StackHealthSettingsSchema>;

/** Body of POST /api/stacks. Creating does not deploy: POST /api/stacks/{id}/deploy does. */
export const CreateStackSchema = z.strictObject({
  name: StackNameSchema,
  environmentId: IdSchema,
  compose,
  files: files.default([]),
  variables: variables.default([]),
  source: StackSourceSchema.exclude(['adopted']).default('editor'),
  health: z
    .strictObject({
      windowSeconds: StackHealthSettingsSchema.shape.windowSeconds.default(10),
      onFailure: StackHealthSettingsSchema.shape.onFailure.default('rollback'),
    })
    .default({ windowSeconds: 10, onFailure: 'rollback' }),
});
export type CreateStack = z.infer<typeof CreateStackSchema>;

/** Body of PATCH /api/stacks/{id}: the stack's settings. */
export const UpdateStackSchema = z
  .strictObject({
    health: z
      .strictObject({ windowSeconds: StackHealthSettingsSchema.shape.windowSeconds.optional(), onFailure: StackHealthSettingsSchema.shape.onFailure.optional() })
      .refine((v) => v.windowSeconds !== undefined || v.onFailure !== undefined, 'give windowSeconds and/or onFailure'),
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, 'give at least one setting (health)');
export type UpdateStack = z.infer<typeof UpdateStackSchema>;

/** Body of POST /api/stacks/{id}/deploy: optionally new content (it becomes the stack's), and how to pull. */
export const DeployStackSchema = z.strictObject({
  compose: compose.optional(),
  /** Replace the extra files (omitted: keep them). */
  files: files.optional(),
  /** Replace the variables (omitted: keep them); a secret without `value` keeps its stored value. */
  variables: variables.optional(),
  /** always: re-pull every tag (the one-click update); missing: pull only absent images. */
  pull: z.enum(['always', 'missing']).default('missing'),
  /** The Git commit this content comes from, recorded on the version. */
  gitCommit: z
    .string()
    .regex(/^[0-9a-f]{7,64}$/, 'must be a hexadecimal commit id')
    .optional(),
});
export type DeployStack = z.infer<typeof DeployStackSchema>;

/** Body of POST /api/stacks/{id}/plan: plan the stored content, or proposed content (not stored). */
export const PlanStackSchema = z.strictObject({
  compose: compose.optional(),
  files: files.optional(),
  variables: variables.optional(),
  /** Ask the registry whether tags moved (live plans only). */
  pull: z.boolean().default(false),
});
export type PlanStack = z.infer<typeof PlanStackSchema>;

/** Body of POST /api/stacks/{id}/rollback. */
export const RollbackStackSchema = z.strictObject({ versionId: IdSchema });
export type RollbackStack = z.infer<typeof RollbackStackSchema>;

/** Body of POST /api/environments/{id}/stacks/adopt. */
export const AdoptStackSchema = z.strictObject({
  /** The running compose project (com.docker.compose.project label) as the snapshot lists it. */
  projectName: z.string().min(1).max(63),
  /** The stack's name (default: the project name). */
  name: StackNameSchema.optional(),
});
export type AdoptStack = z.infer<typeof AdoptStackSchema>;

/** Query of DELETE /api/stacks/{id}. */
export const DeleteStackQuerySchema = z.strictObject({
  removeVolumes: z
    .enum(['true', 'false', '1', '0'], { message: 'must be true or false' })
    .transform((v) => v === 'true' || v === '1')
    .default(false),
});
export type DeleteStackQuery = z.infer<typeof DeleteStackQuerySchema>;

/** Query of GET /api/stacks. */
export const StackListQuerySchema = z.strictObject({ ...PageQueryShape, environmentId: IdSchema.optional() });
export type StackListQuery = z.infer<typeof StackListQuerySchema>;

export const StackParamsSchema = z.strictObject({ id: IdSchema });
export const StackVersionParamsSchema = z.strictObject({ id: IdSchema, versionId: IdSchema });

/** queued → deploying → deployed | failed | rolled_back; superseded: replaced by a newer deploy before it was sent. */
export const StackVersionStatusSchema = z.enum(['queued', 'deploying', 'deployed', 'failed', 'rolled_back', 'superseded']);
export type StackVersionStatus = z.infer<typeof StackVersionStatusSchema>;

/** What the agent saw of one container of an adopted project (its config labels included). */
export const AdoptedContainerSchema = z.object({
  id: z.string(),
  name: z.string(),
  image: z.string(),
  imageId: z.string(),
  state: z.string(),
  labels: z.record(z.string(), z.string()),
});

/** The running project a version was adopted from (its compose file is not known to Capstan). */
export const AdoptedProjectSchema = z.object({
  projectName: z.string(),
  workingDir: z.string().nullable(),
  configFiles: z.string().nullable(),
  services: z.record(z.string(), z.array(AdoptedContainerSchema)),
});
export type AdoptedProject = z.infer<typeof AdoptedProjectSchema>;

/** An immutable deploy record of a stack. */
export const StackVersionSchema = z.object({
  id: IdSchema,
  stackId: IdSchema,
  /** 1, 2, … per stack. */
  number: z.number().int(),
  /** deploy: new or stored content; rollback: a copy of `rollbackOf` with its image digests pinned; adopt: found running. */
  kind: z.enum(['deploy', 'rollback', 'adopt']),
  rollbackOf: IdSchema.nullable(),
  /** null for an adopted version (the compose file that made the project is not known). */
  compose: z.string().nullable(),
  files: z.array(StackFileSchema),
  variables: z.array(StackVariableSchema),
  /** service → repo@sha256:… the deploy must use (rollbacks). */
  imagePins: z.record(z.string(), z.string()),
  /** service → repo@sha256:… the agent resolved and ran. */
  imageDigests: z.record(z.string(), z.string()),
  pull: z.enum(['always', 'missing']).nullable(),
  gitCommit: z.string().nullable(),
  createdBy: z.number().int().nullable(),
  createdByName: z.string().nullable(),
  createdAt: TimestampSchema,
  status: StackVersionStatusSchema,
  /** Why it failed, was rolled back or superseded (or a note, for adopted versions). */
  reason: z.string().nullable(),
  /** The stack.deploy command in the environment's command log (null: adopted). */
  commandId: z.string().nullable(),
  /** What the agent applied (secret values masked). */
  plan: z.unknown().nullable(),
  adopted: AdoptedProjectSchema.nullable(),
  finishedAt: TimestampSchema.nullable(),
});
export type StackVersion = z.infer<typeof StackVersionSchema>;

/** Version lists leave out the (large) content. */
export const StackVersionSummarySchema = StackVersionSchema.omit({ compose: true, files: true, variables: true, plan: true, adopted: true });
export type StackVersionSummary = z.infer<typeof StackVersionSummarySchema>;
export const StackVersionListSchema = z.object({ items: z.array(StackVersionSummarySchema) });
export type StackVersionList = z.infer<typeof StackVersionListSchema>;

/**
 * draft: never deployed; deploying: the newest version is queued or running; deployed: the newest
 * deployed; failed / rolled_back: the newest did not; removing: a delete waits for its agent.
 */
export const StackStatusSchema = z.enum(['draft', 'deploying', 'deployed', 'failed', 'rolled_back', 'removing']);
export type StackStatus = z.infer<typeof StackStatusSchema>;

export const StackSchema = z.object({
  id: IdSchema,
  environmentId: IdSchema,
  name: z.string(),
  /** The compose project name on the host (the lower-case name). */
  projectName: z.string(),
  source: StackSourceSchema,
  /** The content the next deploy uses; null for an adopted stack until a compose file is deployed. */
  compose: z.string().nullable(),
  files: z.array(StackFileSchema),
  variables: z.array(StackVariableSchema),
  health: StackHealthSettingsSchema,
  status: StackStatusSchema,
  /** The version running now: the last one deployed successfully. */
  currentVersionId: IdSchema.nullable(),
  /** The newest version (any status). */
  latestVersion: StackVersionSummarySchema.nullable(),
  /** Why the last delete failed (the stack stays). */
  removeError: z.string().nullable(),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
});
export type Stack = z.infer<typeof StackSchema>;

export const StackPageSchema = pageOf(StackSchema.omit({ compose: true, files: true, variables: true }));
export type StackPage = z.infer<typeof StackPageSchema>;

const warnings = { warnings: z.array(ComposeIssueSchema) };

/** Answer of POST /api/stacks: the stack and the compose file's warnings. */
export const CreatedStackSchema = StackSchema.extend(warnings);
export type CreatedStack = z.infer<typeof CreatedStackSchema>;

/** Answer of deploy and rollback (202): the new version and the compose file's warnings. */
export const DeployedVersionSchema = StackVersionSchema.extend(warnings);
export type DeployedVersion = z.infer<typeof DeployedVersionSchema>;

/** Answer of DELETE /api/stacks/{id} (202): the stack.remove command, or null when nothing ran on the host. */
export const StackRemovalSchema = z.object({ stackId: IdSchema, commandId: z.string().nullable(), removed: z.boolean() });
export type StackRemoval = z.infer<typeof StackRemovalSchema>;

/** Answer of POST /api/stacks/{id}/plan. */
export const StackPlanAnswerSchema = z.object({
  plan: StackPlanSchema,
  /** Why the plan is not live (agent offline, slow or unable), or null. */
  liveUnavailable: z.string().nullable(),
  warnings: z.array(ComposeIssueSchema),
});
export type StackPlanAnswer = z.infer<typeof StackPlanAnswerSchema>;
