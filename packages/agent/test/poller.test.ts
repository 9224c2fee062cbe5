// Async mode end to end on the agent side: the poll loop against a small HTTPS server playing the
// Capstan server (challenge, Ed25519 check, command batches, snapshot bookkeeping, mode), a real
// command runner on a real journal, and the whole agent switching from the tunnel to polls and back
// at the next start.
import { createPublicKey, randomBytes, randomUUID, verify, X509Certificate } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  agentAuthSigningInput,
  applySnapshotDelta,
  PollRequestSchema,
  type AgentMode,
  type CommandFrame,
  type EngineSnapshot,
  type PollAnswer,
  type PollIntervals,
  type PollRequest,
  type PollSnapshotOutcome,
} from '@capstan/protocol';
import { startAgent } from '../src/agent.ts';
import { CommandRunner } from '../src/commands/command-runner.ts';
import type { AgentOptions } from '../src/config/options.ts';
import { generateAgentKeys } from '../src/identity/keys.ts';
import type { AgentIdentity } from '../src/identity/identity-store.ts';
import { CommandJournal } from '../src/journal/journal.ts';
import { createLogger, silentLogger } from '../src/log/logger.ts';
import { Outbox } from '../src/poll/outbox.ts';
import { createPollClient } from '../src/poll/poll-client.ts';
import { startPoller, type PollRunner } from '../src/poll/poller.ts';
import { snapshotHash } from '../src/state/hash.ts';
import { loadModeState, modeFile, saveModeState } from '../src/transport/mode-store.ts';
import { TestPeer } from './support/test-peer.ts';
import { generate } from 'selfsigned';
import { makeTestPems, type TestPems } from './support/test-pems.ts';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'capstan-poll-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function until(what: string, probe: () => boolean, withinMs = 10_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** What a script answers to one authenticated poll. */
type Reply = { status: number; body: unknown } | { commands?: CommandFrame[]; more?: boolean; mode?: AgentMode; intervals?: PollIntervals };

/** Waits between idle polls: 1000 ± 900 ms drawn with random() = 0, so 100 ms. */
const QUICK: PollIntervals = { pollIntervalMs: 1000, jitterMs: 900 };

/** The server's side of polls: nonces, signature check, snapshots as the server would keep them. */
class PollPeer {
  readonly server: Server;
  readonly fingerprint: string;
  /** Authenticated polls, parsed. */
  readonly polls: PollRequest[] = [];
  /** Every body that arrived, authenticated or not. */
  readonly raw: unknown[] = [];
  challenges = 0;
  publicKeyPem = '';
  agentId = 7;
  refuse: 'challenge_failed' | 'agent_revoked' | null = null;
  script: (poll: PollRequest, index: number) => Reply = () => ({});
  held: { snapshot: EngineSnapshot; hash: string } | null = null;
  readonly #nonces = new Set<string>();

