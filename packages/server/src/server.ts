import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { buildApp, type App } from './app.ts';
import type { ServerConfig } from './config/config.ts';
import { openStore } from './db/store.ts';
import type { RequestContext } from './http/context.ts';
import { Metrics } from './metrics/metrics.ts';
import { ensureSelfSigned, fingerprint } from './tls/certificate.ts';
import { CertificateReloader, loadKeyPair } from './tls/reloader.ts';
import { tlsPolicy } from './tls/tls-policy.ts';
import { loadAgentCa } from './tls/agent-ca.ts';
import { loadSecretBox } from './lib/secret-box.ts';
import { createTunnelListener } from './tunnel-listener.ts';

export interface RunningServer {
  app: App;
  /** The HTTPS port actually bound (differs from the config when it asked for 0). */
  port: number;
  httpPort: number | null;
  /** The separate agent listener's port (--tunnel-port), if any. */
  tunnelPort: number | null;
  certFile: string;
  reloader: CertificateReloader;
  close(): Promise<void>;
}

function systemContext(action: string): RequestContext {
  return {
    requestId: `startup-${Date.now()}`,
    sourceIp: 'local',
    userAgent: 'capstan-server',
    principal: null,
    permission: null,
    audit: { action, targetType: null, targetId: null, details: {} },
    successStatus: 201,
    audited: false,
  };
}

/** Listens on `port` (0: any) and resolves with the port bound. */
function listen(server: http.Server | https.Server, port: number, host: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

/** Opens the store, builds the app and listens: HTTPS always, plain HTTP only when configured. */
export async function startServer(config: ServerConfig): Promise<RunningServer> {
  const startedAt = Date.now();
  const metrics = new Metrics();
  let log: App['fastify']['log'] | null = null;
  const store = await openStore({
    onConnectionError: (err) => log?.warn({ err }, 'a database connection failed; the pool replaces it'),
    dataDir: config.dataDir,
    databaseUrl: config.databaseUrl ?? undefined,
    onQuery: (db, ms) => metrics.observeQuery(db, ms),
  });
  const files = config.tlsCert && config.tlsKey
    ? { cert: config.tlsCert, key: config.tlsKey, generated: false }
    : await ensureSelfSigned(config.dataDir);
  const pair = loadKeyPair(files.cert, files.key);
  const agentCa = await loadAgentCa(config.dataDir);
  // Client certificates are asked for (agents present theirs) but never required at the TLS layer:
  // browsers and the docker CLI have none; the tunnel decides what a missing one means.
  const clientAuth = { ca: agentCa.certPem, requestCert: true, rejectUnauthorized: false };

  let handler: http.RequestListener | null = null;
  let httpsServer: https.Server | null = null;
  const app = await buildApp({
    store,
    metrics,
    auth: {
      sessionTtlMs: config.sessionTtlMs,
      loginMaxFailures: config.loginMaxFailures,
      loginLockoutMs: config.loginLockoutMs,
      loginAttemptsPerMinute: config.loginRateLimit,
    },
    setupWindowMs: config.setupWindowMs,
    startedAt,
    logLevel: config.logLevel,
    publicUrl: config.publicUrl,
    agentBundle: config.agentBundle,
    dataDir: config.dataDir,
    templates: { file: config.templatesFile, url: config.templatesUrl, refreshIntervalMs: config.templatesRefreshMs },
    webDir: config.webDir,
    serverFingerprint: config.tlsCert ? null : fingerprint(files.cert),
    tunnel: { heartbeatIntervalMs: config.agentHeartbeatMs, downAfterMs: config.agentDownAfterMs, requireMtls: config.requireAgentMtls },
    agentCa,
    secrets: loadSecretBox(config.dataDir),
    serverFactory: (h) => {
      handler = h;
      // Half-open: docker exec/attach clients close their sending side (TLS close_notify) and still read.
      httpsServer = https.createServer({ ...tlsPolicy(), ...pair, ...clientAuth, allowHalfOpen: true }, h);
      return httpsServer;
    },
  });
  log = app.fastify.log;
  log.info({ migrations: store.migrations, database: store.dialect }, 'store ready');
  if (files.generated) log.info({ cert: files.cert }, 'generated a self-signed certificate');
  if (!(await app.services.agents.bundle.current())) {
    log.warn({ agentBundle: config.agentBundle }, 'no agent bundle: join commands cannot download the agent until "npm run build:agent" writes it');
  }
  if (!(await app.services.web.built())) {
    log.warn({ webDir: config.webDir }, 'no web UI build: the browser UI answers 503 until "npm run build:web" writes it (the API works)');
  }

  if (config.adminPasswordFile) {
    const password = readFileSync(config.adminPasswordFile, 'utf8').replace(/\r?\n$/, '');
    if (await app.services.setup.seedAdmin(systemContext('setup.admin'), config.adminUsername, password)) {
      log.info({ username: config.adminUsername }, 'administrator seeded from --admin-password-file');
    }
  }

  await app.fastify.listen({ port: config.port, host: config.host });
  const port = (app.fastify.server.address() as AddressInfo).port;
  const reloader = new CertificateReloader(files.cert, files.key, (event, detail) => {
    if (event === 'reloaded') log.info({ fingerprint: fingerprint(files.cert) }, 'TLS certificate reloaded');
    else log.warn({ detail }, 'TLS certificate files changed but do not form a valid pair yet; still serving the previous one');
  });
  let tunnelServer: https.Server | null = null;
  let tunnelPort: number | null = null;
  if (config.tunnelPort !== null && handler) {
    tunnelServer = createTunnelListener({ ...tlsPolicy(), ...pair, ...clientAuth }, handler, (req, socket, head) => app.handleUpgrade(req, socket, head));
    tunnelPort = await listen(tunnelServer, config.tunnelPort, config.host);
    log.info({ port: tunnelPort }, 'agent tunnel listener enabled (enrolment and tunnels only)');
  }
  const tlsServers = [httpsServer, tunnelServer].filter((x): x is https.Server => x !== null);
  reloader.start(tlsServers, config.tlsReloadIntervalMs, { ca: agentCa.certPem });

  let plain: http.Server | null = null;
  let httpPort: number | null = null;
  if (config.httpPort !== null && handler) {
    const server = http.createServer(handler);
    server.on('upgrade', (req, socket, head) => app.handleUpgrade(req, socket, head));
    plain = server;
    httpPort = await listen(server, config.httpPort, config.host);
    log.warn({ port: httpPort }, 'plain HTTP listener enabled: traffic on it is not encrypted');
  }
  log.info({ url: `https://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`, fingerprint: fingerprint(files.cert), startupMs: Date.now() - startedAt }, 'Capstan server ready');

  return {
    app,
    port,
    httpPort,
    tunnelPort,
    certFile: files.cert,
    reloader,
    close: async () => {
      reloader.stop();
      for (const extra of [plain, tunnelServer]) {
        if (!extra) continue;
        extra.closeAllConnections();
        await new Promise<void>((resolve) => extra.close(() => resolve()));
      }
      await app.close();
      await store.close();
    },
  };
}
