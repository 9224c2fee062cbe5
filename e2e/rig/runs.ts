// A "run" is one process's use of the rig: a random id that names its namespaces and links, a folder
// recording its owner pid, and a reserved 10.213.X.0/24 from which each host gets a /30. Parallel test
// files are separate runs and never clash; runs whose owner died are swept before a new one starts.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, closeSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { engineLayout, stopEngine } from './engine.ts';
import { pidAlive, runSync, signal, sleepSync, tryRunSync } from './sys.ts';

/** Folder holding one subfolder per live run plus the subnet reservations. */
export const RUN_ROOT = '/tmp/capstan-rig';
const SUBNETS = path.join(RUN_ROOT, 'subnets');
/** Network namespace names of the rig: capstan-h<index>-<runId>. */
export const NETNS_PATTERN = /^capstan-h(\d+)-([a-z0-9]+)$/;

export interface Run {
  id: string;
  dir: string;
  /** Third octet X of the run's 10.213.X.0/24. */
  subnet: number;
}

let current: Run | undefined;

/** Netns name of host index in run id. */
export function netnsName(runId: string, index: number): string {
  return `capstan-h${index}-${runId}`;
}

/** Root-side veth name (kernel limit 15 chars): cr<runId>h<index>. */
export function rootLinkName(runId: string, index: number): string {
  return `cr${runId}h${index}`;
}

/** Cgroup parent of host index's containers, so a crash sweep can find and kill them. */
export function cgroupParent(runId: string, index: number): string {
  return `/capstan-rig/${runId}-h${index}`;
}

/** Names of all network namespaces on the machine. */
export function listNetns(): string[] {
  return runSync('ip', ['netns', 'list']).split('\n').map((l) => l.split(' ')[0] ?? '').filter(Boolean);
}

/** Kills every process inside netns name, then deletes it (which also removes its veth pair). */
export function deleteNetns(name: string): void {
  for (let i = 0; i < 3; i++) {
    const r = tryPids(name);
    if (r.length === 0) break;
    for (const pid of r) signal(pid, 'SIGKILL');
    sleepSync(50);
  }
  tryRunSync('ip', ['netns', 'del', name]);
}

function tryPids(name: string): number[] {
  try {
    return runSync('ip', ['netns', 'pids', name]).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function ownerAlive(dir: string): boolean {
  const owner = path.join(dir, 'owner');
  if (!existsSync(owner)) {
    // A run being created right now has its folder before its owner file: give it a minute.
    try {
      return Date.now() - statSync(dir).mtimeMs < 60_000;
    } catch {
      return false;
    }
  }
  return pidAlive(Number(readFileSync(owner, 'utf8')));
}

/** Tears down what a dead run left: its dockerds and containers, namespaces, folder and subnet. */
function sweepRun(id: string): void {
  const dir = path.join(RUN_ROOT, id);
  if (existsSync(dir)) {
    for (const entry of readdirSync(dir)) {
      const m = /^h(\d+)$/.exec(entry);
      if (!m) continue;
      const hostDir = path.join(dir, entry);
      const l = engineLayout(hostDir);
      const pid = existsSync(l.pidfile) ? Number(readFileSync(l.pidfile, 'utf8')) : 0;
      stopEngine({ dir: hostDir, socket: l.socket, pid }, { cgroupParent: cgroupParent(id, Number(m[1])) });
    }
  }
  for (const ns of listNetns()) if (NETNS_PATTERN.exec(ns)?.[2] === id) deleteNetns(ns);
  rmSync(dir, { recursive: true, force: true });
  releaseSubnetsOf(id);
}

function releaseSubnetsOf(id: string): void {
  if (!existsSync(SUBNETS)) return;
  for (const f of readdirSync(SUBNETS)) {
    try {
      if (readFileSync(path.join(SUBNETS, f), 'utf8') === id) rmSync(path.join(SUBNETS, f), { force: true });
    } catch {
      // Released concurrently.
    }
  }
}

/** Removes leftovers of runs whose owner process is gone (crashed or SIGKILLed test runs); live runs are untouched. */
export function sweepStaleRuns(): void {
  const live = new Set<string>();
  if (existsSync(RUN_ROOT)) {
    for (const e of readdirSync(RUN_ROOT, { withFileTypes: true })) {
      if (!e.isDirectory() || e.name === 'subnets') continue;
      if (ownerAlive(path.join(RUN_ROOT, e.name))) live.add(e.name);
      else sweepRun(e.name);
    }
  }
  // Namespaces whose run folder is gone belong to nobody.
  for (const ns of listNetns()) {
    const id = NETNS_PATTERN.exec(ns)?.[2];
    if (id && !live.has(id)) sweepRun(id);
  }
  // Root-side veth ends whose namespace vanished without taking them along.
  for (const m of runSync('ip', ['-o', 'link', 'show']).matchAll(/^\d+: (cr([a-z0-9]{6})h\d+)[@:]/gm)) {
    if (!live.has(m[2]!)) tryRunSync('ip', ['link', 'del', m[1]!]);
  }
  // Reservations whose run is gone.
  if (existsSync(SUBNETS)) {
    for (const f of readdirSync(SUBNETS)) {
      let id = '';
      try {
        id = readFileSync(path.join(SUBNETS, f), 'utf8');
      } catch {
        continue;
      }
      if (!live.has(id) && !existsSync(path.join(RUN_ROOT, id))) rmSync(path.join(SUBNETS, f), { force: true });
    }
  }
}

/** Third octets of 10.213.X.* addresses already on any interface of the root namespace. */
function subnetsInUse(): Set<number> {
  const used = new Set<number>();
  for (const m of runSync('ip', ['-o', '-4', 'addr', 'show']).matchAll(/inet 10\.213\.(\d+)\./g)) used.add(Number(m[1]));
  return used;
}

/** Reserves a free 10.213.X.0/24 for run id (exclusive file create, so parallel runs never share one). */
function reserveSubnet(id: string): number {
  mkdirSync(SUBNETS, { recursive: true });
  const used = subnetsInUse();
  const start = randomBytes(1)[0]!;
  for (let i = 0; i < 256; i++) {
    const x = (start + i) % 256;
    if (used.has(x)) continue;
    try {
      const fd = openSync(path.join(SUBNETS, String(x)), 'wx');
      writeFileSync(fd, id);
      closeSync(fd);
      return x;
    } catch {
      // Reserved by another run.
    }
  }
  throw new Error('no free /24 left in 10.213.0.0/16 for the rig');
}

/** This process's run, created on first use (after sweeping dead runs). */
export function currentRun(): Run {
  if (current) return current;
  sweepStaleRuns();
  const id = randomBytes(4).readUInt32BE().toString(36).padStart(6, '0').slice(-6);
  const dir = path.join(RUN_ROOT, id);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'owner'), String(process.pid));
  current = { id, dir, subnet: reserveSubnet(id) };
  return current;
}

/** Ends this process's run once its hosts are stopped: frees its folder and subnet. */
export function releaseRun(): void {
  if (!current) return;
  rmSync(current.dir, { recursive: true, force: true });
  releaseSubnetsOf(current.id);
  current = undefined;
}
