// The services of the Server application, built on an open store and wired together (repositories,
// services, the agent tunnel and its apps, change notices). No Fastify here but its logger: app.ts
// puts these behind the hooks and routes.
import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import { CAPABILITY_COMMANDS } from '@capstan/protocol';
import type { AppOptions } from './app.ts';
import { DEFAULT_TEMPLATES_FILE } from './config/config.ts';
import type { MainDatabase } from './db/schema.ts';
import { SecretBox } from './lib/secret-box.ts';
import { AccessRepository } from './modules/access/access.repository.ts';
import { AccessService } from './modules/access/access.service.ts';
import { AgentModeTunnel } from './modules/agent-modes/agent-mode.tunnel.ts';
import { EnvironmentModes } from './modules/agent-modes/environment-modes.ts';
import { AgentBundle } from './modules/agents/agent-bundle.ts';
import { AgentsRepository } from './modules/agents/agents.repository.ts';
import { AgentsService } from './modules/agents/agents.service.ts';
import { GroupJoinRepository } from './modules/agents/group-join.repository.ts';
import { ApiKeysRepository } from './modules/api-keys/api-keys.repository.ts';
import { ApiKeysService } from './modules/api-keys/api-keys.service.ts';
import { AuditRepository } from './modules/audit/audit.repository.ts';
import { AuditService } from './modules/audit/audit.service.ts';
import { AuthRepository } from './modules/auth/auth.repository.ts';
import { AuthService } from './modules/auth/auth.service.ts';
import { LoginLimiter } from './modules/auth/login-limiter.ts';
import { SessionTokens } from './modules/auth/session-tokens.ts';
import { CommandsRepository } from './modules/commands/commands.repository.ts';
import { CommandsService } from './modules/commands/commands.service.ts';
import { CommandsTunnel } from './modules/commands/commands.tunnel.ts';
import { EnvironmentsRepository } from './modules/environments/environments.repository.ts';
import { EnvironmentsService } from './modules/environments/environments.service.ts';
import { GroupsRepository } from './modules/environments/groups.repository.ts';
import { GroupsService } from './modules/environments/groups.service.ts';
import { EventHub, type Publish } from './modules/events/events.hub.ts';
import { LiveEventStreams } from './modules/events/events.stream.ts';
import { createGitSources, type GitSourcesModule } from './modules/git-sources/git-sources.module.ts';
import { createLiveEndpoints, type LiveEndpoints } from './modules/live/live.upgrade.ts';
import { PollChallenges } from './modules/polls/polls.challenges.ts';
import { PollContacts } from './modules/polls/polls.contacts.ts';
import { withPollState } from './modules/polls/polls.policy.ts';
import { PollsRepository } from './modules/polls/polls.repository.ts';
import { PollsService } from './modules/polls/polls.service.ts';
import { RegistriesRepository } from './modules/registries/registries.repository.ts';
import { RegistriesService } from './modules/registries/registries.service.ts';
import { SetupService } from './modules/setup/setup.service.ts';
import { SnapshotsRepository } from './modules/snapshots/snapshots.repository.ts';
import { SnapshotsService } from './modules/snapshots/snapshots.service.ts';
import { createStacksModule, type StacksModule } from './modules/stacks/stacks.module.ts';
import { TeamsRepository } from './modules/teams/teams.repository.ts';
import { TeamsService } from './modules/teams/teams.service.ts';
import { Catalogue } from './modules/templates/catalogue.ts';
import { createStackThrough } from './modules/templates/template-stacks.ts';
import { TemplatesRepository } from './modules/templates/templates.repository.ts';
import { TemplatesService } from './modules/templates/templates.service.ts';
import type { PassthroughDeps } from './modules/tunnel/docker-passthrough.ts';
import { TunnelRegistry } from './modules/tunnel/tunnel.registry.ts';
import { UsersRepository } from './modules/users/users.repository.ts';
import { UsersService } from './modules/users/users.service.ts';
import { WebUi } from './modules/web/web.static.ts';

/** The services an App exposes (tests and the listener reach into these). */
export interface AppServices {
  setup: SetupService;
  audit: AuditService;
  access: AccessService;
  auth: AuthService;
  agents: AgentsService;
  tunnel: TunnelRegistry;
  commands: CommandsService;
  snapshots: SnapshotsService;
  polls: PollsService;
  pollContacts: PollContacts;
  registries: RegistriesService;
  templates: TemplatesService;
  stacks: StacksModule;
  gitSources: GitSourcesModule;
  /** Change notices: services publish, /api/events streams subscribe. */
  events: EventHub;
  eventStreams: LiveEventStreams;
  web: WebUi;
}

