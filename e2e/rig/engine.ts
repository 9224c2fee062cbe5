// One private dockerd: its own data-root, exec-root, socket, pidfile and cgroup parent, so several can
// run side by side (one per simulated host, plus the image builder) without touching a system engine.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { pidAlive, signal, sleepSync, terminateSync, tryRunSync, runSync, waitUntil } from './sys.ts';

export interface Engine {
  /** Folder holding everything of this engine (data, exec, socket, log). */
  dir: string;
  /** Path of the API socket; use as `docker -H unix://<socket>`. */
  socket: string;
  /** dockerd's pid. */
  pid: number;
}

/** Where an engine rooted at dir keeps its files; pure path arithmetic. */
export function engineLayout(dir: string) {
  return {
    socket: path.join(dir, 'docker.sock'),
    pidfile: path.join(dir, 'docker.pid'),
    log: path.join(dir, 'dockerd.log'),
    config: path.join(dir, 'daemon.json'),
    data: path.join(dir, 'data'),
    exec: path.join(dir, 'exec'),
  };
}

/** Resolves true when GET /_ping on the socket answers 200 within a second. */
export function ping(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath: socket, path: '/_ping', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}

/**
 * Starts dockerd rooted at dir (inside the network namespace at netnsPath when given) and resolves once its
 * API answers; cgroupParent keeps its containers findable for crash cleanup.
 */
export async function startEngine(dir: string, opts: { netnsPath?: string; cgroupParent: string; detached?: boolean }): Promise<Engine> {
  const l = engineLayout(dir);
  mkdirSync(dir, { recursive: true });
  // An empty config file: a system /etc/docker/daemon.json must not leak into test engines.
  writeFileSync(l.config, '{}\n');
  const dockerd = [
    'dockerd',
    '--config-file', l.config,
    '--data-root', l.data,
    '--exec-root', l.exec,
    '-H', `unix://${l.socket}`,
    '--pidfile', l.pidfile,
    '--cgroup-parent', opts.cgroupParent,
    // The engine must not rewrite the host's firewall or routing: no bridge, no NAT, no forwarding.
    '--iptables=false', '--ip-forward=false', '--ip-masq=false', '--bridge=none',
    // busybox sh ignores SIGTERM; a short shutdown timeout keeps teardown fast.
    '--shutdown-timeout', '2',
  ];
  // nsenter --net only swaps the network namespace; `ip netns exec` would also remount /sys and break cgroups.
  const argv = opts.netnsPath ? ['nsenter', `--net=${opts.netnsPath}`, '--', ...dockerd] : dockerd;
  const log = openSync(l.log, 'a');
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', log, log], detached: opts.detached ?? false });
  closeSync(log);
  child.unref();
  let exited = false;
  child.once('exit', () => (exited = true));
  const pid = child.pid!;
  try {
    await waitUntil(async () => {
      if (exited) throw new Error(`dockerd in ${dir} exited during start:\n${tail(l.log)}`);
      return ping(l.socket);
    }, 30_000, `dockerd in ${dir}`);
  } catch (err) {
    stopEngine({ dir, socket: l.socket, pid });
    throw err;
  }
  return { dir, socket: l.socket, pid };
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Pids of every process whose command line mentions needle (dockerd, its containerd and shims). */
export function pidsMentioning(needle: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(needle)) out.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return out;
}

/** Kills every process in the cgroup subtree rel (all v1 controllers or v2) and removes the cgroups. */
export function killCgroupTree(rel: string): void {
  const roots = existsSync('/sys/fs/cgroup/cgroup.controllers')
    ? ['/sys/fs/cgroup']
    : readdirSync('/sys/fs/cgroup').map((c) => path.join('/sys/fs/cgroup', c));
  for (const root of roots) {
    const top = path.join(root, rel);
    if (!existsSync(top)) continue;
    const dirs: string[] = [];
    const walk = (d: string) => {
      dirs.push(d);
      for (const e of readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(path.join(d, e.name));
    };
    walk(top);
    for (const d of dirs) {
      for (const pid of readFileSync(path.join(d, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)) signal(Number(pid), 'SIGKILL');
    }
    // Deepest first: a cgroup can only be removed once it has no children and no processes.
    for (const d of dirs.reverse()) {
      for (let i = 0; i < 20; i++) {
        try {
          rmdirSync(d);
          break;
        } catch {
          sleepSync(25);
        }
      }
    }
    // The shared parent (/capstan-rig) goes too once no other run uses it; failing here just means it is in use.
    const parent = path.dirname(top);
    if (parent !== root) {
      try {
        rmdirSync(parent);
      } catch {
        // Another run's cgroups still live there.
      }
    }
  }
}

/** Unmounts (lazily, deepest first) everything mounted below dir: container rootfs and netns binds. */
export function unmountBelow(dir: string): void {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((m) => m.startsWith(dir + '/'))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) tryRunSync('umount', ['-l', m]);
}

/**
 * Stops an engine for good: removes its containers, stops dockerd (SIGKILL after a grace period), kills
 * whatever is left of it (containerd, shims, container processes), unmounts and deletes dir unless keepDir.
 */
export function stopEngine(engine: Engine, opts: { cgroupParent?: string; keepDir?: boolean } = {}): void {
  if (pidAlive(engine.pid) && existsSync(engine.socket)) {
    // SIGKILL the containers first: the daemon's own shutdown would wait out their stop timeouts.
    try {
      const ids = runSync('docker', ['-H', `unix://${engine.socket}`, 'ps', '-aq']).split('\n').filter(Boolean);
      if (ids.length > 0) tryRunSync('docker', ['-H', `unix://${engine.socket}`, 'rm', '-f', '-v', ...ids]);
    } catch {
      // The daemon no longer answers: the kills below handle it.
    }
  }
  terminateSync(engine.pid, 8000);
  for (const pid of pidsMentioning(engine.dir + '/')) terminateSync(pid, 1000);
  if (opts.cgroupParent) killCgroupTree(opts.cgroupParent);
  unmountBelow(engine.dir);
  if (!opts.keepDir) rmSync(engine.dir, { recursive: true, force: true, maxRetries: 3 });
}
