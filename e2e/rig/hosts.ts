// Simulated Docker hosts: each a network namespace with its own dockerd, joined to the root namespace
// (where the server runs) by a veth pair, with a firewall that drops every new inbound connection so the
// host can only dial out, like an edge host behind NAT.
import { spawn as spawnChild, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Engine, startEngine, stopEngine } from './engine.ts';
import { loadTestImage, testImageTarball } from './images.ts';
import { cgroupParent, currentRun, deleteNetns, netnsName, releaseRun, rootLinkName } from './runs.ts';
import { run, runSync, signal, signalGroup, tryRunSync } from './sys.ts';
import { ensureTools } from './tools.ts';

export interface Host {
  /** 1-based index within the run. */
  index: number;
  /** Network namespace name, capstan-h<index>-<runId>. */
  name: string;
  /** /var/run/netns/<name>: pass to `nsenter --net=`. */
  netnsPath: string;
  /** The host's own address (inside the namespace, on eth0). */
  address: string;
  /** The root-namespace end of the link: where a server listening in the root namespace is reachable. */
  rootAddress: string;
  /** Root-side veth name (what cutLink/restoreLink switch). */
  rootInterface: string;
  /** This host's dockerd API socket: `docker -H unix://<dockerSocket>`. */
  dockerSocket: string;
  /** Starts a process inside the host's network namespace (other namespaces unchanged); killed on stop(). */
  spawn(cmd: string, args: string[], opts?: SpawnOptions): ChildProcess;
  /** Runs a command inside the namespace to completion; resolves stdout. */
  exec(cmd: string, args: string[]): Promise<string>;
  /** Runs the docker CLI against this host's engine; resolves stdout. */
  docker(args: string[]): Promise<string>;
  /** Takes the link down on the root side: the host can neither reach nor be reached (packets vanish). */
  cutLink(): Promise<void>;
  /** Brings the link back up after cutLink(). */
  restoreLink(): Promise<void>;
  /** Tears the host down: spawned processes, containers, dockerd, namespace, veth, folders. Idempotent. */
  stop(): Promise<void>;
}

export interface StartHostsOptions {
  /** Load the busybox test images into each engine (default true). */
  loadImage?: boolean;
}

interface HostState {
  runId: string;
  host: Host;
  engine?: Engine;
  children: Set<ChildProcess>;
  /** Children spawned with `detached: true`, each leading a process group. */
  groups: WeakSet<ChildProcess>;
  stopped: boolean;
}

const live = new Map<string, HostState>();
let nextIndex = 1;
let hooksInstalled = false;

// Inside the namespace: loopback and replies to our own connections pass, every new inbound packet is
// dropped. Outbound only to the root side of the link (server address) so a host never reaches anything
// else even on a machine that forwards; refused at once rather than hanging.
function firewall(rootAddress: string | undefined): string {
  const out = rootAddress ? `-A OUTPUT -d ${rootAddress}/32 -j ACCEPT\n` : '';
  return `*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
-A OUTPUT -o lo -j ACCEPT
-A OUTPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
${out}-A OUTPUT -j REJECT
COMMIT
`;
}

function inNetns(netnsPath: string, cmd: string, args: string[]): [string, string[]] {
  // nsenter --net swaps only the network namespace; `ip netns exec` would remount /sys and break dockerd's cgroups.
  return ['nsenter', [`--net=${netnsPath}`, '--', cmd, ...args]];
}

