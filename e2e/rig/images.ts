// The test image, made without any registry: Debian's static busybox imported as a base image, then a
// tagged image with a SIGTERM-aware default CMD and a health check. The result is cached as a `docker
// save` tarball keyed by recipe, so later runs only `docker load` it into each host's engine.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, copyFileSync, writeFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { type Engine, ping, startEngine, stopEngine, engineLayout } from './engine.ts';
import { pidAlive, run, runSync } from './sys.ts';
import { ensureTools } from './tools.ts';

/** Tag of the bare busybox root filesystem. */
export const BASE_IMAGE = 'capstan-test/busybox:base';
/** Tag of the image tests run: default CMD sleeps until SIGTERM, HEALTHCHECK reports healthy. */
export const TEST_IMAGE = 'capstan-test/busybox:latest';

/** Fixed home of the image builder and the tarball cache; survives runs on purpose. */
export const CACHE_ROOT = '/var/lib/capstan-rig';

// sh ignores SIGTERM as pid 1 unless it traps it; the trap makes `docker stop` immediate.
const DOCKERFILE = `FROM ${BASE_IMAGE}
ENV PATH=/bin
CMD ["sh", "-c", "trap 'exit 0' TERM INT; sleep 2147483647 & wait"]
HEALTHCHECK --interval=5s --timeout=2s --start-period=1s CMD ["true"]
`;

function recipeHash(busybox: string): string {
  return createHash('sha256').update(readFileSync(busybox)).update(DOCKERFILE).digest('hex').slice(0, 12);
}

function busyboxPath(): string {
  return runSync('sh', ['-c', 'command -v busybox']).trim();
}

/** A throwaway rootfs folder: bin/busybox plus one symlink per applet. */
function makeRootfs(dir: string, busybox: string): void {
  mkdirSync(path.join(dir, 'bin'), { recursive: true });
  mkdirSync(path.join(dir, 'tmp'));
  copyFileSync(busybox, path.join(dir, 'bin/busybox'));
  for (const applet of runSync(busybox, ['--list']).split('\n').filter(Boolean)) {
    if (applet !== 'busybox') symlinkSync('busybox', path.join(dir, 'bin', applet));
  }
}

/** Serialises builders across processes (parallel test files) with an mkdir lock; breaks locks of dead owners. */
async function withLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const owner = path.join(dir, 'owner');
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(dir);
      writeFileSync(owner, String(process.pid));
      break;
    } catch {
      let pid = 0;
      try {
        pid = Number(readFileSync(owner, 'utf8'));
      } catch {
        // Owner file not written yet or lock just released: retry.
      }
      if (pid > 0 && !pidAlive(pid)) rmSync(dir, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`image build lock ${dir} held too long`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function build(engine: Engine, busybox: string, tarball: string): Promise<void> {
  const host = ['-H', `unix://${engine.socket}`];
  const work = mkdtempSync(path.join(CACHE_ROOT, 'build-'));
  try {
    const rootfs = path.join(work, 'rootfs');
    makeRootfs(rootfs, busybox);
    await run('sh', ['-c', 'tar -C "$1" -c . | docker -H "unix://$2" import - "$3"', 'sh', rootfs, engine.socket, BASE_IMAGE]);
    const ctx = path.join(work, 'ctx');
    mkdirSync(ctx);
    writeFileSync(path.join(ctx, 'Dockerfile'), DOCKERFILE);
    // The legacy builder: works against docker.io 20.10 without the buildx plugin.
    await run('docker', [...host, 'build', '-q', '-t', TEST_IMAGE, ctx], { ...process.env, DOCKER_BUILDKIT: '0' });
    const tmp = `${tarball}.${process.pid}.tmp`;
    await run('docker', [...host, 'save', '-o', tmp, BASE_IMAGE, TEST_IMAGE]);
    renameSync(tmp, tarball);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Path of a `docker save` tarball holding BASE_IMAGE and TEST_IMAGE; builds it on a cache miss with a private
 * root-namespace dockerd (reused when already alive on its fixed socket, stopped again if this call started it).
 */
export async function testImageTarball(): Promise<string> {
  ensureTools();
  mkdirSync(CACHE_ROOT, { recursive: true });
  const busybox = busyboxPath();
  const tarball = path.join(CACHE_ROOT, `busybox-${recipeHash(busybox)}.tar`);
  const cached = () => existsSync(tarball) && statSync(tarball).size > 0;
  if (cached()) return tarball;
  return withLock(path.join(CACHE_ROOT, 'build.lock'), async () => {
    if (cached()) return tarball;
    const dir = path.join(CACHE_ROOT, 'engine');
    const l = engineLayout(dir);
    let engine: Engine | undefined;
    let started = false;
    if (await ping(l.socket)) {
      engine = { dir, socket: l.socket, pid: Number(readFileSync(l.pidfile, 'utf8')) };
    } else {
      engine = await startEngine(dir, { cgroupParent: '/capstan-rig/builder', detached: true });
      started = true;
    }
    try {
      await build(engine, busybox, tarball);
    } finally {
      // The tarball is the cross-run cache; keep the engine's data (image layers) but not its process.
      if (started) stopEngine(engine, { cgroupParent: '/capstan-rig/builder', keepDir: true });
    }
    return tarball;
  });
}

/** Loads the test images into the engine behind socket (`docker load` of the cached tarball). */
export async function loadTestImage(socket: string): Promise<void> {
  const tarball = await testImageTarball();
  await run('docker', ['-H', `unix://${socket}`, 'load', '-q', '-i', tarball]);
}
