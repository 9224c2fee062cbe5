import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyServerFactory } from 'fastify';
import { CAPABILITY_COMMANDS } from '@capstan/protocol';
import { AppError } from './errors.ts';
import type { RequestContext } from './http/context.ts';
import { toProblem } from './http/problem.ts';
import { initialAuditDraft, isMutating, registerRoutes, type Guard, type RouteSpec } from './http/route.ts';
import type { Store } from './db/store.ts';
import type { Metrics } from './metrics/metrics.ts';
import { AccessRepository } from './modules/access/access.repository.ts';
import { AccessService } from './modules/access/access.service.ts';
import { AgentsRepository } from './modules/agents/agents.repository.ts';
import { agentsRoutes } from './modules/agents/agents.routes.ts';
import { AgentsService } from './modules/agents/agents.service.ts';
import { AgentBundle } from './modules/agents/agent-bundle.ts';
import { GroupJoinRepository } from './modules/agents/group-join.repository.ts';
import type { AgentCa } from './tls/agent-ca.ts';
import { SecretBox } from './lib/secret-box.ts';
import { rolesRoutes } from './modules/access/roles.routes.ts';
import { ApiKeysRepository } from './modules/api-keys/api-keys.repository.ts';
import { apiKeysRoutes } from './modules/api-keys/api-keys.routes.ts';
import { ApiKeysService } from './modules/api-keys/api-keys.service.ts';
import { AuditRepository } from './modules/audit/audit.repository.ts';
import { auditRoutes } from './modules/audit/audit.routes.ts';
import { AuditService } from './modules/audit/audit.service.ts';
import { AuthRepository } from './modules/auth/auth.repository.ts';
import { authRoutes } from './modules/auth/auth.routes.ts';
import { AuthService, type AuthSettings } from './modules/auth/auth.service.ts';
import { LoginLimiter } from './modules/auth/login-limiter.ts';
import { SessionTokens } from './modules/auth/session-tokens.ts';
import { AgentModeTunnel } from './modules/agent-modes/agent-mode.tunnel.ts';
import { EnvironmentModes } from './modules/agent-modes/environment-modes.ts';
import { EnvironmentsRepository } from './modules/environments/environments.repository.ts';
import { environmentsRoutes } from './modules/environments/environments.routes.ts';
import { EnvironmentsService } from './modules/environments/environments.service.ts';
import { GroupsRepository } from './modules/environments/groups.repository.ts';
import { groupsRoutes } from './modules/environments/groups.routes.ts';
import { GroupsService } from './modules/environments/groups.service.ts';
import { healthRoutes } from './modules/health/health.routes.ts';
import { SetupService } from './modules/setup/setup.service.ts';
import { setupRoutes } from './modules/setup/setup.routes.ts';
import { systemRoutes } from './modules/system/system.routes.ts';
import { TeamsRepository } from './modules/teams/teams.repository.ts';
import { teamsRoutes } from './modules/teams/teams.routes.ts';
import { TeamsService } from './modules/teams/teams.service.ts';
import { UsersRepository } from './modules/users/users.repository.ts';
import { usersRoutes } from './modules/users/users.routes.ts';
import { UsersService } from './modules/users/users.service.ts';
import { handleDockerUpgrade, isDockerUpgrade, registerDockerRoutes, type PassthroughDeps } from './modules/tunnel/docker-passthrough.ts';
import { createLiveEndpoints } from './modules/live/live.upgrade.ts';
import { AGENT_CONNECT_PATH, TunnelRegistry, type TunnelSettings } from './modules/tunnel/tunnel.registry.ts';
import { tunnelRoutes } from './modules/tunnel/tunnel.routes.ts';
import { PollChallenges } from './modules/polls/polls.challenges.ts';
import { PollContacts } from './modules/polls/polls.contacts.ts';
import { withPollState } from './modules/polls/polls.policy.ts';
import { PollsRepository } from './modules/polls/polls.repository.ts';
import { pollsRoutes } from './modules/polls/polls.routes.ts';
import { PollsService } from './modules/polls/polls.service.ts';
import { SnapshotsRepository } from './modules/snapshots/snapshots.repository.ts';
import { snapshotsRoutes } from './modules/snapshots/snapshots.routes.ts';
import { SnapshotsService } from './modules/snapshots/snapshots.service.ts';
import { CommandsRepository } from './modules/commands/commands.repository.ts';
import { commandRetryRoutes, commandsRoutes } from './modules/commands/commands.routes.ts';
import { CommandsService } from './modules/commands/commands.service.ts';
import { CommandsTunnel } from './modules/commands/commands.tunnel.ts';
import { createStacksModule, type StacksModule } from './modules/stacks/stacks.module.ts';
import { stacksRoutes } from './modules/stacks/stacks.routes.ts';
import { RegistriesRepository } from './modules/registries/registries.repository.ts';
import { DEFAULT_TEMPLATES_FILE } from './config/config.ts';
import { Catalogue, type CatalogueOptions } from './modules/templates/catalogue.ts';
import { TemplatesRepository } from './modules/templates/templates.repository.ts';
import { templatesRoutes } from './modules/templates/templates.routes.ts';
import { TemplatesService } from './modules/templates/templates.service.ts';
import { createStackThrough } from './modules/templates/template-stacks.ts';
import { registriesRoutes } from './modules/registries/registries.routes.ts';
import { createGitSources, type GitSourcesModule } from './modules/git-sources/git-sources.module.ts';
import { captureWebhookBodies, gitSourcesRoutes } from './modules/git-sources/git-sources.routes.ts';
import { RegistriesService } from './modules/registries/registries.service.ts';
import { EventHub } from './modules/events/events.hub.ts';
import { eventsRoutes } from './modules/events/events.routes.ts';
import { LiveEventStreams } from './modules/events/events.stream.ts';
import { isUiRequest } from './modules/web/web.policy.ts';
import { WebUi } from './modules/web/web.static.ts';

