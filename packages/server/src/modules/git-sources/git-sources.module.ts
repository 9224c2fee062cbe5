// Wiring of the Git sources feature: repository, sync engine (with its poll timers) and service.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { MainDatabase } from '../../db/schema.ts';
import type { SecretBox } from '../../lib/secret-box.ts';
import type { AccessService } from '../access/access.service.ts';
import type { AuditService } from '../audit/audit.service.ts';
import { redeployThroughStacks, type StackDeployPort } from './git-sources.redeploy.ts';
import { GitSourcesRepository } from './git-sources.repository.ts';
import { GitSourcesService } from './git-sources.service.ts';
import { GitSyncEngine, type GitSyncDeps, type Redeploy } from './git-sources.sync.ts';

export interface GitSourcesModuleDeps {
  db: Kysely<MainDatabase>;
  access: AccessService;
  audit: AuditService;
  secrets: SecretBox;
  /** The data directory: caches go to `<dataDir>/git`. null: a temporary directory removed on close (in-process tests). */
  dataDir: string | null;
  /** Where redeploys go: the stacks feature's deployer, or a Redeploy of one's own. */
  deploy: StackDeployPort | Redeploy;
  log: GitSyncDeps['log'];
  gitTimeoutMs?: number;
}

export interface GitSourcesModule {
  service: GitSourcesService;
  engine: GitSyncEngine;
  /** Arms the poll timers of stored sources. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/** Builds the Git sources feature. */
export function createGitSources(deps: GitSourcesModuleDeps): GitSourcesModule {
  const gitDir = deps.dataDir ? path.join(deps.dataDir, 'git') : mkdtempSync(path.join(tmpdir(), 'capstan-git-'));
  mkdirSync(gitDir, { recursive: true, mode: 0o700 });
  const repo = new GitSourcesRepository(deps.db);
  const redeploy = typeof deps.deploy === 'function' ? deps.deploy : redeployThroughStacks(deps.deploy, repo);
  const engine = new GitSyncEngine({
    repo,
    secrets: deps.secrets,
    gitDir,
    redeploy,
    log: deps.log,
    ...(deps.gitTimeoutMs !== undefined ? { gitTimeoutMs: deps.gitTimeoutMs } : {}),
  });
  const service = new GitSourcesService({ repo, engine, access: deps.access, audit: deps.audit, secrets: deps.secrets });
  return {
    service,
    engine,
    start: () => engine.start(),
    close: async () => {
      await engine.close();
      if (!deps.dataDir) rmSync(gitDir, { recursive: true, force: true });
    },
  };
}
