// A real private registry for tests: Debian's `docker-registry` (CNCF distribution) as a child
// process with htpasswd (bcrypt) authentication, storage in a temp folder, plain HTTP or TLS with a
// throwaway self-signed certificate.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './server-process.ts';

export interface RunningRegistry {
  /** host:port, as image references and registry definitions name it. */
  host: string;
  port: number;
  tls: boolean;
  stop(): Promise<void>;
}

export interface RegistryOptions {
  /** username → password; each becomes a bcrypt htpasswd entry. */
  users: Record<string, string>;
  /** Serve HTTPS with a self-signed certificate for 127.0.0.1 (default: plain HTTP). */
  tls?: boolean;
  /** Listen address (default 127.0.0.1). */
  address?: string;
}

function need(binary: string, pkg: string): void {
  try {
    execFileSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' });
  } catch {
    throw new Error(`${binary} is missing: install the Debian package ${pkg} (scripts/test.sh does)`);
  }
}

/** GET /v2/ status, or 0 when nothing answers yet. */
function probe(url: string): Promise<number> {
  return new Promise((resolve) => {
    const mod = url.startsWith('https:') ? https : http;
    const req = mod.get(url, { agent: false, rejectUnauthorized: false, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

/** Starts a registry and resolves once its /v2/ asks for credentials. */
export async function startRegistry(opts: RegistryOptions): Promise<RunningRegistry> {
  need('docker-registry', 'docker-registry');
  need('htpasswd', 'apache2-utils');
  const dir = mkdtempSync(path.join(tmpdir(), 'capstan-registry-'));
  const address = opts.address ?? '127.0.0.1';
  const port = await freePort();
  const htpasswd = path.join(dir, 'htpasswd');
  writeFileSync(htpasswd, '');
  for (const [user, password] of Object.entries(opts.users)) {
    appendFileSync(htpasswd, execFileSync('htpasswd', ['-Bbn', user, password], { encoding: 'utf8' }).trim() + '\n');
  }
  let tlsBlock = '';
  if (opts.tls) {
    const cert = path.join(dir, 'cert.pem');
    const key = path.join(dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', `/CN=${address}`, '-addext', `subjectAltName=IP:${address}`], {
      stdio: 'ignore',
    });
    tlsBlock = `  tls:\n    certificate: ${cert}\n    key: ${key}\n`;
  }
  const config = path.join(dir, 'config.yml');
  writeFileSync(
    config,
    `version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: ${path.join(dir, 'data')}
  delete:
    enabled: true
http:
  addr: ${address}:${port}
  secret: ${randomBytes(16).toString('hex')}
${tlsBlock}auth:
  htpasswd:
    realm: capstan-test
    path: ${htpasswd}
`,
  );
  const child: ChildProcess = spawn('docker-registry', ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr = (stderr + c).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `${opts.tls ? 'https' : 'http'}://${address}:${port}/v2/`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`docker-registry exited during start: ${stderr}`);
    }
    if ((await probe(url)) === 401) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`docker-registry did not answer on ${url}: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { host: `${address}:${port}`, port, tls: opts.tls === true, stop };
}