export interface AppOptions {
  store: Store;
  metrics: Metrics;
  auth: AuthSettings & { loginAttemptsPerMinute: number };
  setupWindowMs: number;
  startedAt: number;
  logLevel: string;
  /** --public-url: the address agents are told to connect to; null derives it from each request. */
  publicUrl?: string | null;
  /** SHA-256 of the self-signed certificate, put into join commands; null with a custom certificate. */
  serverFingerprint?: string | null;
  /** --agent-bundle: the bundled agent join commands download; absent or missing: that route answers 503. */
  agentBundle?: string | null;
  /** Agent tunnel timing (--agent-heartbeat, --agent-down-after); defaults 5 s / 15 s. */
  tunnel?: TunnelSettings;
  /** Encryption at rest for stored secrets; in-process tests get a throwaway key. */
  secrets?: SecretBox;
  /** --data-dir: Git stacks keep their repository caches in `<dataDir>/git`; absent: a temporary directory. */
  dataDir?: string;
  /** Internal CA issuing agent client certificates at enrolment (mTLS); absent: none issued. */
  agentCa?: AgentCa;
  /** Given by the listener (HTTPS); absent for in-process tests. */
  serverFactory?: FastifyServerFactory;
  /** App-template catalogue source (--templates-file / --templates-url); absent: the shipped catalogue file. */
  templates?: CatalogueOptions;
  /** --web-dir: the built web UI served outside /api; absent or null (in-process tests): UI paths answer web_ui_not_built. */
  webDir?: string | null;
}