  private constructor(server: Server, fingerprint: string) {
    this.server = server;
    this.fingerprint = fingerprint;
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const reply = this.#handle(req.method ?? '', req.url ?? '', Buffer.concat(chunks).toString('utf8'));
        res.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify(reply.body));
      });
    });
  }

  static async start(): Promise<PollPeer> {
    const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], { keyType: 'ec', algorithm: 'sha256' });
    const server = createServer({ cert: pems.cert, key: pems.private });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new PollPeer(server, new X509Certificate(pems.cert).fingerprint256);
  }

  get url(): URL {
    return new URL(`https://127.0.0.1:${(this.server.address() as AddressInfo).port}/`);
  }

  #nonce(): string {
    const nonce = randomBytes(32).toString('base64url');
    this.#nonces.add(nonce);
    return nonce;
  }

  #problem(status: number, code: string, extra: object = {}): { status: number; body: unknown } {
    return { status, body: { type: 'about:blank', title: code, status, code, detail: `test peer: ${code}`, ...extra } };
  }

  #handle(method: string, url: string, text: string): { status: number; body: unknown } {
    if (method !== 'POST' || url !== '/api/agents/poll') return this.#problem(404, 'route_not_found');
    const json: unknown = JSON.parse(text);
    this.raw.push(json);
    const parsed = PollRequestSchema.safeParse(json);
    if (!parsed.success) return this.#problem(400, 'validation_failed');
    const poll = parsed.data;
    if (!poll.nonce || !this.#nonces.delete(poll.nonce)) {
      this.challenges++;
      return this.#problem(401, 'challenge_required', { details: { nonce: this.#nonce(), serverTime: new Date().toISOString() } });
    }
    const signed = Buffer.from(agentAuthSigningInput('poll', poll.agentId, poll.nonce));
    const ok = poll.agentId === this.agentId && poll.signature !== undefined && verify(null, signed, createPublicKey(this.publicKeyPem), Buffer.from(poll.signature, 'base64url'));
    if (!ok || this.refuse === 'challenge_failed') return this.#problem(401, 'challenge_failed');
    if (this.refuse) return this.#problem(403, this.refuse);
    this.polls.push(poll);
    const reply = this.script(poll, this.polls.length - 1);
    if ('status' in reply) return reply;
    const answer: PollAnswer = {
      serverTime: new Date().toISOString(),
      nonce: this.#nonce(),
      mode: reply.mode ?? 'async',
      intervals: reply.intervals ?? QUICK,
      snapshot: this.#snapshot(poll),
      commands: reply.commands ?? [],
      more: reply.more ?? false,
    };
    return { status: 200, body: answer };
  }

  /** As the server's SnapshotsService would: verify, store, or ask for everything. */
  #snapshot(poll: PollRequest): PollSnapshotOutcome {
    const part = poll.snapshot;
    if (!part) return 'none';
    if (part.type === 'snapshot-unchanged') return this.held?.hash === part.hash ? 'unchanged' : 'full-required';
    const next = part.type === 'snapshot' ? part.snapshot : this.held?.hash === part.baseHash ? applySnapshotDelta(this.held.snapshot, part.delta) : null;
    if (!next || snapshotHash(next) !== part.hash) return 'full-required';
    this.held = { snapshot: next, hash: part.hash };
    return 'stored';
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const engine = { name: 'h', version: '28.0.0', apiVersion: '1.50', os: 'linux', arch: 'x86_64', kernelVersion: '6', cpus: 1, memoryBytes: 1, storageDriver: 'overlay2' };
const state = (): EngineSnapshot => ({ takenAt: new Date().toISOString(), engine, containers: [], images: [], volumes: [], networks: [], composeProjects: [] });

let seq = 0;
const command = (): CommandFrame => ({
  type: 'command',
  id: randomUUID(),
  seq: ++seq,
  kind: 'container.exec',
  payload: {},
  queuedAt: new Date().toISOString(),
  expiresAt: null,
});

/** A real runner on a journal; the executor records each run. */
function runnerRig() {
  const runs: string[] = [];
  const links: string[] = [];
  const runner = new CommandRunner({
    journal: CommandJournal.open(tmp()),
    log: silentLogger,
    execute: async (c) => {
      runs.push(c.id);
      await new Promise((r) => setTimeout(r, 2));
      return { status: 'succeeded', output: { ran: c.seq } };
    },
  });
  const watched: PollRunner = {
    capabilities: runner.capabilities,
    connected: (link) => (links.push('connected'), runner.connected(link)),
    disconnected: () => (links.push('disconnected'), runner.disconnected()),
    frame: (f) => runner.frame(f),
    idle: () => runner.idle(),
    busy: () => runner.busy(),
  };
  return { runner, watched, runs, links };
}

function identityFor(peer: PollPeer, pin = peer.fingerprint): AgentIdentity {
  const keys = generateAgentKeys();
  peer.publicKeyPem = keys.publicKeyPem;
  return { agentId: peer.agentId, environmentId: 3, server: peer.url.href, ...keys, serverCertSha256: pin, pinned: true, enrolledAt: new Date().toISOString() };
}