/** Everything app.ts wires into routes, hooks and upgrades; the extra members stay inside the app. */
export interface Services extends AppServices {
  users: UsersService;
  teams: TeamsService;
  apiKeys: ApiKeysService;
  environments: EnvironmentsService;
  groups: GroupsService;
  commandsTunnel: CommandsTunnel;
  /** What the Docker passthrough routes and hijacked upgrades need. */
  passthrough: PassthroughDeps;
  live: LiveEndpoints;
}

type People = Pick<Services, 'setup' | 'audit' | 'access' | 'auth' | 'users' | 'teams' | 'apiKeys'> & {
  auditRepo: AuditRepository;
  accessRepo: AccessRepository;
};

type Environments = Pick<Services, 'pollContacts' | 'environments' | 'groups' | 'agents'> & {
  pollsRepo: PollsRepository;
  modes: EnvironmentModes;
};

/** Builds and wires every service on the options' open store; `log` is the app's (Fastify's) logger. */
export async function buildServices(opts: AppOptions, log: FastifyBaseLogger): Promise<Services> {
  const { db } = opts.store;
  const people = await buildPeople(opts, db);
  // Change notices for people's clients (GET /api/events): each service publishes after its change committed.
  const events = new EventHub({ onError: (err) => log.error({ err }, 'a change-notice subscriber failed') });
  const envs = await buildEnvironments(opts, db, people, events.publish, log);
  const agentSide = await buildAgentSide(opts, db, people, envs, events.publish, log);
  const eventStreams = new LiveEventStreams({ hub: events, authorize: (p, perm, env) => people.access.authorize(p, perm, env) });
  // GET/HEAD outside the API that no route matched is the web UI (see the not-found handler).
  const web = new WebUi(opts.webDir ?? null);
  return { ...people, ...envs, ...agentSide, events, eventStreams, web };
}

/** Audit, access, sign-in, setup and the people (users, teams, API keys). */
async function buildPeople(opts: AppOptions, db: Kysely<MainDatabase>): Promise<People> {
  const auditRepo = new AuditRepository(db, opts.store.audit);
  const audit = new AuditService(db, auditRepo);
  const usersRepo = new UsersRepository(db);
  const authRepo = new AuthRepository(db);
  const accessRepo = new AccessRepository(db);
  const access = new AccessService(accessRepo, audit);
  const signingKey = await authRepo.setting('session_signing_key', () => randomBytes(32).toString('base64'));
  const auth = new AuthService({
    repo: authRepo,
    users: usersRepo,
    audit,
    tokens: new SessionTokens(Buffer.from(signingKey, 'base64')),
    limiter: new LoginLimiter({
      maxAttemptsPerMinute: opts.auth.loginAttemptsPerMinute,
      maxFailures: 20,
      failureWindowMs: 5 * 60_000,
    }),
    settings: opts.auth,
  });
  const setup = new SetupService({ users: usersRepo, auth, audit, windowMs: opts.setupWindowMs, startedAt: opts.startedAt });
  const users = new UsersService({ users: usersRepo, auth: authRepo, accessRepo, access, audit });
  const teams = new TeamsService({ repo: new TeamsRepository(db), accessRepo, access, audit });
  const apiKeys = new ApiKeysService({ repo: new ApiKeysRepository(db), access, audit });
  return { auditRepo, audit, accessRepo, access, auth, setup, users, teams, apiKeys };
}

/** Environments, groups, agents (enrolment) and the in-memory view of each environment's mode and polls. */
async function buildEnvironments(opts: AppOptions, db: Kysely<MainDatabase>, people: People, publish: Publish, log: FastifyBaseLogger): Promise<Environments> {
  const { access, accessRepo, audit } = people;
  // Async-mode polls record contacts in batches; environment views read the latest through them.
  const pollsRepo = new PollsRepository(db);
  const pollContacts = new PollContacts({ repo: pollsRepo, onError: (err) => log.error({ err }, 'could not record agent polls'), publish });
  const environments = new EnvironmentsService({
    repo: new EnvironmentsRepository(db),
    accessRepo,
    access,
    audit,
    present: (env) => withPollState(env, pollContacts.latest(env.id), Date.now()),
  });
  // Every environment's mode in memory: the tunnel refuses interactive streams of async ones at once.
  const modes = new EnvironmentModes(db);
  await modes.load();
  environments.onModeChanged((id, env) => modes.set(id, env && { mode: env.mode, pollIntervalSeconds: env.pollIntervalSeconds }));
  environments.onModeChanged((id) => publish({ type: 'environment', environmentId: id }));
  const groups = new GroupsService({ repo: new GroupsRepository(db), accessRepo, access, audit });
  const agents = new AgentsService({
    repo: new AgentsRepository(db),
    groupJoin: new GroupJoinRepository(db),
    access,
    audit,
    publicUrl: opts.publicUrl ?? null,
    serverFingerprint: opts.serverFingerprint ?? null,
    ca: opts.agentCa ?? null,
    bundle: new AgentBundle(opts.agentBundle ?? null),
    // An enrolment may have created the environment (group join token) or set its mode.
    environmentChanged: async (id) => {
      await modes.refresh(id);
      publish({ type: 'environment', environmentId: id });
    },
  });
  return { pollsRepo, pollContacts, environments, modes, groups, agents };
}

