// The sync engine: fetch a source's ref, decide whether the stack's own files changed since its
// last deployed commit, and redeploy through the injected callback. One run at a time per source
// (poll and webhook triggers coalesce; manual syncs queue), per-source jittered poll timers with
// backoff, and every failure recorded on the source.
import { randomUUID } from 'node:crypto';
import { existsSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '../../errors.ts';
import type { SecretBox } from '../../lib/secret-box.ts';
import { GitClient, GitError, type GitAuth } from './git.client.ts';
import { decideRedeploy, nextPollDelayMs, type RedeployDecision } from './git-sources.policy.ts';
import type { GitSourceRow, GitSourcesRepository } from './git-sources.repository.ts';
import { collectStackFiles, type StackFiles } from './stack-files.ts';

/** What started a sync. */
export type SyncTrigger = 'create' | 'poll' | 'webhook' | 'manual';

/** What the stacks feature is asked to deploy. */
export interface RedeployRequest {
  /** The stack's files keyed relative to the compose file's folder. */
  files: Record<string, string>;
  /** The compose file's name among `files`. */
  mainFile: string;
  commit: string;
  /** Who the deploy is made as: the caller of a manual sync, else who configured the source; null when that account is gone. */
  actorUserId: number | null;
  trigger: SyncTrigger;
}

/** The seam to the stacks feature: make and queue a new version of the stack from these files. */
export type Redeploy = (stackId: number, request: RedeployRequest) => Promise<void>;

/** What one sync did. */
export interface SyncOutcome {
  commit: string;
  fetched: boolean;
  fetchError: string | null;
  decision: RedeployDecision;
}

interface Log {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export interface GitSyncDeps {
  repo: GitSourcesRepository;
  secrets: SecretBox;
  /** `<dataDir>/git`: one cache repository per source. */
  gitDir: string;
  redeploy: Redeploy;
  log: Log;
  now?: () => Date;
  random?: () => number;
  /** Per git command (default 60 s). */
  gitTimeoutMs?: number;
}

/** The secret-box context of a source's sealed values. */
export const sealContext = (stackId: number, what: 'auth' | 'webhook'): string => `git-source:${stackId}:${what}`;

/** Maps a git failure to the API error a caller sees. */
export function gitAppError(e: unknown): AppError {
  if (e instanceof AppError) return e;
  if (!(e instanceof GitError)) return new AppError('git_fetch_failed', `git failed: ${e instanceof Error ? e.message : String(e)}`);
  const code = e.reason === 'auth' ? 'git_credentials_rejected' : e.reason === 'not_found' ? 'git_ref_not_found' : e.reason === 'file' ? 'git_files_invalid' : 'git_fetch_failed';
  return new AppError(code, e.message, { reason: e.reason });
}

/** The stack's files keyed relative to the compose file's folder (what a stack's file set holds). */
export function toStackFiles(composePath: string, files: Record<string, string>): { files: Record<string, string>; mainFile: string } {
  const dir = path.posix.dirname(composePath);
  const out: Record<string, string> = {};
  for (const [p, content] of Object.entries(files)) {
    if (dir === '.') out[p] = content;
    else if (p.startsWith(`${dir}/`)) out[p.slice(dir.length + 1)] = content;
    else throw new AppError('git_files_invalid', `${p} is outside the compose file's folder ${dir}/: a stack's files must be in that folder or below it`);
  }
  return { files: out, mainFile: path.posix.basename(composePath) };
}

/** Fetches, decides and redeploys Git sources; owns their poll timers. */
export class GitSyncEngine {
  readonly #d: GitSyncDeps;
  readonly #now: () => Date;
  readonly #random: () => number;
  readonly #timers = new Map<number, NodeJS.Timeout>();
  readonly #tails = new Map<number, Promise<unknown>>();
  readonly #pendingAuto = new Map<number, Promise<SyncOutcome | null>>();
  readonly #abort = new AbortController();
  #closed = false;

  constructor(deps: GitSyncDeps) {
    this.#d = deps;
    this.#now = deps.now ?? (() => new Date());
    this.#random = deps.random ?? Math.random;
  }

  /** Arms a timer for every polled source, spread over its first interval. */
  async start(): Promise<void> {
    for (const row of await this.#d.repo.polled()) this.schedule(row, this.#random() * Number(row.pollIntervalSeconds) * 1000);
  }

  /** (Re)arms the source's poll timer: `delayMs`, or its interval with jitter and backoff; none when polling is off. */
  schedule(row: GitSourceRow, delayMs?: number): void {
    const id = Number(row.id);
    this.unschedule(id);
    const interval = Number(row.pollIntervalSeconds);
    if (this.#closed || interval <= 0) return;
    const delay = delayMs ?? nextPollDelayMs(interval, Number(row.consecutiveFailures), this.#random());
    const timer = setTimeout(() => {
      this.#timers.delete(id);
      void this.auto(id, 'poll');
    }, delay);
    timer.unref();
    this.#timers.set(id, timer);
  }

  unschedule(id: number): void {
    const timer = this.#timers.get(id);
    if (timer) clearTimeout(timer);
    this.#timers.delete(id);
  }

  /** A background sync (poll, webhook): joins one already waiting to start; errors are recorded, not thrown. */
  auto(id: number, trigger: 'poll' | 'webhook'): Promise<SyncOutcome | null> {
    const waiting = this.#pendingAuto.get(id);
    if (waiting) return waiting;
    const run = this.#enqueue(id, async () => {
      this.#pendingAuto.delete(id);
      return this.#runAndReschedule(id, { trigger, force: false, actorUserId: null }).catch((err: unknown) => {
        this.#d.log.info({ gitSourceId: id, trigger, err: err instanceof Error ? err.message : String(err) }, 'git source sync failed');
        return null;
      });
    });
    this.#pendingAuto.set(id, run);
    return run;
  }

  /** A sync a caller waits for (after any run in progress); throws AppError when it fails. */
  sync(id: number, opts: { trigger: 'create' | 'manual'; force: boolean; actorUserId: number | null }): Promise<SyncOutcome> {
    return this.#enqueue(id, () => this.#runAndReschedule(id, opts)).then((o) => {
      if (!o) throw new AppError('not_found', `git source ${id} does not exist`);
      return o;
    });
  }

  /** Stops polling the source and deletes its cache (after any run in progress). */
  async forget(id: number): Promise<void> {
    this.unschedule(id);
    await this.#enqueue(id, () => Promise.resolve(this.#cacheClient(id, { kind: 'none' }, '').remove()));
  }

  /**
   * Checks a would-be source before it is stored: fetches `ref` into a fresh cache and reads the
   * stack's files there. Answers the cache directory to adopt with `adoptCache`.
   */
  async probe(spec: { url: string; ref: string; composePath: string; extraPaths: string[]; auth: GitAuth }): Promise<string> {
    const dir = path.join(this.#d.gitDir, `.new-${randomUUID()}`);
    const client = new GitClient({ dir, url: spec.url, auth: spec.auth, signal: this.#abort.signal, ...this.#timeout() });
    try {
      const commit = await client.fetch(spec.ref);
      const got = await collectStackFiles((p) => client.readFiles(commit, p), spec.composePath, spec.extraPaths);
      if (got.missing.length > 0) throw missingFiles(got, commit);
      toStackFiles(spec.composePath, got.files);
      return dir;
    } catch (e) {
      client.remove();
      throw gitAppError(e);
    }
  }

  /** Moves a probed cache to the stored source's place. */
  adoptCache(probeDir: string, id: number): void {
    const dir = path.join(this.#d.gitDir, String(id));
    rmSync(dir, { recursive: true, force: true });
    if (existsSync(probeDir)) renameSync(probeDir, dir);
  }

  /** Drops a probed cache that will not be used. */
  dropCache(probeDir: string): void {
    rmSync(probeDir, { recursive: true, force: true });
  }

  /** Stops timers, cancels running git commands and waits for runs to end. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const id of [...this.#timers.keys()]) this.unschedule(id);
    this.#abort.abort();
    await Promise.allSettled([...this.#tails.values()]);
  }

  #timeout(): { timeoutMs?: number } {
    return this.#d.gitTimeoutMs !== undefined ? { timeoutMs: this.#d.gitTimeoutMs } : {};
  }

  #cacheClient(id: number, auth: GitAuth, url: string): GitClient {
    return new GitClient({ dir: path.join(this.#d.gitDir, String(id)), url, auth, signal: this.#abort.signal, ...this.#timeout() });
  }

  #auth(row: GitSourceRow): GitAuth {
    const stackId = Number(row.stackId);
    if (row.authKind === 'token' && row.authSecret) return { kind: 'token', username: row.authUsername ?? 'x-access-token', token: this.#d.secrets.open(row.authSecret, sealContext(stackId, 'auth')) };
    if (row.authKind === 'ssh' && row.authSecret) return { kind: 'ssh', privateKey: this.#d.secrets.open(row.authSecret, sealContext(stackId, 'auth')) };
    return { kind: 'none' };
  }

  /** Runs `fn` after the source's previous run has ended (whatever its outcome). */
  #enqueue<T>(id: number, fn: () => Promise<T>): Promise<T> {
    const prev = this.#tails.get(id) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(id, tail);
    void tail.then(() => {
      if (this.#tails.get(id) === tail) this.#tails.delete(id);
    });
    return run;
  }

  async #runAndReschedule(id: number, opts: { trigger: SyncTrigger; force: boolean; actorUserId: number | null }): Promise<SyncOutcome | null> {
    if (this.#closed) throw new AppError('git_fetch_failed', 'the server is shutting down');
    try {
      return await this.#run(id, opts);
    } finally {
      const row = await this.#d.repo.get(id).catch(() => undefined);
      if (row && !this.#closed) this.schedule(row);
    }
  }

  async #fail(id: number, message: string): Promise<void> {
    await this.#d.repo.recordFailure(id, message, this.#now().toISOString());
  }

  async #run(id: number, opts: { trigger: SyncTrigger; force: boolean; actorUserId: number | null }): Promise<SyncOutcome | null> {
    const row = await this.#d.repo.get(id);
    if (!row) {
      // The stack (and with it the source) was deleted: stop polling, drop the cache.
      this.unschedule(id);
      this.#cacheClient(id, { kind: 'none' }, '').remove();
      return null;
    }
    let auth: GitAuth;
    try {
      auth = this.#auth(row);
    } catch (e) {
      const err = gitAppError(e);
      await this.#fail(id, err.message);
      throw err;
    }
    const client = this.#cacheClient(id, auth, row.url);
    const extraPaths = JSON.parse(row.extraPaths) as string[];
    let commit: string;
    let fetchError: AppError | null = null;
    try {
      commit = await client.fetch(row.ref);
      await this.#d.repo.update(id, { lastFetchAt: this.#now().toISOString() });
    } catch (e) {
      fetchError = gitAppError(e);
      await this.#fail(id, fetchError.message);
      // A forced redeploy goes on from the last good checkout kept in the cache.
      if (!opts.force || !row.lastSeenCommit || !(await client.hasCommit(row.lastSeenCommit))) throw fetchError;
      commit = row.lastSeenCommit;
    }

    let files: StackFiles;
    try {
      files = await collectStackFiles((p) => client.readFiles(commit, p), row.composePath, extraPaths);
      if (files.missing.length > 0) throw missingFiles(files, commit);
    } catch (e) {
      const err = gitAppError(e);
      await this.#fail(id, err.message);
      throw err;
    }
    let changed: string[] | null = null;
    let ownPaths = files.paths;
    if (row.lastDeployedCommit && row.lastDeployedCommit !== commit) {
      changed = await client.changedPaths(row.lastDeployedCommit, commit).catch(() => null);
      if (changed) {
        const before = await collectStackFiles((p) => client.readFiles(row.lastDeployedCommit as string, p), row.composePath, extraPaths).catch(() => null);
        ownPaths = [...ownPaths, ...(before?.paths ?? [])];
      }
    }
    const decision = decideRedeploy({ lastDeployedCommit: row.lastDeployedCommit, commit, changedPaths: changed, ownPaths, force: opts.force });
    const at = this.#now().toISOString();
    await client.pin('seen', commit);
    await this.#d.repo.update(id, {
      lastSeenCommit: commit,
      lastSeenAt: at,
      ...(fetchError || decision.redeploy ? {} : { lastError: null, lastErrorAt: null, consecutiveFailures: 0 }),
    });

    if (decision.redeploy) {
      try {
        const stackFiles = toStackFiles(row.composePath, files.files);
        await this.#d.redeploy(Number(row.stackId), { ...stackFiles, commit, actorUserId: opts.actorUserId ?? row.actorId, trigger: opts.trigger });
      } catch (e) {
        const err = e instanceof AppError ? e : new AppError('internal_error', e instanceof Error ? e.message : String(e));
        await this.#fail(id, `redeploy of ${commit.slice(0, 12)} failed: ${err.message}`);
        throw err;
      }
      await client.pin('deployed', commit);
      await this.#d.repo.update(id, {
        lastDeployedCommit: commit,
        lastDeployedAt: this.#now().toISOString(),
        ...(fetchError ? {} : { lastError: null, lastErrorAt: null, consecutiveFailures: 0 }),
      });
      this.#d.log.info({ gitSourceId: id, stackId: Number(row.stackId), commit, reason: decision.reason, trigger: opts.trigger }, 'git source redeployed its stack');
    }
    return { commit, fetched: fetchError === null, fetchError: fetchError?.message ?? null, decision };
  }
}

function missingFiles(files: StackFiles, commit: string): AppError {
  return new AppError(
    'git_files_invalid',
    `${files.missing.join(', ')} ${files.missing.length === 1 ? 'is' : 'are'} not in commit ${commit.slice(0, 12)}: check the compose path, the files it references and the extra paths`,
    { missing: files.missing, commit },
  );
}
