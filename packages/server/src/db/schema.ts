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