describe('poll loop', () => {
  let peer: PollPeer;
  beforeAll(async () => {
    peer = await PollPeer.start();
  });
  afterAll(async () => peer?.close());

  it('answers the challenge, runs batches, reports each result until a poll carrying it is answered, then follows standard', async () => {
    const batch1 = [command(), command(), command()];
    const batch2 = [command(), command()];
    const answers: AgentMode[] = [];
    peer.polls.length = 0;
    peer.challenges = 0;
    peer.held = null;
    peer.script = (_poll, index) => {
      switch (index) {
        case 0:
          return { commands: batch1, more: true };
        case 1:
          // The results arrive, but the answer is lost: the agent must send them again.
          return { status: 503, body: { type: 'about:blank', title: 'x', status: 503, code: 'internal_error', detail: 'restarting' } };
        case 2:
          return { commands: batch2 };
        case 3:
          return {};
        default:
          return { mode: 'standard' };
      }
    };
    const { watched, runs, links, runner } = runnerRig();
    const poller = startPoller({
      server: peer.url,
      identity: identityFor(peer),
      trust: { ca: undefined, verifyChain: false },
      log: silentLogger,
      runner: watched,
      outbox: new Outbox(),
      engineInfo: () => Promise.resolve({ version: '28.0.0', apiVersion: '1.50' }),
      collect: () => Promise.resolve(state()),
      intervals: QUICK,
      onAnswer: (mode) => answers.push(mode),
      random: () => 0,
    });
    await poller.done;
    await runner.stop();

    // The first poll, and the one after the lost answer (which carried no next nonce).
    expect(peer.challenges).toBe(2);
    // Asking for the challenge costs a bare request: no reports, no engine state.
    expect(peer.raw[0]).toEqual({ agentId: 7, protocolVersion: 1, agentVersion: expect.any(String), lastCompletedSeq: 0, accepted: [], results: [] });
    expect(peer.polls).toHaveLength(5);
    expect(runs).toEqual([...batch1, ...batch2].map((c) => c.id));
    const ids = (p: PollRequest) => p.results.map((r) => r.id);
    expect(ids(peer.polls[0]!)).toEqual([]);
    expect(ids(peer.polls[1]!)).toEqual(batch1.map((c) => c.id));
    expect(ids(peer.polls[2]!)).toEqual(batch1.map((c) => c.id));
    expect(peer.polls[2]!.accepted.map((a) => a.id)).toEqual(batch1.map((c) => c.id));
    expect(ids(peer.polls[3]!)).toEqual(batch2.map((c) => c.id));
    expect(peer.polls[4]).toMatchObject({ accepted: [], results: [], lastCompletedSeq: batch2[1]!.seq });
    expect(peer.polls[1]!.lastCompletedSeq).toBe(batch1[2]!.seq);
    // Engine facts until the first answer; the state in full once, then only its hash.
    expect(peer.polls[0]!.engine).toEqual({ version: '28.0.0', apiVersion: '1.50' });
    expect(peer.polls[1]!.engine).toBeUndefined();
    expect(peer.polls.map((p) => p.snapshot?.type)).toEqual(['snapshot', 'snapshot-unchanged', 'snapshot-unchanged', 'snapshot-unchanged', 'snapshot-unchanged']);
    expect(answers).toEqual(['async', 'async', 'async', 'standard']);
    expect(links).toEqual(['connected', 'disconnected']);
  });

  it('sends nothing to a server whose certificate is not the pinned one', async () => {
    const before = peer.raw.length;
    const lines: string[] = [];
    const { watched, runner } = runnerRig();
    const poller = startPoller({
      server: peer.url,
      identity: identityFor(peer, 'AA:'.repeat(31) + 'AA'),
      trust: { ca: undefined, verifyChain: false },
      log: createLogger('debug', (l) => lines.push(l)),
      runner: watched,
      outbox: new Outbox(),
      engineInfo: () => Promise.resolve(undefined),
      collect: () => Promise.resolve(state()),
      intervals: QUICK,
      backoff: { initialMs: 10, maxMs: 10, jitter: 0, refusedMs: 60_000 },
    });
    await until('a refusal in the log', () => lines.some((l) => l.includes('the server certificate changed')));
    await poller.stop();
    await runner.stop();
    expect(peer.raw.length).toBe(before);
  });

  it('backs off long when refused and stops at once while waiting', async () => {
    peer.refuse = 'agent_revoked';
    const lines: string[] = [];
    const { watched, runner } = runnerRig();
    const poller = startPoller({
      server: peer.url,
      identity: identityFor(peer),
      trust: { ca: undefined, verifyChain: false },
      log: createLogger('debug', (l) => lines.push(l)),
      runner: watched,
      outbox: new Outbox(),
      engineInfo: () => Promise.resolve(undefined),
      collect: () => Promise.reject(new Error('no engine')),
      intervals: QUICK,
      backoff: { initialMs: 10, maxMs: 10, jitter: 0, refusedMs: 60_000 },
    });
    try {
      await until('a refusal in the log', () => lines.some((l) => l.includes('refuses this agent') && l.includes('agent_revoked')));
      const started = Date.now();
      await poller.stop();
      expect(Date.now() - started).toBeLessThan(1_000);
      // The engine could not be read: the polls went without a snapshot part.
      expect((peer.raw.at(-1) as PollRequest).snapshot).toBeUndefined();
    } finally {
      peer.refuse = null;
      await runner.stop();
    }
  });
});