/** Creates the namespace, veth pair, addresses, routes and firewall of host index; returns its addressing. */
function createNetwork(runId: string, subnet: number, index: number) {
  if (index > 63) throw new Error('the rig gives each run 63 hosts at most (one /30 each in a /24)');
  const name = netnsName(runId, index);
  const netnsPath = `/var/run/netns/${name}`;
  const rootInterface = rootLinkName(runId, index);
  const rootAddress = `10.213.${subnet}.${index * 4 + 1}`;
  const address = `10.213.${subnet}.${index * 4 + 2}`;
  runSync('ip', ['netns', 'add', name]);
  try {
    const ns = (args: string[]) => runSync('ip', ['-n', name, ...args]);
    runSync('ip', ['link', 'add', rootInterface, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', name]);
    runSync('ip', ['addr', 'add', `${rootAddress}/30`, 'dev', rootInterface]);
    runSync('ip', ['link', 'set', rootInterface, 'up']);
    ns(['link', 'set', 'lo', 'up']);
    ns(['addr', 'add', `${address}/30`, 'dev', 'eth0']);
    ns(['link', 'set', 'eth0', 'up']);
    // Default route via the root side; the root namespace does not forward, so nothing beyond it is reachable.
    ns(['route', 'add', 'default', 'via', rootAddress]);
    runSync(...inNetns(netnsPath, 'iptables-restore', []), firewall(rootAddress));
    runSync(...inNetns(netnsPath, 'ip6tables-restore', []), firewall(undefined));
  } catch (err) {
    // Half-built: remove what exists so nothing outlives the failure.
    deleteNetns(name);
    tryRunSync('ip', ['link', 'del', rootInterface]);
    throw err;
  }
  return { name, netnsPath, rootInterface, rootAddress, address };
}

/** Synchronous teardown of one host (also used from the process 'exit' handler). */
function stopHostSync(state: HostState): void {
  if (state.stopped) return;
  state.stopped = true;
  const { host } = state;
  for (const child of state.children) {
    if (!child.pid) continue;
    // A detached child leads its own group: take what it started too (sh does not exec its last command).
    if (state.groups.has(child)) signalGroup(child.pid, 'SIGKILL');
    signal(child.pid, 'SIGKILL');
  }
  if (state.engine) stopEngine(state.engine, { cgroupParent: cgroupParent(state.runId, host.index) });
  deleteNetns(host.name);
  tryRunSync('ip', ['link', 'del', host.rootInterface]);
  live.delete(host.name);
  if (live.size === 0) releaseRun();
}

/** Stops every host this process started; synchronous so it also works while the process exits. */
export function stopAllSync(): void {
  for (const state of [...live.values()]) stopHostSync(state);
}

/** Stops every host this process started. */
export function stopAll(): Promise<void> {
  stopAllSync();
  return Promise.resolve();
}

function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.once('exit', stopAllSync);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = () => {
      stopAllSync();
      process.removeListener(sig, onSignal);
      // Keep the default meaning of the signal (die) unless someone else handles it too.
      if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
    };
    process.on(sig, onSignal);
  }
}

function makeHost(net: ReturnType<typeof createNetwork>, index: number, dockerSocket: string, state: () => HostState): Host {
  return {
    index,
    ...net,
    dockerSocket,
    spawn(cmd, args, opts = {}) {
      const [c, a] = inNetns(net.netnsPath, cmd, args);
      const child = spawnChild(c, a, opts);
      const children = state().children;
      children.add(child);
      if (opts.detached) state().groups.add(child);
      child.once('exit', () => children.delete(child));
      return child;
    },
    exec: (cmd, args) => run(...inNetns(net.netnsPath, cmd, args)),
    docker: (args) => run('docker', ['-H', `unix://${dockerSocket}`, ...args]),
    cutLink: () => run('ip', ['link', 'set', net.rootInterface, 'down']).then(() => undefined),
    restoreLink: () => run('ip', ['link', 'set', net.rootInterface, 'up']).then(() => undefined),
    stop: () => {
      stopHostSync(state());
      return Promise.resolve();
    },
  };
}

/** Starts n simulated hosts (namespaces, links, firewalls, dockerds, test image loaded) and resolves when all answer. */
export async function startHosts(n: number, opts: StartHostsOptions = {}): Promise<Host[]> {
  ensureTools();
  // Build (or find) the image before any namespace exists, so a failure here leaves nothing behind.
  if (opts.loadImage !== false) await testImageTarball();
  installExitHooks();
  const runInfo = currentRun();
  const states: HostState[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const index = nextIndex++;
      const hostDir = path.join(runInfo.dir, `h${index}`);
      mkdirSync(hostDir, { recursive: true });
      const state = { runId: runInfo.id, children: new Set(), groups: new WeakSet(), stopped: false } as HostState;
      const net = createNetwork(runInfo.id, runInfo.subnet, index);
      state.host = makeHost(net, index, path.join(hostDir, 'docker.sock'), () => state);
      live.set(net.name, state);
      states.push(state);
    }
    // allSettled: on a failure no engine may still be starting while the teardown below runs.
    const results = await Promise.allSettled(
      states.map(async (state) => {
        const dir = path.dirname(state.host.dockerSocket);
        state.engine = await startEngine(dir, { netnsPath: state.host.netnsPath, cgroupParent: cgroupParent(runInfo.id, state.host.index) });
        if (opts.loadImage !== false) await loadTestImage(state.host.dockerSocket);
      }),
    );
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  } catch (err) {
    for (const s of states) stopHostSync(s);
    throw err;
  }
  return states.map((s) => s.host);
}
