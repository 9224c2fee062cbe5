// Git stacks over the API: a stack's compose file (and the files it references) taken from a Git
// repository at a ref, redeployed when a poll or a signed webhook finds that those files changed.
import { z } from 'zod';
import { TimestampSchema } from './common.ts';

/**
 * Where the repository is: https://, http://, ssh://, git:// or scp-like `user@host:path`.
 * Credentials never go in the URL (they would be stored and shown): use `auth`.
 */
export const GitUrlSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(2048)
  .regex(/^[^\s\p{Cc}]+$/u, 'must not contain spaces or control characters')
  .refine(
    (v) => /^(https?|ssh|git):\/\/[^/?#]+\/\S*$/i.test(v) || /^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:(?!\/\/)[^\s]+$/.test(v),
    'must be an https://, http://, ssh:// or git:// URL with a repository path, or user@host:path',
  )
  .refine((v) => !/^(https?|git):\/\/[^/?#]*@/i.test(v), 'must not carry credentials: give them in "auth" instead')
  .refine((v) => !/^ssh:\/\/[^/?#@]*:[^/?#@]*@/i.test(v), 'must not carry a password: give an SSH key in "auth" instead');

/** A branch, tag, full ref (refs/heads/main) or commit id; never an option, a range or a reflog expression. */
export const GitRefSchema = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(
    /^(?!-)(?!.*\.\.)(?!.*\/\/)(?!.*@\{)(?!.*\.lock$)(?!.*\/$)(?!.*\.$)[A-Za-z0-9._/+-]+$/,
    'must be a branch, tag or commit id (letters, digits, . _ / + -; no "..", no leading "-")',
  );

/** A file inside the repository: relative, "/"-separated, without "." or ".." segments. */
export const RepoPathSchema = z
  .string()
  .min(1)
  .max(1024)
  .regex(/^(?!\/)(?!.*\\)[^\p{Cc}]+$/u, 'must be a relative path inside the repository')
  .refine((p) => p.split('/').every((s) => s !== '' && s !== '.' && s !== '..'), 'must not contain empty, "." or ".." segments');

/** How the server signs in to the Git server. Secrets are encrypted at rest and never shown again. */
export const GitAuthInputSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('none') }),
  z.strictObject({
    kind: z.literal('token'),
    /** The HTTP user name sent with the token (GitHub: any; GitLab: any or oauth2; Gitea: your user name). */
    username: z
      .string()
      .min(1)
      .max(255)
      .regex(/^[^\p{Cc}:]+$/u, 'must not contain ":" or control characters')
      .default('x-access-token'),
    /** A personal access, deploy or project token; sent over HTTP(S) basic authentication. */
    token: z.string().min(1).max(4096).regex(/^[^\p{Cc}]+$/u, 'must not contain control characters'),
  }),
  z.strictObject({
    kind: z.literal('ssh'),
    /** An unencrypted private key (OpenSSH or PEM). The server's host key is trusted on first use. */
    privateKey: z
      .string()
      .max(16_384)
      .regex(/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]+-----END [A-Z ]*PRIVATE KEY-----/, 'must be a PEM/OpenSSH private key (-----BEGIN … PRIVATE KEY-----)'),
  }),
]);
export type GitAuthInput = z.infer<typeof GitAuthInputSchema>;

/** A webhook secret chosen by the caller (16+ characters). */
const WebhookSecretSchema = z.string().min(16, 'must be at least 16 characters').max(256).regex(/^[^\p{Cc}]+$/u, 'must not contain control characters');

/** Longest poll interval: a day. 0 turns polling off. */
export const MAX_GIT_POLL_SECONDS = 86_400;
const PollSchema = z.number().int().min(0).max(MAX_GIT_POLL_SECONDS);
const ExtraPathsSchema = z.array(RepoPathSchema).max(32);

/** Body of POST /api/stacks/{id}/git. */
export const CreateGitSourceSchema = z.strictObject({
  url: GitUrlSchema,
  ref: GitRefSchema.default('main'),
  /** The compose file, relative to the repository root. */
  composePath: RepoPathSchema.default('compose.yaml'),
  /** Files the stack also reads that its compose file does not name (env_file, configs, secrets and include are found by themselves). */
  extraPaths: ExtraPathsSchema.default([]),
  auth: GitAuthInputSchema.default({ kind: 'none' }),
  /** Seconds between polls (0: webhook or manual sync only). */
  pollIntervalSeconds: PollSchema.default(300),
  /** Omitted: the server makes one and answers it once; null: no webhook. */
  webhookSecret: WebhookSecretSchema.nullable().optional(),
});
export type CreateGitSource = z.infer<typeof CreateGitSourceSchema>;

/** Body of PATCH /api/stacks/{id}/git: what to change (omitted fields stay). */
export const UpdateGitSourceSchema = z
  .strictObject({
    url: GitUrlSchema,
    ref: GitRefSchema,
    composePath: RepoPathSchema,
    extraPaths: ExtraPathsSchema,
    auth: GitAuthInputSchema,
    pollIntervalSeconds: PollSchema,
    /** A new secret, or null to turn the webhook off. */
    webhookSecret: WebhookSecretSchema.nullable(),
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, 'give at least one field to change');
export type UpdateGitSource = z.infer<typeof UpdateGitSourceSchema>;

/** Body of POST /api/stacks/{id}/git/sync. */
export const SyncGitSourceSchema = z.strictObject({
  /**
   * Redeploy even if the stack's files did not change; when the Git server cannot be reached,
   * from the last good checkout kept on the server.
   */
  redeploy: z.boolean().default(false),
});
export type SyncGitSource = z.infer<typeof SyncGitSourceSchema>;

const CommitSchema = z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/);

/** A stack's Git source as the API shows it (no secrets). */
export const GitSourceSchema = z.object({
  id: z.number().int(),
  stackId: z.number().int(),
  environmentId: z.number().int(),
  url: z.string(),
  ref: z.string(),
  composePath: z.string(),
  extraPaths: z.array(z.string()),
  auth: z.object({ kind: z.enum(['none', 'token', 'ssh']), username: z.string().nullable() }),
  pollIntervalSeconds: z.number().int(),
  webhook: z.object({
    enabled: z.boolean(),
    /** Where the Git server posts (prefix it with the server's address); signed with the webhook secret. */
    path: z.string(),
  }),
  /** The last commit fetched whose stack files could be read: a redeploy works from it while the Git server is down. */
  lastSeenCommit: CommitSchema.nullable(),
  lastSeenAt: TimestampSchema.nullable(),
  lastDeployedCommit: CommitSchema.nullable(),
  lastDeployedAt: TimestampSchema.nullable(),
  lastFetchAt: TimestampSchema.nullable(),
  /** Why the last fetch or redeploy failed; null once one succeeds. */
  lastError: z.string().nullable(),
  lastErrorAt: TimestampSchema.nullable(),
  consecutiveFailures: z.number().int(),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
});
export type GitSource = z.infer<typeof GitSourceSchema>;

/** Answer of POST /api/stacks/{id}/git: the source, and the webhook secret when the server made it (shown once). */
export const CreatedGitSourceSchema = GitSourceSchema.extend({ webhookSecret: z.string().nullable() });
export type CreatedGitSource = z.infer<typeof CreatedGitSourceSchema>;

/** Why a sync did or did not redeploy. */
export const GitRedeployReasonSchema = z.enum(['forced', 'first_deploy', 'same_commit', 'history_unavailable', 'own_files_changed', 'only_other_paths']);

/** Answer of POST /api/stacks/{id}/git/sync. */
export const GitSyncResultSchema = z.object({
  source: GitSourceSchema,
  /** The commit the stack's files were read from. */
  commit: CommitSchema,
  /** False when the fetch failed and the last good checkout was used (`fetchError` says why). */
  fetched: z.boolean(),
  fetchError: z.string().nullable(),
  redeployed: z.boolean(),
  reason: GitRedeployReasonSchema,
  /** The stack's own files that changed since the last deployed commit. */
  changedPaths: z.array(z.string()),
});
export type GitSyncResult = z.infer<typeof GitSyncResultSchema>;

/** Answer of POST /api/git-sources/{id}/webhook: a fetch was started. */
export const GitWebhookAcceptedSchema = z.object({ accepted: z.literal(true) });
