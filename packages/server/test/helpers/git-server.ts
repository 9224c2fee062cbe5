// Real Git servers for tests: Debian's `git http-backend` behind a small Node HTTP server (with
// optional Basic-auth token check, stoppable and restartable on the same port) and `git daemon`.
// Repositories are bare repositories in a temporary root; commits are pushed through the server.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, unlinkSync, existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createConnection, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

const GIT_ENV = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  LC_ALL: 'C',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_TERMINAL_PROMPT: '0',
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.invalid',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.invalid',
};

function git(args: string[], cwd: string): string {
  return execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

const execFileAsync = promisify(execFile);

/** A temporary folder of bare repositories, each with a working clone that pushes through a server. */
export class GitRepos {
  readonly root: string;
  readonly #work: string;

  constructor() {
    const base = mkdtempSync(path.join(tmpdir(), 'capstan-git-'));
    this.root = path.join(base, 'repos');
    this.#work = path.join(base, 'work');
    mkdirSync(this.root);
    mkdirSync(this.#work);
  }

  /** Creates `<name>.git` (push allowed over HTTP) with a first commit of `files` on `main`; answers the commit. */
  create(name: string, files: Record<string, string>): string {
    const bare = path.join(this.root, `${name}.git`);
    git(['init', '--quiet', '--bare', '--initial-branch=main', bare], this.root);
    git(['config', 'http.receivepack', 'true'], bare);
    const work = path.join(this.#work, name);
    git(['init', '--quiet', '--initial-branch=main', work], this.#work);
    this.#write(work, files);
    git(['add', '-A'], work);
    git(['commit', '--quiet', '-m', 'initial'], work);
    git(['push', '--quiet', bare, 'main'], work);
    return git(['rev-parse', 'HEAD'], work).trim();
  }

  /**
   * Commits changes (null deletes a file) in the working clone and pushes them to `pushUrl`;
   * answers the commit. Asynchronous: the server answering the push may run in this process.
   */
  async push(name: string, changes: Record<string, string | null>, pushUrl: string, message = 'change'): Promise<string> {
    const work = path.join(this.#work, name);
    this.#write(work, changes);
    git(['add', '-A'], work);
    git(['commit', '--quiet', '-m', message], work);
    await execFileAsync('git', ['push', '--quiet', pushUrl, 'main'], { cwd: work, env: GIT_ENV, timeout: 30_000 });
    return git(['rev-parse', 'HEAD'], work).trim();
  }

  #write(work: string, files: Record<string, string | null>): void {
    for (const [p, content] of Object.entries(files)) {
      const file = path.join(work, p);
      if (content === null) {
        if (existsSync(file)) unlinkSync(file);
        continue;
      }
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, content);
    }
  }

  cleanup(): void {
    rmSync(path.dirname(this.root), { recursive: true, force: true });
  }
}

/** Splits a CGI answer's header block from its body. */
function cgiHeaders(raw: string): { status: number; headers: Array<[string, string]> } {
  let status = 200;
  const headers: Array<[string, string]> = [];
  for (const line of raw.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (key.toLowerCase() === 'status') status = Number(value.split(' ')[0]);
    else headers.push([key, value]);
  }
  return { status, headers };
}

/** `git http-backend` behind Node's HTTP server; with `token`, every request needs Basic auth whose password is it. */
export class GitHttpServer {
  readonly #repos: GitRepos;
  readonly #token: string | null;
  #server: Server | null = null;
  #port = 0;
  /** Requests seen (method + path), to tell that a fetch reached the server. */
  readonly requests: string[] = [];

  constructor(repos: GitRepos, opts: { token?: string } = {}) {
    this.#repos = repos;
    this.#token = opts.token ?? null;
  }

  /** Starts listening (on the previous port after a stop). */
  async start(): Promise<void> {
    const server = createServer((req, res) => this.#handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, '127.0.0.1', () => resolve());
    });
    this.#port = (server.address() as AddressInfo).port;
    this.#server = server;
  }

  /** Stops accepting connections (the Git server is "down"). */
  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Lets the process exit while the server still listens (process-wide fixtures). */
  unref(): void {
    this.#server?.unref();
  }

  /** Clone URL of a repository created by GitRepos; `user:token@` only for the test's own pushes. */
  url(name: string, credentials?: { user: string; token: string }): string {
    const auth = credentials ? `${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.token)}@` : '';
    return `http://${auth}127.0.0.1:${this.#port}/${name}.git`;
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    this.requests.push(`${req.method} ${url.pathname}`);
    let user = '';
    if (this.#token !== null) {
      const header = req.headers.authorization ?? '';
      const decoded = header.startsWith('Basic ') ? Buffer.from(header.slice(6), 'base64').toString('utf8') : '';
      const sep = decoded.indexOf(':');
      if (sep < 0 || decoded.slice(sep + 1) !== this.#token) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="git"', 'content-type': 'text/plain' });
        res.end('unauthorized\n');
        req.resume();
        return;
      }
      user = decoded.slice(0, sep);
    }
    const env: Record<string, string> = {
      ...GIT_ENV,
      GIT_PROJECT_ROOT: this.#repos.root,
      GIT_HTTP_EXPORT_ALL: '1',
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.replace(/^\?/, ''),
      REQUEST_METHOD: req.method ?? 'GET',
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      REMOTE_ADDR: '127.0.0.1',
      REMOTE_USER: user || 'anonymous',
    };
    if (req.headers['content-encoding']) env.HTTP_CONTENT_ENCODING = String(req.headers['content-encoding']);
    if (req.headers['git-protocol']) env.HTTP_GIT_PROTOCOL = String(req.headers['git-protocol']);
    if (req.headers['content-length']) env.CONTENT_LENGTH = String(req.headers['content-length']);
    const cgi = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'ignore'] });
    req.pipe(cgi.stdin);
    let head = Buffer.alloc(0);
    let headersDone = false;
    cgi.stdout.on('data', (chunk: Buffer) => {
      if (headersDone) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const text = head.toString('latin1');
      const end = text.search(/\r?\n\r?\n/);
      if (end < 0) return;
      const sepLen = (text.slice(end).match(/^\r?\n\r?\n/)?.[0] ?? '\n\n').length;
      const { status, headers } = cgiHeaders(text.slice(0, end));
      res.writeHead(status, Object.fromEntries(headers));
      headersDone = true;
      res.write(head.subarray(end + sepLen));
    });
    cgi.on('close', () => {
      if (!headersDone) res.writeHead(500).end();
      else res.end();
    });
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** `git daemon` serving (and accepting pushes to) every repository of `repos`. */
export class GitDaemon {
  readonly #repos: GitRepos;
  #child: ChildProcess | null = null;
  #port = 0;

  constructor(repos: GitRepos) {
    this.#repos = repos;
  }

  async start(): Promise<void> {
    this.#port ||= await freePort();
    const child = spawn(
      'git',
      ['daemon', '--export-all', '--enable=receive-pack', '--reuseaddr', `--base-path=${this.#repos.root}`, `--port=${this.#port}`, '--listen=127.0.0.1', this.#repos.root],
      { env: GIT_ENV, stdio: 'ignore' },
    );
    this.#child = child;
    const deadline = Date.now() + 10_000;
    for (;;) {
      const ok = await new Promise<boolean>((resolve) => {
        const s = createConnection(this.#port, '127.0.0.1', () => {
          s.destroy();
          resolve(true);
        });
        s.on('error', () => resolve(false));
      });
      if (ok) return;
      if (Date.now() > deadline || child.exitCode !== null) throw new Error('git daemon did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop(): Promise<void> {
    const child = this.#child;
    this.#child = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }

  url(name: string): string {
    return `git://127.0.0.1:${this.#port}/${name}.git`;
  }
}

let shared: Promise<{ url: string; close: () => Promise<void> }> | null = null;

/** One repository (compose.yaml at its root) served without credentials until closeSharedGitRepo(). */
export async function sharedGitRepo(): Promise<{ url: string }> {
  shared ??= (async () => {
    const repos = new GitRepos();
    repos.create('shared', { 'compose.yaml': 'services:\n  app:\n    image: busybox:latest\n' });
    const server = new GitHttpServer(repos);
    await server.start();
    server.unref();
    return {
      url: server.url('shared'),
      close: async () => {
        await server.stop();
        repos.cleanup();
      },
    };
  })();
  return { url: (await shared).url };
}

/** Stops the shared repository's server and deletes it (if it was started). */
export async function closeSharedGitRepo(): Promise<void> {
  const s = shared;
  shared = null;
  if (s) await (await s).close();
}
