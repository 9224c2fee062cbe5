// The multi-host rig itself, checked with real dockerds, namespaces and iptables (no agent yet): each host
// has its own engine, inbound connections are dropped while outbound ones work, links can be cut.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHosts, stopAll, TEST_IMAGE, type Host } from './rig/index.ts';

// A TCP client run as its own process (inside a namespace via host.exec): prints connected/timeout/<code>.
const PROBE = `
const [addr, port, ms] = process.argv.slice(1);
const s = require('node:net').connect({ host: addr, port: Number(port) });
const done = (r) => { console.log(r); s.destroy(); process.exit(0); };
s.setTimeout(Number(ms), () => done('timeout'));
s.on('connect', () => done('connected'));
s.on('error', (e) => done(e.code));
`;

// A TCP listener on every address of its namespace; prints "listening" once bound.
const LISTENER = `
require('node:net').createServer((s) => s.on('error', () => {}).end('hi')).listen(Number(process.argv[1]), '0.0.0.0', () => console.log('listening'));
`;

/** Connects from inside host's namespace; resolves 'connected', 'timeout' or an errno code. */
async function probeFrom(host: Host, addr: string, port: number, ms = 1500): Promise<string> {
  return (await host.exec(process.execPath, ['-e', PROBE, addr, String(port), String(ms)])).trim();
}

/** Connects from the root namespace (this process). */
function probeFromRoot(addr: string, port: number, ms = 1500): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({ host: addr, port });
    const done = (r: string) => {
      s.destroy();
      resolve(r);
    };
    s.setTimeout(ms, () => done('timeout'));
    s.on('connect', () => done('connected'));
    s.on('error', (e: NodeJS.ErrnoException) => done(e.code ?? 'error'));
  });
}

function listenOn(addr: string): Promise<{ server: Server; port: number; peers: string[] }> {
  const peers: string[] = [];
  const server = createServer((s) => {
    peers.push(s.remoteAddress ?? '');
    // Probes hang up at once; their resets are expected.
    s.on('error', () => undefined);
    s.end();
  });
  return new Promise((resolve) => server.listen(0, addr, () => resolve({ server, port: (server.address() as { port: number }).port, peers })));
}

describe('multi-host rig', () => {
  let hosts: Host[] = [];

  beforeAll(async () => {
    hosts = await startHosts(2);
  });

  afterAll(async () => {
    await stopAll();
  });

  it('gives every host its own engine with the test image', async () => {
    const [h1, h2] = hosts as [Host, Host];
    expect(h1.address).not.toBe(h2.address);
    await h1.docker(['run', '-d', '--name', 'only-on-h1', TEST_IMAGE]);
    await h2.docker(['run', '-d', '--name', 'only-on-h2', TEST_IMAGE]);
    const names = async (h: Host) => (await h.docker(['ps', '--format', '{{.Names}}'])).split('\n').filter(Boolean);
    expect(await names(h1)).toEqual(['only-on-h1']);
    expect(await names(h2)).toEqual(['only-on-h2']);
  });

  it('drops inbound connections but lets the host dial out to the server side', async () => {
    const h1 = hosts[0]!;
    const port = 7070;
    const listener = h1.spawn(process.execPath, ['-e', LISTENER, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      listener.stdout!.on('data', (d: Buffer) => d.toString().includes('listening') && resolve());
      listener.once('exit', (code) => reject(new Error(`listener exited ${code}`)));
    });
    try {
      // The listener is real: reachable on the host's own address from inside the namespace.
      expect(await probeFrom(h1, h1.address, port)).toBe('connected');
      // From the root namespace the SYN is silently dropped: a timeout, not a refusal.
      expect(await probeFromRoot(h1.address, port)).toBe('timeout');
    } finally {
      listener.kill('SIGKILL');
    }
    const server = await listenOn(h1.rootAddress);
    try {
      expect(await probeFrom(h1, h1.rootAddress, server.port)).toBe('connected');
      expect(server.peers).toEqual([h1.address]);
    } finally {
      server.server.close();
    }
  });

  it('cuts and restores one host link without touching the others', async () => {
    const [h1, h2] = hosts as [Host, Host];
    const s1 = await listenOn(h1.rootAddress);
    const s2 = await listenOn(h2.rootAddress);
    try {
      await h1.cutLink();
      expect(await probeFrom(h1, h1.rootAddress, s1.port, 1000)).not.toBe('connected');
      expect(await probeFrom(h2, h2.rootAddress, s2.port)).toBe('connected');
      await h1.restoreLink();
      let result = '';
      for (let i = 0; i < 10 && result !== 'connected'; i++) result = await probeFrom(h1, h1.rootAddress, s1.port, 1000);
      expect(result).toBe('connected');
    } finally {
      s1.server.close();
      s2.server.close();
    }
  });

  it('stop() removes the namespace, the link and the engine', async () => {
    const h2 = hosts[1]!;
    await h2.stop();
    expect(existsSync(h2.netnsPath)).toBe(false);
    expect(spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout).not.toContain(h2.name);
    expect(spawnSync('ip', ['link', 'show', h2.rootInterface]).status).not.toBe(0);
    expect(existsSync(h2.dockerSocket)).toBe(false);
    expect(spawnSync('pgrep', ['-f', h2.dockerSocket]).status).not.toBe(0);
  });
});