/** The agent tunnel and what runs over it or through agents: Docker passthrough, commands, snapshots, polls, stacks, Git, templates. */
async function buildAgentSide(opts: AppOptions, db: Kysely<MainDatabase>, people: People, envs: Environments, publish: Publish, log: FastifyBaseLogger) {
  const { access, audit, auth } = people;
  const { agents, modes } = envs;
  const secrets = opts.secrets ?? new SecretBox(randomBytes(32));
  const tunnel = new TunnelRegistry({
    agents,
    db,
    audit: people.auditRepo,
    log: log.child({ module: 'tunnel' }),
    settings: opts.tunnel ?? { heartbeatIntervalMs: 5_000, downAfterMs: 15_000 },
    modes,
    publish,
  });
  modes.onChange((id, now, before) => {
    if (before?.mode === 'async' && now?.mode === 'standard') tunnel.leftAsync(id);
  });
  tunnel.addApp(new AgentModeTunnel({ modes, link: (id) => tunnel.link(id), log: log.child({ module: 'agent-modes' }) }));
  const passthrough: PassthroughDeps = {
    tunnel,
    access,
    audit,
    authenticate: (req) => auth.authenticate(req as Parameters<AuthService['authenticate']>[0]),
  };
  const live = createLiveEndpoints({ ...passthrough, log: log.child({ module: 'live' }) });
  const registriesLog = log.child({ module: 'registries' });
  const registries = new RegistriesService({ repo: new RegistriesRepository(db), audit, secrets, warn: (msg, detail) => registriesLog.warn(detail, msg) });
  const registryAuth = (environmentId: number, images: readonly string[]) => registries.credentialsFor(environmentId, images);
  const commands = new CommandsService({ repo: new CommandsRepository(db), db, access, audit, secrets, registryAuth, publish });
  const commandsTunnel = new CommandsTunnel(commands, log.child({ module: 'commands' }));
  tunnel.addApp(commandsTunnel);
  const snapshots = new SnapshotsService({
    repo: new SnapshotsRepository(db),
    log: log.child({ module: 'snapshots' }),
    isLive: (id) => tunnel.link(id) !== null,
    publish,
  });
  tunnel.addApp(snapshots);
  const polls = new PollsService({
    repo: envs.pollsRepo,
    agents,
    commands,
    snapshots,
    challenges: new PollChallenges(),
    contacts: envs.pollContacts,
    environment: (id) => modes.view(id),
    requireMtls: tunnel.settings.requireMtls,
    log: log.child({ module: 'polls' }),
  });
  const stacks = createStacksModule({
    db,
    access,
    audit,
    commands,
    snapshots,
    secrets,
    isLive: (id) => tunnel.link(id)?.has(CAPABILITY_COMMANDS) === true,
    registryAuth,
    publish,
  });
  tunnel.addApp(stacks.progress);
  const gitSources = createGitSources({ db, access, audit, secrets, dataDir: opts.dataDir ?? null, deploy: stacks.deployer, log: log.child({ module: 'git-sources' }) });
  const templates = await buildTemplates(opts, db, audit, stacks, log);
  return { tunnel, passthrough, live, registries, commands, commandsTunnel, snapshots, polls, stacks, gitSources, templates };
}

/** The app-template catalogue (started: loaded once) and the service creating stacks from it. */
async function buildTemplates(opts: AppOptions, db: Kysely<MainDatabase>, audit: AuditService, stacks: StacksModule, log: FastifyBaseLogger): Promise<TemplatesService> {
  const templatesRepo = new TemplatesRepository(db);
  const catalogue = new Catalogue(opts.templates ?? { file: DEFAULT_TEMPLATES_FILE, url: null, refreshIntervalMs: 3_600_000 }, {
    log: log.child({ module: 'templates' }),
    cache: templatesRepo,
  });
  await catalogue.start();
  return new TemplatesService({
    repo: templatesRepo,
    audit,
    catalogue,
    createStack: createStackThrough({ create: (ctx, body) => stacks.service.create(ctx, body), deploy: (ctx, id, body) => stacks.deployer.deploy(ctx, id, body) }),
  });
}
