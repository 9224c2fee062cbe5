// The REST API for people (web, cli) as one table: method + path → the schemas of its params,
// query, body and answer. The server's routes are checked against it (contract.test in the
// server), and the web's typed client derives every call's types from it, so the three cannot drift.
import type { z } from 'zod';
import { ApiKeyListQuerySchema, ApiKeyListSchema, CreateApiKeySchema, CreatedApiKeySchema } from './api-keys.ts';
import { AuditPageSchema, AuditQuerySchema } from './audit.ts';
import { LoginResponseSchema, LoginSchema, MeResponseSchema } from './auth.ts';
import {
  CommandListQuerySchema,
  CommandPageSchema,
  CommandParamsSchema,
  CommandSchema,
  CommandWithHistorySchema,
  EnqueueCommandSchema,
} from './commands.ts';
import { EmptySchema, IdParamsSchema } from './common.ts';
import {
  CreateEnvironmentGroupSchema,
  CreateEnvironmentSchema,
  CreateTagSchema,
  EnvironmentGroupListSchema,
  EnvironmentGroupSchema,
  EnvironmentListQuerySchema,
  EnvironmentPageSchema,
  EnvironmentSchema,
  EnvironmentStatusViewSchema,
  TagListSchema,
  TagSchema,
  UpdateEnvironmentGroupSchema,
  UpdateEnvironmentSchema,
} from './environments.ts';
import { AgentListSchema, AgentSchema, CreateGroupJoinTokenSchema, CreateJoinTokenSchema, GroupJoinTokenSchema, JoinTokenSchema } from '../agent/index.ts';
import { EnvironmentSnapshotViewSchema } from '../snapshot/api.ts';
import {
  CreateGitSourceSchema,
  CreatedGitSourceSchema,
  GitSourceSchema,
  GitSyncResultSchema,
  SyncGitSourceSchema,
  UpdateGitSourceSchema,
} from './git-sources.ts';
import { HealthResponseSchema } from './health.ts';
import { CreateRegistrySchema, RegistryListSchema, RegistrySchema, RegistryTestResultSchema, UpdateRegistrySchema } from './registries.ts';
import { CreateRoleAssignmentSchema, RoleAssignmentListSchema, RoleAssignmentQuerySchema, RoleAssignmentSchema, RoleListSchema } from './roles.ts';
import { SetupAdminResponseSchema, SetupAdminSchema } from './setup.ts';
import {
  AdoptStackSchema,
  CreateStackSchema,
  CreatedStackSchema,
  DeleteStackQuerySchema,
  DeployStackSchema,
  DeployedVersionSchema,
  PlanStackSchema,
  RollbackStackSchema,
  StackListQuerySchema,
  StackPageSchema,
  StackPlanAnswerSchema,
  StackRemovalSchema,
  StackSchema,
  StackVersionListSchema,
  StackVersionParamsSchema,
  StackVersionSchema,
  UpdateStackSchema,
} from './stacks.ts';
import { CreateTeamSchema, TeamListQuerySchema, TeamMemberParamsSchema, TeamPageSchema, TeamSchema, UpdateTeamSchema } from './teams.ts';
import {
  CatalogueStatusSchema,
  CreateTemplateSchema,
  DeployTemplateSchema,
  RenderTemplateSchema,
  RenderedTemplateSchema,
  TemplateDeployResultSchema,
  TemplateListQuerySchema,
  TemplatePageSchema,
  TemplateParamsSchema,
  TemplateSchema,
  UpdateTemplateSchema,
} from './templates.ts';
import { ChangePasswordSchema, CreateUserSchema, UpdateUserSchema, UserListQuerySchema, UserPageSchema, UserSchema } from './users.ts';

/** One operation's schemas; absent `response`: the answer is 204 No Content. */
export interface Operation {
  params?: z.core.$ZodType;
  query?: z.core.$ZodType;
  body?: z.core.$ZodType;
  response?: z.core.$ZodType;
}

const op = <O extends Operation>(o: O): O => o;