describe('poll client', () => {
  const answer = (): PollAnswer => ({
    serverTime: new Date().toISOString(),
    nonce: randomBytes(32).toString('base64url'),
    mode: 'async',
    intervals: QUICK,
    snapshot: 'none',
    commands: [],
    more: false,
  });
  const body: PollRequest = { agentId: 7, protocolVersion: 1, agentVersion: 'test', lastCompletedSeq: 0, accepted: [], results: [] };
  let pems: TestPems;
  const servers: Server[] = [];

  /** An HTTPS server on 127.0.0.1 answering each poll with `reply` (or never); counts connections and client CNs. */
  async function serve(reply: ((res: import('node:http').ServerResponse) => void) | null, tls: object = {}) {
    const seen = { connections: 0, clients: [] as string[] };
    const server = createServer({ cert: pems.cert, key: pems.key, ...tls }, (req, res) => {
      const cert = (req.socket as import('node:tls').TLSSocket).getPeerCertificate();
      if (cert.subject) seen.clients.push(String(cert.subject.CN));
      req.resume();
      req.on('end', () => reply?.(res));
    });
    server.on('secureConnection', () => seen.connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    return { seen, url: new URL(`https://localhost:${(server.address() as AddressInfo).port}/api/agents/poll`) };
  }

  beforeAll(async () => {
    pems = await makeTestPems();
  });
  afterAll(async () => {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it('verifies the server by its CA, presents the client certificate, and reuses one connection', async () => {
    const { seen, url } = await serve((res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer())), {
      requestCert: true,
      rejectUnauthorized: true,
      ca: pems.agentCa,
    });
    const client = await createPollClient({ url, trust: { ca: pems.cert, verifyChain: true }, pinnedSha256: undefined, clientCert: { cert: pems.clientCert, key: pems.clientKey } });
    const signal = new AbortController().signal;
    expect((await client.post(body, signal)).kind).toBe('answer');
    expect((await client.post(body, signal)).kind).toBe('answer');
    client.close();
    expect(seen).toEqual({ connections: 1, clients: ['agent-7', 'agent-7'] });

    const anonymous = await createPollClient({ url, trust: { ca: pems.cert, verifyChain: true }, pinnedSha256: undefined });
    expect(await anonymous.post(body, signal)).toMatchObject({ kind: 'failed' });
    anonymous.close();
    const untrusted = await createPollClient({ url, trust: { ca: undefined, verifyChain: true }, pinnedSha256: undefined });
    expect(await untrusted.post(body, signal)).toMatchObject({ kind: 'failed', reason: expect.stringContaining('certificate') });
    untrusted.close();
  });

  it('checks the pinned certificate on every new connection, including ones that could resume a TLS session', async () => {
    // Each answer closes its connection, as a server's keep-alive timeout does between two sparse polls.
    const { seen, url } = await serve((res) => res.writeHead(200, { 'content-type': 'application/json', connection: 'close' }).end(JSON.stringify(answer())));
    const fingerprint = new X509Certificate(pems.cert).fingerprint256;
    const client = await createPollClient({ url, trust: { ca: undefined, verifyChain: false, expectedFingerprint: fingerprint }, pinnedSha256: fingerprint });
    const signal = new AbortController().signal;
    for (let i = 0; i < 3; i++) expect(await client.post(body, signal)).toMatchObject({ kind: 'answer' });
    client.close();
    expect(seen.connections).toBe(3);
  });

  it('gives up on an answer that is too large, one that never comes, and when stopped', async () => {
    const big = await serve((res) => res.writeHead(200).end('x'.repeat(10_000)));
    const capped = await createPollClient({ url: big.url, trust: { ca: pems.cert, verifyChain: true }, pinnedSha256: undefined, maxAnswerBytes: 1_000 });
    expect(await capped.post(body, new AbortController().signal)).toMatchObject({ kind: 'failed', reason: expect.stringContaining('larger than 1000 bytes') });
    capped.close();

    const silent = await serve(null);
    const slow = await createPollClient({ url: silent.url, trust: { ca: pems.cert, verifyChain: true }, pinnedSha256: undefined, timeoutMs: 100 });
    expect(await slow.post(body, new AbortController().signal)).toMatchObject({ kind: 'failed', reason: expect.stringContaining('within 0.1 s') });
    const stop = new AbortController();
    const pending = slow.post(body, stop.signal);
    stop.abort();
    expect(await pending).toMatchObject({ kind: 'failed', reason: 'the agent is stopping' });
    slow.close();
  });
});

describe('mode file', () => {
  it('round-trips, leaves no temporary file, and reports a damaged file', () => {
    const dir = tmp();
    expect(loadModeState(dir)).toEqual({ state: undefined });
    saveModeState(dir, { mode: 'async', intervals: QUICK });
    expect(loadModeState(dir)).toEqual({ state: { mode: 'async', intervals: QUICK } });
    expect(JSON.parse(readFileSync(modeFile(dir), 'utf8'))).toHaveProperty('updatedAt');
    saveModeState(dir, { mode: 'standard', intervals: QUICK });
    expect(loadModeState(dir).state?.mode).toBe('standard');
    expect(readdirSync(dir)).toEqual(['mode.json']);
    writeFileSync(modeFile(dir), '{"mode":"sometimes"');
    expect(loadModeState(dir)).toEqual({ state: undefined, problem: expect.stringContaining('is not readable JSON') });
    writeFileSync(modeFile(dir), '{"mode":"sometimes"}');
    expect(loadModeState(dir)).toEqual({ state: undefined, problem: expect.stringContaining('is damaged') });
  });
});

describe('the agent following the server mode', () => {
  let peer: TestPeer;
  beforeAll(async () => {
    peer = await TestPeer.start({ heartbeatIntervalMs: 5_000 });
  });
  afterAll(async () => peer?.close());

  const options = (stateDir: string, extra: Partial<AgentOptions> = {}): AgentOptions => ({
    server: peer.url,
    joinToken: undefined,
    stateDir,
    // No engine: the tunnel and the polls go on without engine state.
    docker: { kind: 'unix', socketPath: path.join(stateDir, 'no-docker.sock') },
    insecure: true,
    caFile: undefined,
    serverFingerprint: undefined,
    logLevel: 'error',
    ...extra,
  });

  it('announces modes.v1, closes the tunnel on agent-mode async, remembers it and starts polling next time', async () => {
    const stateDir = tmp();
    const deps = { log: silentLogger, hostname: 'edge-async', backoff: { initialMs: 20, maxMs: 50, jitter: 0, refusedMs: 1_000 } };
    const agent = await startAgent(options(stateDir, { joinToken: `cjt_${'B'.repeat(40)}` }), deps);
    try {
      const conn = await peer.welcomed(1);
      expect(conn.hello?.capabilities).toContain('modes.v1');
      expect(agent.mode()).toBe('standard');
      conn.mux.sendControl({ type: 'agent-mode', mode: 'async', intervals: { pollIntervalMs: 60_000, jitterMs: 0 } });
      conn.flush();
      await until('the tunnel to close', () => conn.closed);
      expect(agent.mode()).toBe('async');
      expect(loadModeState(stateDir).state).toEqual({ mode: 'async', intervals: { pollIntervalMs: 60_000, jitterMs: 0 } });
    } finally {
      await agent.stop();
    }
    const connections = peer.connections.length;
    const again = await startAgent(options(stateDir), deps);
    try {
      expect(again.mode()).toBe('async');
      await new Promise((r) => setTimeout(r, 200));
      expect(peer.connections.length).toBe(connections);
    } finally {
      await again.stop();
    }
    // An explicit --mode is the guess to start with: standard dials the tunnel again.
    const guessed = await startAgent(options(stateDir, { mode: 'standard' }), deps);
    try {
      await peer.welcomed(2);
    } finally {
      await guessed.stop();
    }
  });
});
