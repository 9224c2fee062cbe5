import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance, FastifyServerFactory } from 'fastify';
import { buildServices, type AppServices, type Services } from './app.services.ts';
import type { Store } from './db/store.ts';
import { BODY_LIMIT, createFastify, registerHooks, requestIdOf } from './http/hooks.ts';
import { registerRoutes, type Guard, type RouteSpec } from './http/route.ts';
import type { SecretBox } from './lib/secret-box.ts';
import type { Metrics } from './metrics/metrics.ts';
import { rolesRoutes } from './modules/access/roles.routes.ts';
import { agentsRoutes } from './modules/agents/agents.routes.ts';
import { apiKeysRoutes } from './modules/api-keys/api-keys.routes.ts';
import { auditRoutes } from './modules/audit/audit.routes.ts';
import { authRoutes } from './modules/auth/auth.routes.ts';
import type { AuthSettings } from './modules/auth/auth.service.ts';
import { commandRetryRoutes, commandsRoutes } from './modules/commands/commands.routes.ts';
import { environmentsRoutes } from './modules/environments/environments.routes.ts';
import { groupsRoutes } from './modules/environments/groups.routes.ts';
import { eventsRoutes } from './modules/events/events.routes.ts';
import { captureWebhookBodies, gitSourcesRoutes } from './modules/git-sources/git-sources.routes.ts';
import { healthRoutes } from './modules/health/health.routes.ts';
import { pollsRoutes } from './modules/polls/polls.routes.ts';
import { registriesRoutes } from './modules/registries/registries.routes.ts';
import { setupRoutes } from './modules/setup/setup.routes.ts';
import { snapshotsRoutes } from './modules/snapshots/snapshots.routes.ts';
import { stacksRoutes } from './modules/stacks/stacks.routes.ts';
import { systemRoutes } from './modules/system/system.routes.ts';
import { teamsRoutes } from './modules/teams/teams.routes.ts';
import { templatesRoutes } from './modules/templates/templates.routes.ts';
import type { CatalogueOptions } from './modules/templates/catalogue.ts';
import { handleDockerUpgrade, isDockerUpgrade, registerDockerRoutes } from './modules/tunnel/docker-passthrough.ts';
import { AGENT_CONNECT_PATH, type TunnelSettings } from './modules/tunnel/tunnel.registry.ts';
import { tunnelRoutes } from './modules/tunnel/tunnel.routes.ts';
import { usersRoutes } from './modules/users/users.routes.ts';
import type { AgentCa } from './tls/agent-ca.ts';

export { BODY_LIMIT } from './http/hooks.ts';

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
  services: AppServices;
  routes: readonly RouteSpec[];
  /** HTTP upgrades (agent tunnel, hijacked Docker calls); attach to every listener's 'upgrade' event. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): Promise<void>;
}

/** Builds the whole Server application on an open store: services, hooks, routes, upgrades, error mapping. */
export async function buildApp(opts: AppOptions): Promise<App> {
  const fastify = createFastify(opts);
  const s = await buildServices(opts, fastify.log);
  const { setup, audit, access, auth, agents, tunnel, commands, snapshots, polls, pollContacts, registries, templates, stacks, gitSources, events, eventStreams, web } = s;
  registerHooks(fastify, { setup, audit, metrics: opts.metrics, web });
  registerDockerRoutes(fastify, s.passthrough);
  captureWebhookBodies(fastify, BODY_LIMIT);

  const handleUpgrade = upgradeHandler(fastify, s);
  fastify.server.on('upgrade', handleUpgrade);

  const routes: RouteSpec[] = [];
  routes.push(
    ...healthRoutes(setup),
    ...setupRoutes(setup),
    ...authRoutes(auth, access, s.users),
    ...usersRoutes(s.users),
    ...teamsRoutes(s.teams),
    ...apiKeysRoutes(s.apiKeys),
    ...environmentsRoutes(s.environments),
    ...groupsRoutes(s.groups),
    ...agentsRoutes(agents),
    ...tunnelRoutes(tunnel, opts.store.db, pollContacts),
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
      await s.commandsTunnel.settled();
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

/** Routes an HTTP upgrade: the agent tunnel, a hijacked Docker call, a live endpoint, else 404. */
function upgradeHandler(fastify: FastifyInstance, s: Pick<Services, 'tunnel' | 'passthrough' | 'live'>): App['handleUpgrade'] {
  return (req, socket, head) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === AGENT_CONNECT_PATH) {
      s.tunnel.handleUpgrade(req, socket, head);
      return;
    }
    if (isDockerUpgrade(req)) {
      handleDockerUpgrade(s.passthrough, req, socket, head, requestIdOf(req.headers['x-request-id'])).catch((err: unknown) => {
        fastify.log.error({ err }, 'docker hijack failed');
        socket.destroy();
      });
      return;
    }
    if (s.live.matches(req)) {
      s.live.handle(req, socket, head, requestIdOf(req.headers['x-request-id'])).catch((err: unknown) => {
        fastify.log.error({ err }, 'live endpoint failed');
        socket.destroy();
      });
      return;
    }
    socket.end('HTTP/1.1 404 Not Found\r\nContent-Type: application/problem+json\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  };
}
