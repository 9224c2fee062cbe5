// The `git` CLI for one Git source: a bare cache repository per source under `<dataDir>/git/<id>`,
// fetched shallowly, read without a working tree. No shell; every run has a timeout and a scrubbed
// environment (no user or system git config, no prompts, only network transports). Credentials
// never reach a command line, a URL or a log: a token goes through GIT_ASKPASS (a fixed helper that
// prints environment variables), an SSH key through a 0600 temporary file named in GIT_SSH_COMMAND.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** How the server authenticates to the Git server. */
export type GitAuth =
  | { kind: 'none' }
  | { kind: 'token'; username: string; token: string }
  | { kind: 'ssh'; privateKey: string };

/** Why a git command failed, for messages and for what the caller does next. */
export type GitFailure = 'auth' | 'not_found' | 'unreachable' | 'timeout' | 'file' | 'other';

/** A git command failed; `message` is safe to show and store (credentials redacted). */
export class GitError extends Error {
  readonly reason: GitFailure;

  constructor(reason: GitFailure, message: string) {
    super(message);
    this.name = 'GitError';
    this.reason = reason;
  }
}

export interface GitClientOptions {
  /** This source's cache directory; the bare repository lives in `<dir>/repo.git`. */
  dir: string;
  url: string;
  auth: GitAuth;
  /** Per git command; default 60 s. */
  timeoutMs?: number;
  /** Largest single file read; default 1 MiB. */
  maxFileBytes?: number;
  /** Aborting kills running git commands (server shutdown). */
  signal?: AbortSignal;
}

/** Files read at one commit; `missing` lists asked-for paths that are not regular files there. */
export interface ReadResult {
  files: Record<string, string>;
  missing: string[];
}

const FETCHED_REF = 'refs/capstan/fetched';
const MAX_STDERR = 64 * 1024;
const COMMIT = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

