// Builds the container image capstan/agent:<version> without pulling anything: a root filesystem holding
// this machine's node binary (and the shared libraries ldd lists for it), CA certificates and the agent
// bundle, imported with `docker import` into the engine DOCKER_HOST names (or the default one).
// `npm run build:agent-image [-- --save FILE]`; move it to other engines with docker save | docker load.
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AGENT_NODE_OPTIONS, CAPSTAN_VERSION } from '@capstan/protocol';
import { ensureAgentBundle } from './bundle.ts';

/** The image the server's dockerCommand runs. */
export const AGENT_IMAGE = `capstan/agent:${CAPSTAN_VERSION}`;
/** The node that runs the agent in the image: the host kind's system node. */
export const IMAGE_NODE = '/usr/bin/node';
const CA_CERTS = '/etc/ssl/certs/ca-certificates.crt';
const BUNDLE_IN_IMAGE = '/opt/capstan/capstan-agent.js';
const STATE_DIR = '/var/lib/capstan-agent';

/** Runs a command; resolves stdout, rejects with its stderr when it fails. */
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${err.trim()}`))));
  });
}

/** The absolute paths of the shared objects `ldd` lists for a binary (the vDSO has no file and is skipped). */
export function parseLdd(output: string): string[] {
  const files: string[] = [];
  for (const line of output.split('\n')) {
    const m = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(0x/.exec(line);
    if (m?.[1]) files.push(m[1]);
  }
  return [...new Set(files)];
}

/** Copies a file into the root filesystem at the same absolute path, following symlinks. */
function place(rootfs: string, file: string, at: string = file, mode?: number): void {
  const dest = path.join(rootfs, at);
  mkdirSync(path.dirname(dest), { recursive: true });
  copyFileSync(realpathSync(file), dest);
  if (mode !== undefined) chmodSync(dest, mode);
}

/** Lays out the image's root filesystem in dir: node, its libraries, CA certificates, the bundle, passwd. */
async function makeRootfs(dir: string, node: string, bundle: string): Promise<void> {
  place(dir, node, IMAGE_NODE, 0o755);
  for (const lib of parseLdd(await run('ldd', [node]))) place(dir, lib);
  if (existsSync(CA_CERTS)) place(dir, CA_CERTS);
  place(dir, bundle, BUNDLE_IN_IMAGE, 0o644);
  mkdirSync(path.join(dir, 'etc'), { recursive: true });
  // os.userInfo() and friends look the user up; root is the only one.
  writeFileSync(path.join(dir, 'etc/passwd'), 'root:x:0:0:root:/root:/usr/sbin/nologin\n');
  writeFileSync(path.join(dir, 'etc/group'), 'root:x:0:\n');
  for (const d of ['root', STATE_DIR.slice(1)]) mkdirSync(path.join(dir, d), { recursive: true, mode: 0o700 });
  mkdirSync(path.join(dir, 'tmp'));
  chmodSync(path.join(dir, 'tmp'), 0o1777);
}

/**
 * Builds AGENT_IMAGE into the engine at dockerHost (default: the docker CLI's own), from the bundle
 * (built first when stale) and the node binary at `node`; optionally writes `docker save` output to `save`.
 */
export async function buildAgentImage(opts: { dockerHost?: string; node?: string; save?: string } = {}): Promise<{ image: string }> {
  const bundle = await ensureAgentBundle();
  const node = opts.node ?? IMAGE_NODE;
  const env = opts.dockerHost ? { ...process.env, DOCKER_HOST: opts.dockerHost } : process.env;
  const work = mkdtempSync(path.join(tmpdir(), 'capstan-agent-image-'));
  try {
    const rootfs = path.join(work, 'rootfs');
    await makeRootfs(rootfs, node, bundle);
    const changes = [
      `ENTRYPOINT ${JSON.stringify([IMAGE_NODE, ...AGENT_NODE_OPTIONS, BUNDLE_IN_IMAGE])}`,
      'ENV PATH=/usr/bin HOME=/root',
      // Trust the CAs of the machine the image was built on, as well as node's own.
      ...(existsSync(CA_CERTS) ? [`ENV NODE_EXTRA_CA_CERTS=${CA_CERTS}`] : []),
      `VOLUME ${STATE_DIR}`,
      'WORKDIR /',
    ];
    await run(
      'sh',
      ['-c', 'dir=$1; shift; tar --numeric-owner --owner=0 --group=0 -C "$dir" -c . | docker import "$@" - "$IMAGE"', 'sh', rootfs, ...changes.flatMap((c) => ['--change', c])],
      { ...env, IMAGE: AGENT_IMAGE },
    );
    if (opts.save) await run('docker', ['save', '-o', opts.save, AGENT_IMAGE], env);
    return { image: AGENT_IMAGE };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] === import.meta.filename) {
  const i = process.argv.indexOf('--save');
  const save = i > 0 ? process.argv[i + 1] : undefined;
  const { image } = await buildAgentImage(save ? { save: path.resolve(save) } : {});
  process.stdout.write(`built ${image}${save ? `, saved to ${save} (docker load -i ${save} on the host)` : ''}\n`);
}
