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

export interface RunningServer {
  app: App;
  /** The HTTPS port actually bound (differs from the config when it asked for 0). */
  port: number;
  httpPort: number | null;
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
    serverFingerprint: config.tlsCert ? null : fingerprint(files.cert),
    tunnel: { heartbeatIntervalMs: config.agentHeartbeatMs, downAfterMs: config.agentDownAfterMs },
    serverFactory: (h) => {
      handler = h;
      // Half-open: docker exec/attach clients close their sending side (TLS close_notify) and still read.
      httpsServer = https.createServer({ ...tlsPolicy(), ...pair, allowHalfOpen: true }, h);
      return httpsServer;
    },
  });
  log = app.fastify.log;
  log.info({ migrations: store.migrations, database: store.dialect }, 'store ready');
  if (files.generated) log.info({ cert: files.cert }, 'generated a self-signed certificate');

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
  if (httpsServer) reloader.start([httpsServer], config.tlsReloadIntervalMs);

  let plain: http.Server | null = null;
  let httpPort: number | null = null;
  if (config.httpPort !== null && handler) {
    const server = http.createServer(handler);
    server.on('upgrade', (req, socket, head) => app.handleUpgrade(req, socket, head));
    plain = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.httpPort ?? 0, config.host, () => resolve());
    });
    httpPort = (server.address() as AddressInfo).port;
    log.warn({ port: httpPort }, 'plain HTTP listener enabled: traffic on it is not encrypted');
  }
  log.info({ url: `https://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`, fingerprint: fingerprint(files.cert), startupMs: Date.now() - startedAt }, 'Capstan server ready');

  return {
    app,
    port,
    httpPort,
    certFile: files.cert,
    reloader,
    close: async () => {
      reloader.stop();
      if (plain) {
        const p = plain;
        await new Promise<void>((resolve) => p.close(() => resolve()));
      }
      await app.close();
      await store.close();
    },
  };
}
