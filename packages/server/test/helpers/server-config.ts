import { DEFAULT_AGENT_BUNDLE, DEFAULT_TEMPLATES_FILE, DEFAULT_WEB_DIR, type ServerConfig } from '../../src/config/config.ts';

/** A server configuration for tests: ephemeral port, quiet logs, fast certificate polling. */
export function testConfig(dataDir: string, overrides: Partial<ServerConfig> = {}): ServerConfig {
  return {
    dataDir,
    host: '127.0.0.1',
    port: 0,
    httpPort: null,
    tlsCert: null,
    tlsKey: null,
    tlsReloadIntervalMs: 100,
    databaseUrl: null,
    adminUsername: 'admin',
    adminPasswordFile: null,
    setupWindowMs: 300_000,
    sessionTtlMs: 3_600_000,
    loginMaxFailures: 5,
    loginLockoutMs: 60_000,
    loginRateLimit: 10_000,
    logLevel: 'silent',
    publicUrl: null,
    agentHeartbeatMs: 5_000,
    agentDownAfterMs: 12_000,
    // Tests that run the join command build it first (ensureAgentBundle in packages/agent/scripts/bundle.ts).
    agentBundle: DEFAULT_AGENT_BUNDLE,
    requireAgentMtls: false,
    tunnelPort: null,
    templatesFile: DEFAULT_TEMPLATES_FILE,
    templatesUrl: null,
    templatesRefreshMs: 3_600_000,
    // The repository's UI build when there is one (npm run build:web); UI paths answer 503 without it.
    webDir: DEFAULT_WEB_DIR,
    ...overrides,
  };
}