/** Every people-facing REST operation, keyed `METHOD /path/:param`. */
export const API = {
  'GET /api/health': op({ response: HealthResponseSchema }),
  'POST /api/setup/admin': op({ body: SetupAdminSchema, response: SetupAdminResponseSchema }),
  'POST /api/auth/login': op({ body: LoginSchema, response: LoginResponseSchema }),
  'POST /api/auth/logout': op({ body: EmptySchema }),
  'GET /api/auth/me': op({ response: MeResponseSchema }),

  'GET /api/users': op({ query: UserListQuerySchema, response: UserPageSchema }),
  'POST /api/users': op({ body: CreateUserSchema, response: UserSchema }),
  'GET /api/users/:id': op({ params: IdParamsSchema, response: UserSchema }),
  'PATCH /api/users/:id': op({ params: IdParamsSchema, body: UpdateUserSchema, response: UserSchema }),
  'DELETE /api/users/:id': op({ params: IdParamsSchema }),
  'PUT /api/users/:id/password': op({ params: IdParamsSchema, body: ChangePasswordSchema }),

  'GET /api/teams': op({ query: TeamListQuerySchema, response: TeamPageSchema }),
  'POST /api/teams': op({ body: CreateTeamSchema, response: TeamSchema }),
  'GET /api/teams/:id': op({ params: IdParamsSchema, response: TeamSchema }),
  'PATCH /api/teams/:id': op({ params: IdParamsSchema, body: UpdateTeamSchema, response: TeamSchema }),
  'DELETE /api/teams/:id': op({ params: IdParamsSchema }),
  'PUT /api/teams/:id/members/:userId': op({ params: TeamMemberParamsSchema, response: TeamSchema }),
  'DELETE /api/teams/:id/members/:userId': op({ params: TeamMemberParamsSchema }),

  'GET /api/api-keys': op({ query: ApiKeyListQuerySchema, response: ApiKeyListSchema }),
  'POST /api/api-keys': op({ body: CreateApiKeySchema, response: CreatedApiKeySchema }),
  'DELETE /api/api-keys/:id': op({ params: IdParamsSchema }),

  'GET /api/environments': op({ query: EnvironmentListQuerySchema, response: EnvironmentPageSchema }),
  'POST /api/environments': op({ body: CreateEnvironmentSchema, response: EnvironmentSchema }),
  'GET /api/environments/:id': op({ params: IdParamsSchema, response: EnvironmentSchema }),
  'PATCH /api/environments/:id': op({ params: IdParamsSchema, body: UpdateEnvironmentSchema, response: EnvironmentSchema }),
  'DELETE /api/environments/:id': op({ params: IdParamsSchema }),
  'GET /api/environments/:id/status': op({ params: IdParamsSchema, response: EnvironmentStatusViewSchema }),
  'GET /api/environments/:id/snapshot': op({ params: IdParamsSchema, response: EnvironmentSnapshotViewSchema }),
  'GET /api/environments/groups': op({ response: EnvironmentGroupListSchema }),
  'POST /api/environments/groups': op({ body: CreateEnvironmentGroupSchema, response: EnvironmentGroupSchema }),
  'GET /api/environments/groups/:id': op({ params: IdParamsSchema, response: EnvironmentGroupSchema }),
  'PATCH /api/environments/groups/:id': op({ params: IdParamsSchema, body: UpdateEnvironmentGroupSchema, response: EnvironmentGroupSchema }),
  'DELETE /api/environments/groups/:id': op({ params: IdParamsSchema }),
  'GET /api/environments/tags': op({ response: TagListSchema }),
  'POST /api/environments/tags': op({ body: CreateTagSchema, response: TagSchema }),
  'DELETE /api/environments/tags/:id': op({ params: IdParamsSchema }),

  'POST /api/environments/:id/join-tokens': op({ params: IdParamsSchema, body: CreateJoinTokenSchema, response: JoinTokenSchema }),
  'POST /api/environments/groups/:id/join-tokens': op({ params: IdParamsSchema, body: CreateGroupJoinTokenSchema, response: GroupJoinTokenSchema }),
  'GET /api/environments/:id/agents': op({ params: IdParamsSchema, response: AgentListSchema }),
  'POST /api/agents/:id/revoke': op({ params: IdParamsSchema, response: AgentSchema }),
  'POST /api/agents/:id/rotate': op({ params: IdParamsSchema, body: CreateJoinTokenSchema, response: JoinTokenSchema }),

  'GET /api/environments/:id/commands': op({ params: IdParamsSchema, query: CommandListQuerySchema, response: CommandPageSchema }),
  'POST /api/environments/:id/commands': op({ params: IdParamsSchema, body: EnqueueCommandSchema, response: CommandSchema }),
  'GET /api/environments/:id/commands/:commandId': op({ params: CommandParamsSchema, response: CommandWithHistorySchema }),
  'POST /api/environments/:id/commands/:commandId/cancel': op({ params: CommandParamsSchema, response: CommandSchema }),
  'POST /api/environments/:id/commands/:commandId/retry': op({ params: CommandParamsSchema, response: CommandSchema }),

  'GET /api/stacks': op({ query: StackListQuerySchema, response: StackPageSchema }),
  'POST /api/stacks': op({ body: CreateStackSchema, response: CreatedStackSchema }),
  'GET /api/stacks/:id': op({ params: IdParamsSchema, response: StackSchema }),
  'PATCH /api/stacks/:id': op({ params: IdParamsSchema, body: UpdateStackSchema, response: StackSchema }),
  'DELETE /api/stacks/:id': op({ params: IdParamsSchema, query: DeleteStackQuerySchema, response: StackRemovalSchema }),
  'POST /api/stacks/:id/deploy': op({ params: IdParamsSchema, body: DeployStackSchema, response: DeployedVersionSchema }),
  'POST /api/stacks/:id/rollback': op({ params: IdParamsSchema, body: RollbackStackSchema, response: DeployedVersionSchema }),
  'POST /api/stacks/:id/plan': op({ params: IdParamsSchema, body: PlanStackSchema, response: StackPlanAnswerSchema }),
  'GET /api/stacks/:id/versions': op({ params: IdParamsSchema, response: StackVersionListSchema }),
  'GET /api/stacks/:id/versions/:versionId': op({ params: StackVersionParamsSchema, response: StackVersionSchema }),
  'POST /api/environments/:id/stacks/adopt': op({ params: IdParamsSchema, body: AdoptStackSchema, response: StackSchema }),

  'POST /api/stacks/:id/git': op({ params: IdParamsSchema, body: CreateGitSourceSchema, response: CreatedGitSourceSchema }),
  'GET /api/stacks/:id/git': op({ params: IdParamsSchema, response: GitSourceSchema }),
  'PATCH /api/stacks/:id/git': op({ params: IdParamsSchema, body: UpdateGitSourceSchema, response: GitSourceSchema }),
  'DELETE /api/stacks/:id/git': op({ params: IdParamsSchema }),
  'POST /api/stacks/:id/git/sync': op({ params: IdParamsSchema, body: SyncGitSourceSchema, response: GitSyncResultSchema }),

  'GET /api/registries': op({ response: RegistryListSchema }),
  'POST /api/registries': op({ body: CreateRegistrySchema, response: RegistrySchema }),
  'GET /api/registries/:id': op({ params: IdParamsSchema, response: RegistrySchema }),
  'PATCH /api/registries/:id': op({ params: IdParamsSchema, body: UpdateRegistrySchema, response: RegistrySchema }),
  'DELETE /api/registries/:id': op({ params: IdParamsSchema }),
  'POST /api/registries/:id/test': op({ params: IdParamsSchema, response: RegistryTestResultSchema }),

  'GET /api/templates': op({ query: TemplateListQuerySchema, response: TemplatePageSchema }),
  'POST /api/templates': op({ body: CreateTemplateSchema, response: TemplateSchema }),
  'GET /api/templates/catalogue/status': op({ response: CatalogueStatusSchema }),
  'POST /api/templates/catalogue/refresh': op({ response: CatalogueStatusSchema }),
  'GET /api/templates/:id': op({ params: TemplateParamsSchema, response: TemplateSchema }),
  'PATCH /api/templates/:id': op({ params: TemplateParamsSchema, body: UpdateTemplateSchema, response: TemplateSchema }),
  'DELETE /api/templates/:id': op({ params: TemplateParamsSchema }),
  'POST /api/templates/:id/render': op({ params: TemplateParamsSchema, body: RenderTemplateSchema, response: RenderedTemplateSchema }),
  'POST /api/templates/:id/deploy': op({ params: TemplateParamsSchema, body: DeployTemplateSchema, response: TemplateDeployResultSchema }),

  'GET /api/roles': op({ response: RoleListSchema }),
  'GET /api/roles/assignments': op({ query: RoleAssignmentQuerySchema, response: RoleAssignmentListSchema }),
  'POST /api/roles/assignments': op({ body: CreateRoleAssignmentSchema, response: RoleAssignmentSchema }),
  'DELETE /api/roles/assignments/:id': op({ params: IdParamsSchema }),

  'GET /api/audit': op({ query: AuditQuerySchema, response: AuditPageSchema }),
} as const;

export type Api = typeof API;
/** `'GET /api/environments'`, …: the name of one operation. */
export type ApiOperation = keyof Api;
