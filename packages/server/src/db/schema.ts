import type { ColumnType, Generated } from 'kysely';

// Row types of the main database, in camelCase (the CamelCasePlugin maps to snake_case).
// Portable across SQLite and PostgreSQL: timestamps are ISO-8601 UTC text, flags are 0/1 integers.

export interface SettingsTable {
  key: string;
  value: string;
}

export interface UsersTable {
  id: Generated<number>;
  username: string;
  /** Lower-cased username: uniqueness and lookup ignore case. */
  usernameKey: string;
  passwordHash: string;
  isAdmin: number;
  disabled: number;
  failedLogins: number;
  lockedUntil: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface SessionsTable {
  id: string;
  userId: number;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  sourceIp: string;
  userAgent: string;
}

export interface ApiKeysTable {
  id: Generated<number>;
  userId: number;
  name: string;
  prefix: string;
  keyHash: string;
  readOnly: number;
  expiresAt: string | null;
  lastUsedAt: string | null;
  createdAt: string;
}

export interface TeamsTable {
  id: Generated<number>;
  name: string;
  nameKey: string;
  createdAt: string;
}

export interface TeamMembersTable {
  teamId: number;
  userId: number;
}

export interface EnvironmentGroupsTable {
  id: Generated<number>;
  name: string;
  nameKey: string;
  description: string;
  createdAt: string;
}

export interface EnvironmentsTable {
  id: Generated<number>;
  name: string;
  nameKey: string;
  groupId: number | null;
  mode: 'standard' | 'async';
  status: 'pending' | 'up' | 'down';
  createdAt: string;
  updatedAt: string;
  /** Last frame seen from the environment's agent (written on connect and disconnect). */
  lastSeenAt: ColumnType<string | null, string | null | undefined, string | null>;
  agentVersion: ColumnType<string | null, string | null | undefined, string | null>;
  engineVersion: ColumnType<string | null, string | null | undefined, string | null>;
  /** Async mode: seconds between polls. */
  pollIntervalSeconds: ColumnType<number, number | undefined, number>;
  /** Async mode: the last poll, and the latest time the next one is expected. */
  lastPollAt: ColumnType<string | null, string | null | undefined, string | null>;
  nextPollAt: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface TagsTable {
  id: Generated<number>;
  name: string;
  nameKey: string;
}

export interface EnvironmentTagsTable {
  environmentId: number;
  tagId: number;
}

export interface RoleAssignmentsTable {
  id: Generated<number>;
  principalType: 'user' | 'team';
  principalId: number;
  scopeType: 'environment' | 'group';
  scopeId: number;
  role: string;
  createdAt: string;
}

/** Audit records committed with their mutation, moved to the audit database after commit. */
export interface AuditOutboxTable {
  id: string;
  record: string;
  createdAt: string;
}

/** Enrolled Edge Agents: the public key only; the private key never leaves the host. */
export interface AgentsTable {
  id: Generated<number>;
  environmentId: number;
  /** SPKI DER, base64; null while a rotation waits for re-enrolment. */
  publicKey: string | null;
  fingerprint: string | null;
  hostname: string;
  agentVersion: string;
  createdAt: string;
  lastSeenAt: string | null;
  revokedAt: string | null;
  credentialVersion: number;
  /** Serial (hex) of the mTLS client certificate issued at the latest enrolment. */
  clientCertSerial: ColumnType<string | null, string | null | undefined, string | null>;
}

/** One-time join tokens: only their SHA-256 is stored. */
export interface JoinTokensTable {
  id: Generated<number>;
  environmentId: number;
  /** Set on rotation tokens: enrolling re-keys this agent. */
  agentId: number | null;
  tokenHash: string;
  expiresAt: string;
  usedAt: string | null;
  createdBy: number | null;
  createdAt: string;
}

/** Multi-use join tokens of an environment group: each enrolment creates an environment in it. */
export interface GroupJoinTokensTable {
  id: Generated<number>;
  groupId: number;
  tokenHash: string;
  expiresAt: string;
  maxUses: number | null;
  uses: Generated<number>;
  revokedAt: string | null;
  createdBy: number | null;
  createdAt: string;
}

/** Each environment's last handed-out command seq (bumped by an upsert: see CommandsRepository). */
export interface CommandSequencesTable {
  environmentId: number;
  lastSeq: number;
}

/** The per-environment command log; `id` is the idempotency key the agent journals. */
export interface CommandsTable {
  id: string;
  environmentId: number;
  seq: number;
  kind: string;
  /** JSON. */
  payload: string;
  status: 'queued' | 'sent' | 'accepted' | 'succeeded' | 'failed' | 'expired' | 'cancelled' | 'superseded';
  attempts: number;
  createdBy: number | null;
  createdAt: string;
  sentAt: string | null;
  acceptedAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  expiresAt: string | null;
  /** JSON. */
  output: string | null;
  /** JSON CommandError. */
  error: string | null;
  /** JSON RetryPolicy; null: defaultRetryPolicy(kind). */
  retry: ColumnType<string | null, string | null | undefined, string | null>;
  /** The command this one re-queues (POST …/commands/{id}/retry). */
  retryOf: ColumnType<string | null, string | null | undefined, string | null>;
}

/** What happened to each command, in order. */
export interface CommandHistoryTable {
  id: Generated<number>;
  commandId: string;
  at: string;
  event: CommandsTable['status'];
  /** JSON object. */
  detail: string | null;
}

/** The latest engine snapshot of each environment (one row per environment). */
export interface EnvironmentSnapshotsTable {
  environmentId: number;
  takenAt: string;
  receivedAt: string;
  /** sha256 hex of `data`. */
  hash: string;
  /** The snapshot's canonical JSON (canonicalSnapshot). */
  data: string;
  containersTotal: number;
  containersRunning: number;
  containersStopped: number;
  containersPaused: number;
  containersUnhealthy: number;
}

/** A compose project Capstan manages on one environment. */
export interface StacksTable {
  id: Generated<number>;
  environmentId: number;
  name: string;
  /** Lower-case name: the compose project on the host. */
  projectName: string;
  source: 'editor' | 'upload' | 'template' | 'git' | 'adopted';
  /** null: adopted, no compose file known yet. */
  compose: string | null;
  /** JSON [{ name, content }]. */
  files: string;
  /** JSON [{ name, secret, value }], secret values sealed. */
  variables: string;
  healthWindowSeconds: number;
  onFailure: 'rollback' | 'report';
  currentVersionId: number | null;
  state: 'active' | 'removing';
  removeCommandId: string | null;
  removeError: string | null;
  createdBy: number | null;
  createdAt: string;
  updatedAt: string;
}

/** One immutable deploy record of a stack; only its outcome columns are written once, later. */
export interface StackVersionsTable {
  id: Generated<number>;
  stackId: number;
  number: number;
  kind: 'deploy' | 'rollback' | 'adopt';
  rollbackOf: number | null;
  compose: string | null;
  files: string;
  variables: string;
  /** JSON service → repo@sha256. */
  imagePins: string;
  imageDigests: string;
  pull: 'always' | 'missing' | null;
  gitCommit: string | null;
  createdBy: number | null;
  createdByName: string | null;
  createdAt: string;
  status: 'queued' | 'deploying' | 'deployed' | 'failed' | 'rolled_back' | 'superseded';
  reason: string | null;
  commandId: string | null;
  /** JSON StackPlan (secret values masked). */
  plan: string | null;
  /** JSON AdoptedProject. */
  adopted: string | null;
  finishedAt: string | null;
}

/** Private image registries; the password is SecretBox text (context `registry:<id>:password`). */
export interface RegistriesTable {
  id: Generated<number>;
  name: string;
  nameKey: string;
  /** Canonical host[:port]. */
  host: string;
  username: string;
  passwordSealed: string;
  insecure: number;
  /** 0: every environment; 1: only those in registry_environments / registry_groups. */
  restricted: number;
  createdBy: number | null;
  createdAt: string;
  updatedAt: string;
}

export interface RegistryEnvironmentsTable {
  registryId: number;
  environmentId: number;
}

export interface RegistryGroupsTable {
  registryId: number;
  groupId: number;
}

/** Custom app templates (the catalogue is read from a file or URL, not stored here). */
export interface TemplatesTable {
  id: Generated<number>;
  title: string;
  /** Lower-case title: unique among custom templates. */
  titleKey: string;
  description: string;
  /** JSON string[]. */
  categories: string;
  logo: string | null;
  compose: string;
  /** JSON [{ name, content }]. */
  files: string;
  /** JSON TemplateVariable[]. */
  variables: string;
  createdBy: number | null;
  createdAt: string;
  updatedAt: string;
}

export interface MainDatabase {
  settings: SettingsTable;
  users: UsersTable;
  sessions: SessionsTable;
  apiKeys: ApiKeysTable;
  teams: TeamsTable;
  teamMembers: TeamMembersTable;
  environmentGroups: EnvironmentGroupsTable;
  environments: EnvironmentsTable;
  tags: TagsTable;
  environmentTags: EnvironmentTagsTable;
  roleAssignments: RoleAssignmentsTable;
  auditOutbox: AuditOutboxTable;
  agents: AgentsTable;
  joinTokens: JoinTokensTable;
  environmentSnapshots: EnvironmentSnapshotsTable;
  commandSequences: CommandSequencesTable;
  commands: CommandsTable;
  commandHistory: CommandHistoryTable;
  groupJoinTokens: GroupJoinTokensTable;
  registries: RegistriesTable;
  registryEnvironments: RegistryEnvironmentsTable;
  registryGroups: RegistryGroupsTable;
  stacks: StacksTable;
  stackVersions: StackVersionsTable;
  templates: TemplatesTable;
}

export interface AuditLogTable {
  id: string;
  at: string;
  actorId: number | null;
  actorName: string | null;
  authMethod: string;
  sourceIp: string;
  action: string;
  targetType: string | null;
  targetId: string | null;
  outcome: string;
  statusCode: number;
  requestId: string;
  details: string;
}

export interface AuditDatabase {
  auditLog: AuditLogTable;
}