export interface App {
  fastify: FastifyInstance;
  services: {
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
  };
  routes: readonly RouteSpec[];
  /** HTTP upgrades (agent tunnel, hijacked Docker calls); attach to every listener's 'upgrade' event. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): Promise<void>;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;
export const BODY_LIMIT = 1024 * 1024;

function newContext(requestId: string, ip: string, userAgent: string | undefined): RequestContext {
  return {
    requestId,
    sourceIp: ip,
    userAgent: userAgent ?? '',
    principal: null,
    permission: null,
    audit: null,
    successStatus: 200,
    audited: false,
  };
}

/** Builds the whole Server application on an open store: services, routes, hooks, error mapping. */
export async function buildApp(opts: AppOptions): Promise<App> {
  const { db, audit: auditDb } = opts.store;
  const secrets = opts.secrets ?? new SecretBox(randomBytes(32));
  const auditRepo = new AuditRepository(db, auditDb);
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
  // Change notices for people's clients (GET /api/events): each service publishes after its change committed.
  const events = new EventHub({ onError: (err) => fastify.log.error({ err }, 'a change-notice subscriber failed') });
  const { publish } = events;
  // Async-mode polls record contacts in batches; environment views read the latest through them.
  const pollsRepo = new PollsRepository(db);
  const pollContacts = new PollContacts({ repo: pollsRepo, onError: (err) => fastify.log.error({ err }, 'could not record agent polls'), publish });
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

  const fastify = Fastify({
    logger: { level: opts.logLevel },
    bodyLimit: BODY_LIMIT,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    // `https: true` only labels the listen log; the factory's HTTPS server does the work.
    // Long ids reach the schemas (and a 400 with an audit record) instead of the router's 414.
    routerOptions: { maxParamLength: 1024 },
    // Errors the router raises before any hook (malformed percent-escapes) still answer Problem JSON.
    frameworkErrors: (err, req, reply) => {
      const problem = toProblem(new AppError('route_not_found', `the URL is malformed (${err.message}): check its percent-escapes`), req.id, '');
      void (reply as FastifyReply).code(problem.status).header('x-request-id', req.id).type('application/problem+json').send(problem);
    },
    // `https: true` only labels the listen log; the factory's HTTPS server does the work.
    ...(opts.serverFactory ? { serverFactory: opts.serverFactory, https: true } : {}),
  });
  fastify.decorateRequest('ctx', null as unknown as RequestContext);

  // JSON only: other bodies get 415 rather than being handed to the schemas as text.
  fastify.removeContentTypeParser('text/plain');
  // An empty JSON body means "no body": DELETE and logout clients often send the header anyway.
  const jsonParser = fastify.getDefaultJsonParser('error', 'error');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if (body === '') {
      done(null, undefined);
      return;
    }
    void jsonParser(req, body as string, done);
  });

  fastify.addHook('onRequest', async (req, reply) => {
    req.ctx = newContext(req.id, req.ip, req.headers['user-agent']);
    req.ctx.audit = initialAuditDraft(req);
    reply.header('x-request-id', req.id);
    // The web UI answers before setup too: it is where the administrator is created.
    if (!req.routeOptions.config?.beforeSetup && !isUiRequest(req.method, req.url) && (await setup.required())) {
      throw new AppError('setup_required', 'Capstan is not set up yet: create the administrator with POST /api/setup/admin');
    }
  });

  // Before the answer leaves: a mutating call that did not commit through transact() is recorded now.
  fastify.addHook('onSend', async (req, reply, payload) => {
    if (req.ctx && isMutating(req.method) && !req.ctx.audited && req.ctx.audit) {
      try {
        await audit.recordOutcome(req.ctx, reply.statusCode);
      } catch (err) {
        req.log.error({ err }, 'could not write audit record');
      }
    }
    return payload;
  });

  fastify.addHook('onResponse', async (req, reply) => {
    opts.metrics.observeRequest(req.method, req.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
  });

  fastify.setErrorHandler(async (err, req, reply) => {
    const problem = toProblem(err, req.id, req.url.split('?')[0] ?? req.url);
    if (problem.code === 'internal_error') req.log.error({ err }, 'request failed');
    if (problem.retryAfterSeconds !== undefined) reply.header('retry-after', String(problem.retryAfterSeconds));
    return reply.code(problem.status).type('application/problem+json').send(problem);
  });

  // GET/HEAD outside the API that no route matched is the web UI (its shell, assets and client-side routes).
  const web = new WebUi(opts.webDir ?? null);
  fastify.setNotFoundHandler(async (req, reply) => {
    if (isUiRequest(req.method, req.url)) return web.serve(req, reply);
    const err = new AppError('route_not_found', `no route ${req.method} ${req.url.split('?')[0]}: see GET /api/openapi.json for the API`);
    return reply.code(404).type('application/problem+json').send(toProblem(err, req.id, req.url.split('?')[0] ?? ''));
  });

  const tunnel = new TunnelRegistry({
    agents,
    db,
    audit: auditRepo,
    log: fastify.log.child({ module: 'tunnel' }),
    settings: opts.tunnel ?? { heartbeatIntervalMs: 5_000, downAfterMs: 15_000 },
    modes,
    publish,
  });
  modes.onChange((id, now, before) => {
    if (before?.mode === 'async' && now?.mode === 'standard') tunnel.leftAsync(id);
  });
  tunnel.addApp(new AgentModeTunnel({ modes, link: (id) => tunnel.link(id), log: fastify.log.child({ module: 'agent-modes' }) }));
  const passthrough: PassthroughDeps = {
    tunnel,
    access,
    audit,
    authenticate: (req) => auth.authenticate(req as Parameters<AuthService['authenticate']>[0]),
  };
  registerDockerRoutes(fastify, passthrough);
  const live = createLiveEndpoints({ ...passthrough, log: fastify.log.child({ module: 'live' }) });
  const registriesLog = fastify.log.child({ module: 'registries' });
  const registries = new RegistriesService({ repo: new RegistriesRepository(db), audit, secrets, warn: (msg, detail) => registriesLog.warn(detail, msg) });
  const commands = new CommandsService({
    repo: new CommandsRepository(db),
    db,
    access,
    audit,
    secrets,
    registryAuth: (environmentId, images) => registries.credentialsFor(environmentId, images),
    publish,
  });
  const commandsTunnel = new CommandsTunnel(commands, fastify.log.child({ module: 'commands' }));
  tunnel.addApp(commandsTunnel);
  const snapshots = new SnapshotsService({
    repo: new SnapshotsRepository(db),
    log: fastify.log.child({ module: 'snapshots' }),
    isLive: (id) => tunnel.link(id) !== null,
    publish,
  });
  tunnel.addApp(snapshots);
  const polls = new PollsService({
    repo: pollsRepo,
    agents,
    commands,
    snapshots,
    challenges: new PollChallenges(),
    contacts: pollContacts,
    environment: (id) => modes.view(id),
    requireMtls: tunnel.settings.requireMtls,
    log: fastify.log.child({ module: 'polls' }),
  });
  const stacks = createStacksModule({
    db,
    access,
    audit,
    commands,
    snapshots,
    secrets,
    isLive: (id) => tunnel.link(id)?.has(CAPABILITY_COMMANDS) === true,
    registryAuth: (environmentId, images) => registries.credentialsFor(environmentId, images),
    publish,
  });
  tunnel.addApp(stacks.progress);
  const gitSources = createGitSources({
    db,
    access,
    audit,
    secrets,
    dataDir: opts.dataDir ?? null,
    deploy: stacks.deployer,
    log: fastify.log.child({ module: 'git-sources' }),
  });
  captureWebhookBodies(fastify, BODY_LIMIT);
  const templatesRepo = new TemplatesRepository(db);
  const catalogue = new Catalogue(opts.templates ?? { file: DEFAULT_TEMPLATES_FILE, url: null, refreshIntervalMs: 3_600_000 }, {
    log: fastify.log.child({ module: 'templates' }),
    cache: templatesRepo,
  });
  await catalogue.start();
  const templates = new TemplatesService({
    repo: templatesRepo,
    audit,
    catalogue,
    createStack: createStackThrough({ create: (ctx, body) => stacks.service.create(ctx, body), deploy: (ctx, id, body) => stacks.deployer.deploy(ctx, id, body) }),
  });

  const handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const path = (req.url ?? '').split('?')[0];
    if (path === AGENT_CONNECT_PATH) {
      tunnel.handleUpgrade(req, socket, head);
      return;
    }
    if (isDockerUpgrade(req)) {
      const given = req.headers['x-request-id'];
      const requestId = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
      handleDockerUpgrade(passthrough, req, socket, head, requestId).catch((err: unknown) => {
        fastify.log.error({ err }, 'docker hijack failed');
        socket.destroy();
      });
      return;
    }
    if (live.matches(req)) {
      const given = req.headers['x-request-id'];
      const requestId = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
      live.handle(req, socket, head, requestId).catch((err: unknown) => {
        fastify.log.error({ err }, 'live endpoint failed');
        socket.destroy();
      });
      return;
    }
    socket.end('HTTP/1.1 404 Not Found\r\nContent-Type: application/problem+json\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  };
  fastify.server.on('upgrade', handleUpgrade);

  const eventStreams = new LiveEventStreams({ hub: events, authorize: (p, perm, env) => access.authorize(p, perm, env) });
  const routes: RouteSpec[] = [];
  routes.push(
    ...healthRoutes(setup),
    ...setupRoutes(setup),
    ...authRoutes(auth, access, users),
    ...usersRoutes(users),
    ...teamsRoutes(teams),
    ...apiKeysRoutes(apiKeys),
    ...environmentsRoutes(environments),
    ...groupsRoutes(groups),
    ...agentsRoutes(agents),
    ...tunnelRoutes(tunnel, db, pollContacts),
    ...snapshotsRoutes(snapshots),
    ...commandsRoutes(commands),
    ...stacksRoutes(stacks),
    ...registriesRoutes(registries),
    ...templatesRoutes(templates),
    ...gitSourcesRoutes(gitSources.service),
    ...rolesRoutes(access),
    ...auditRoutes(audit),
    ...systemRoutes(opts.metrics, () => routes),
    // Appended: the other routes keep their positions (the bad-input fuzz seeds each route by its position).
    ...pollsRoutes(polls),
    ...commandRetryRoutes(commands),
    ...eventsRoutes(eventStreams, async (req) => (await auth.authenticate(req).catch(() => null)) !== null),
  );
  const guard: Guard = {
    authenticate: (req) => auth.authenticate(req),
    authorize: (p, perm, env) => access.authorize(p, perm, env),
  };
  registerRoutes(fastify, guard, routes);

  // Records committed before a crash but not yet moved are moved now, then periodically.
  await audit.flush();
  const flusher = setInterval(() => void audit.flush().catch((err: unknown) => fastify.log.error({ err }, 'audit flush failed')), 5_000);
  flusher.unref();

  await fastify.ready();
  await gitSources.start();
  return {
    fastify,
    services: { setup, audit, access, auth, agents, tunnel, commands, snapshots, polls, pollContacts, registries, templates, stacks, gitSources, events, eventStreams, web },
    routes,
    handleUpgrade,
    close: async () => {
      clearInterval(flusher);
      await gitSources.close();
      await templates.catalogue.close();
      await tunnel.close();
      await snapshots.settled();
      await commandsTunnel.settled();
      stacks.close();
      // Open change-notice streams would keep their connections (and so the close) waiting.
      eventStreams.closeAll();
      events.close();
      await fastify.close();
      await polls.settled();
      await pollContacts.close();
      await audit.flush().catch(() => undefined);
    },
  };
}