/** A ref as the API accepts it: branch, tag, full ref or commit id; never an option or a range. */
export const GIT_REF = /^(?!-)(?!.*\.\.)(?!.*\/\/)(?!.*@\{)(?!.*\.lock$)(?!.*\/$)(?!.*\.$)[A-Za-z0-9._/+-]{1,200}$/;

/** A path inside the repository: relative, `/`-separated, no `.`/`..` segments, no NUL. */
export function isRepoPath(p: string): boolean {
  if (p.length === 0 || p.length > 1024 || p.startsWith('/') || p.includes('\\') || p.includes('\u0000')) return false;
  return p.split('/').every((s) => s !== '' && s !== '.' && s !== '..');
}

const ASKPASS = `#!/bin/sh
# Capstan's credential helper: answers git's prompts from the environment of this one run.
case "$1" in
  Username*) printf '%s\\n' "$CAPSTAN_GIT_USERNAME" ;;
  *) printf '%s\\n' "$CAPSTAN_GIT_PASSWORD" ;;
esac
`;

/** Quotes one word for the POSIX shell git runs GIT_SSH_COMMAND with. */
function shellWord(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/** Maps git's stderr (LC_ALL=C) to a failure kind. */
export function classifyGitError(stderr: string): GitFailure {
  const s = stderr.toLowerCase();
  if (/authentication failed|could not read (username|password)|permission denied \(|http[^\n]*\b(401|403)\b|invalid username or password|access denied/.test(s)) return 'auth';
  if (/couldn't find remote ref|repository not found|does not appear to be a git repository|not found|no such repository|does not exist/.test(s)) return 'not_found';
  if (/could not resolve|connection refused|unable to connect|failed to connect|connection timed out|network is unreachable|no route to host|connection reset|couldn't connect|unable to access|host key verification failed|empty reply/.test(s)) return 'unreachable';
  return 'other';
}

const HINTS: Record<GitFailure, string> = {
  auth: 'the Git server refused the credentials: check the token (or SSH key) and that it may read the repository',
  not_found: 'the repository or ref was not found: check the URL and the ref (branch, tag or commit)',
  unreachable: 'the Git server could not be reached: check the URL, DNS and that the server is up',
  timeout: 'the Git server did not answer in time',
  file: 'a file the stack needs is not in the repository',
  other: 'git failed',
};

interface RunResult {
  stdout: Buffer;
  stderr: string;
}

/** One source's Git access: fetch a ref into the cache, compare commits, read files at a commit. */
export class GitClient {
  readonly #dir: string;
  readonly #repo: string;
  readonly #url: string;
  readonly #auth: GitAuth;
  readonly #timeoutMs: number;
  readonly #maxFileBytes: number;
  readonly #signal: AbortSignal | undefined;

  constructor(opts: GitClientOptions) {
    this.#dir = opts.dir;
    this.#repo = path.join(opts.dir, 'repo.git');
    this.#url = opts.url;
    this.#auth = opts.auth;
    this.#timeoutMs = opts.timeoutMs ?? 60_000;
    this.#maxFileBytes = opts.maxFileBytes ?? 1024 * 1024;
    this.#signal = opts.signal;
  }

  /** Fetches `ref` (shallow) into the cache; answers the commit id it points at. Throws GitError. */
  async fetch(ref: string): Promise<string> {
    if (!GIT_REF.test(ref)) throw new GitError('not_found', `"${ref}" is not a valid Git ref`);
    if (this.#url.startsWith('-')) throw new GitError('other', 'the repository URL is not valid');
    await this.#ensureRepo();
    await this.#withCredentials(async (env) => {
      await this.#git(['fetch', '--quiet', '--no-tags', '--no-recurse-submodules', '--depth=1', '--', this.#url, `+${ref}:${FETCHED_REF}`], env, true);
    });
    return (await this.#git(['rev-parse', '--verify', '--quiet', `${FETCHED_REF}^{commit}`])).stdout.toString('utf8').trim();
  }

  /** True when `commit` is in the cache (fetched before, so readable without the Git server). */
  async hasCommit(commit: string): Promise<boolean> {
    if (!COMMIT.test(commit) || !existsSync(path.join(this.#repo, 'HEAD'))) return false;
    return this.#git(['cat-file', '-e', `${commit}^{commit}`]).then(
      () => true,
      () => false,
    );
  }

  /** Paths that differ between two cached commits (renames as delete + add); null if one is not cached. */
  async changedPaths(from: string, to: string): Promise<string[] | null> {
    if (!(await this.hasCommit(from)) || !(await this.hasCommit(to))) return null;
    const out = await this.#git(['diff-tree', '-r', '-z', '--name-only', '--no-renames', '--no-commit-id', from, to]);
    return out.stdout.toString('utf8').split('\u0000').filter((p) => p !== '');
  }

  /** Reads regular files at a cached commit; paths that are absent (or not regular files) are listed in `missing`. */
  async readFiles(commit: string, paths: readonly string[]): Promise<ReadResult> {
    if (!(await this.hasCommit(commit))) throw new GitError('not_found', `commit ${commit} is not in the local cache: fetch first`);
    const wanted = [...new Set(paths)].filter(isRepoPath);
    const files: Record<string, string> = {};
    if (wanted.length === 0) return { files, missing: [...new Set(paths)] };
    // --literal-pathspecs: names are file names, never globs or magic.
    const listing = await this.#git(['--literal-pathspecs', 'ls-tree', '-z', '-l', '--full-tree', commit, '--', ...wanted]);
    const blobs = new Map<string, { oid: string; size: number }>();
    for (const entry of listing.stdout.toString('utf8').split('\u0000')) {
      const tab = entry.indexOf('\t');
      if (tab < 0) continue;
      const [mode, type, oid, size] = entry.slice(0, tab).split(/\s+/);
      if (type === 'blob' && (mode === '100644' || mode === '100755') && oid) blobs.set(entry.slice(tab + 1), { oid, size: Number(size) });
    }
    const missing: string[] = [...new Set(paths)].filter((p) => !blobs.has(p));
    for (const p of wanted) {
      const blob = blobs.get(p);
      if (!blob) continue;
      if (blob.size > this.#maxFileBytes) throw new GitError('file', `${p} at ${commit.slice(0, 12)} is ${blob.size} bytes; at most ${this.#maxFileBytes} are read`);
      files[p] = (await this.#git(['cat-file', 'blob', blob.oid])).stdout.toString('utf8');
    }
    return { files, missing };
  }

  /** Keeps `commit` reachable in the cache under `refs/capstan/<name>` so housekeeping never drops it. */
  async pin(name: 'deployed' | 'seen', commit: string): Promise<void> {
    if (!COMMIT.test(commit)) throw new GitError('other', `"${commit}" is not a commit id`);
    await this.#git(['update-ref', `refs/capstan/${name}`, commit]);
  }

  /** Deletes the cache (the source was removed). */
  remove(): void {
    rmSync(this.#dir, { recursive: true, force: true });
  }

  async #ensureRepo(): Promise<void> {
    if (existsSync(path.join(this.#repo, 'HEAD'))) return;
    mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
    await this.#git(['init', '--quiet', '--bare', this.#repo], {}, false, this.#dir);
  }

  /** Runs `fn` with the environment that carries this source's credentials; temporary key files are removed after. */
  async #withCredentials(fn: (env: Record<string, string>) => Promise<void>): Promise<void> {
    const auth = this.#auth;
    if (auth.kind === 'none') return fn({});
    if (auth.kind === 'token') {
      const askpass = path.join(path.dirname(this.#dir), '.askpass.sh');
      if (!existsSync(askpass)) {
        // Written aside and renamed: a concurrent run never executes a half-written helper.
        mkdirSync(path.dirname(askpass), { recursive: true, mode: 0o700 });
        const tmp = `${askpass}.${process.pid}.${Date.now()}`;
        writeFileSync(tmp, ASKPASS, { mode: 0o700 });
        chmodSync(tmp, 0o700);
        renameSync(tmp, askpass);
      }
      return fn({ GIT_ASKPASS: askpass, CAPSTAN_GIT_USERNAME: auth.username, CAPSTAN_GIT_PASSWORD: auth.token });
    }
    const tmp = mkdtempSync(path.join(tmpdir(), 'capstan-ssh-'));
    try {
      const key = path.join(tmp, 'key');
      writeFileSync(key, auth.privateKey.endsWith('\n') ? auth.privateKey : `${auth.privateKey}\n`, { mode: 0o600 });
      const knownHosts = path.join(this.#dir, 'known_hosts');
      const ssh = [
        'ssh', '-F', '/dev/null', '-i', shellWord(key), '-o', 'IdentitiesOnly=yes', '-o', 'BatchMode=yes',
        '-o', 'StrictHostKeyChecking=accept-new', '-o', `UserKnownHostsFile=${shellWord(knownHosts)}`, '-o', 'ConnectTimeout=15',
      ].join(' ');
      return await fn({ GIT_SSH_COMMAND: ssh });
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }

  #redact(text: string): string {
    const auth = this.#auth;
    let out = text;
    if (auth.kind === 'token' && auth.token.length > 0) out = out.replaceAll(auth.token, '***');
    // Userinfo in any URL git echoes back.
    return out.replace(/(\w+:\/\/)[^/@\s]+@/g, '$1***@');
  }

  /** Runs git in the cache repository; rejects with GitError (stderr classified, redacted). */
  #git(args: string[], extraEnv: Record<string, string> = {}, network = false, cwd = this.#repo): Promise<RunResult> {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: this.#dir,
      LC_ALL: 'C',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_TERMINAL_PROMPT: '0',
      GIT_ALLOW_PROTOCOL: 'https:http:ssh:git',
      // Never an interactive helper: a missing credential is an error, not a prompt.
      GIT_ASKPASS: '/bin/false',
      SSH_ASKPASS: '/bin/false',
      ...extraEnv,
    };
    const fullArgs = ['-c', 'credential.helper=', '-c', 'core.askPass=', '-c', 'gc.autoDetach=false', ...args];
    return new Promise((resolve, reject) => {
      // Own process group: a timeout kills git and its helpers (remote-http, ssh) together.
      const child = spawn('git', fullArgs, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      const out: Buffer[] = [];
      let outBytes = 0;
      let err = '';
      let timedOut = false;
      let tooBig = false;
      const kill = (): void => {
        try {
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      };
      const timer = setTimeout(() => {
        timedOut = true;
        kill();
      }, this.#timeoutMs);
      const onAbort = (): void => kill();
      this.#signal?.addEventListener('abort', onAbort, { once: true });
      if (this.#signal?.aborted) kill();
      child.stdout.on('data', (chunk: Buffer) => {
        outBytes += chunk.length;
        if (outBytes > this.#maxFileBytes * 4 + 65536) {
          tooBig = true;
          kill();
          return;
        }
        out.push(chunk);
      });
      child.stderr.on('data', (chunk: Buffer) => {
        if (err.length < MAX_STDERR) err += chunk.toString('utf8');
      });
      child.on('error', (e) => {
        clearTimeout(timer);
        this.#signal?.removeEventListener('abort', onAbort);
        reject(new GitError('other', `git could not be started (${e.message}): install git on the server`));
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        this.#signal?.removeEventListener('abort', onAbort);
        if (code === 0) {
          resolve({ stdout: Buffer.concat(out), stderr: err });
          return;
        }
        if (timedOut) {
          reject(new GitError('timeout', `${HINTS.timeout} (${Math.round(this.#timeoutMs / 1000)} s, git ${args[0]})`));
          return;
        }
        if (tooBig) {
          reject(new GitError('file', `git ${args[0]} produced more output than allowed`));
          return;
        }
        if (this.#signal?.aborted) {
          reject(new GitError('other', 'git was stopped: the server is shutting down'));
          return;
        }
        const lines = err.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('error: unable to read askpass'));
        const detail = this.#redact(lines.slice(-2).join(' ').slice(0, 500));
        const reason = network ? classifyGitError(err) : 'other';
        const hint = reason === 'auth' && this.#auth.kind === 'none' ? 'the Git server asks for credentials: give a token or an SSH key' : HINTS[reason];
        reject(new GitError(reason, `${hint}${detail ? ` (${detail})` : ''}`));
      });
    });
  }
}
