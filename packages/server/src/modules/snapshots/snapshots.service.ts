// Live engine state: keeps the latest snapshot each agent reports (full, or as deltas against the
// stored one) and serves it. Anything that does not add up asks the agent for a full snapshot.
import { createHash } from 'node:crypto';
import {
  applySnapshotDelta,
  canonicalSnapshot,
  summarizeContainers,
  type AgentAppFrame,
  type EngineSnapshot,
  type EnvironmentSnapshotView,
  type ServerAppFrame,
  type SnapshotDeltaFrame,
  type SnapshotFrame,
} from '@capstan/protocol';
import { AppError, notFound } from '../../errors.ts';
import type { Publish } from '../events/events.hub.ts';
import type { AppLink, TunnelApp } from '../tunnel/tunnel-apps.ts';
import type { SnapshotsRepository } from './snapshots.repository.ts';

/** sha256 hex of a canonical snapshot text. */
export function hashCanonical(canonical: string): string {
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

/** What became of one snapshot frame (tests and logs). */
export type ReceiveOutcome =
  | { result: 'stored'; hash: string }
  /** Not stored; a full snapshot was asked for (`sent` false: asked recently already, or no link). */
  | { result: 'requested'; reason: string; sent: boolean }
  | { result: 'failed'; error: string };

/** Where replies to the agent go; a tunnel AppLink in production, anything in tests. */
export interface SnapshotReplyTo {
  readonly environmentId: number;
  send(frame: ServerAppFrame): boolean;
  /** Ask on every mismatch, not at most once per interval (polls: each answer is the agent's only news). */
  readonly askEveryTime?: boolean;
}

interface Log {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Settings; `requestIntervalMs` bounds how often one environment is asked for a full snapshot. */
export interface SnapshotsServiceDeps {
  repo: SnapshotsRepository;
  log: Log;
  /** Whether the environment's agent is connected now. */
  isLive(environmentId: number): boolean;
  requestIntervalMs?: number;
  /** Change notices (live events): a snapshot was stored, or its `live` flag changed. */
  publish?: Publish;
}

/** Receives snapshot frames (a TunnelApp) and answers the snapshot API. */
export class SnapshotsService implements TunnelApp {
  readonly #repo: SnapshotsRepository;
  readonly #log: Log;
  readonly #isLive: (environmentId: number) => boolean;
  readonly #requestIntervalMs: number;
  readonly #publish: Publish;
  // Writes per environment, chained: a delta is applied to whatever the previous frame stored.
  readonly #queues = new Map<number, Promise<unknown>>();
  // When each environment was last asked for a full snapshot; an agent whose hashes never match
  // must not be asked in a tight loop.
  readonly #requestedAt = new Map<number, number>();

  constructor(deps: SnapshotsServiceDeps) {
    this.#repo = deps.repo;
    this.#log = deps.log;
    this.#isLive = (id) => deps.isLive(id);
    this.#requestIntervalMs = deps.requestIntervalMs ?? 10_000;
    this.#publish = deps.publish ?? (() => undefined);
  }

  /** TunnelApp: snapshot frames are queued per environment; others are not ours. */
  frame(link: AppLink, frame: AgentAppFrame): void {
    if (frame.type !== 'snapshot' && frame.type !== 'snapshot-delta') return;
    void this.receive(link, frame);
  }

  /** TunnelApp: the next connection starts with a full snapshot anyway; the stored one is no longer live. */
  disconnected(environmentId: number): void {
    this.#requestedAt.delete(environmentId);
    this.#publish({ type: 'snapshot', environmentId });
  }

  /** Handles one snapshot or delta frame after those before it for the environment; never rejects. */
  receive(from: SnapshotReplyTo, frame: SnapshotFrame | SnapshotDeltaFrame): Promise<ReceiveOutcome> {
    const id = from.environmentId;
    const previous = this.#queues.get(id) ?? Promise.resolve();
    const next = previous.then(() => this.#handle(from, frame));
    this.#queues.set(id, next);
    void next.then(() => {
      if (this.#queues.get(id) === next) this.#queues.delete(id);
    });
    return next;
  }

  async #handle(from: SnapshotReplyTo, frame: SnapshotFrame | SnapshotDeltaFrame): Promise<ReceiveOutcome> {
    const id = from.environmentId;
    try {
      if (frame.type === 'snapshot') {
        const canonical = canonicalSnapshot(frame.snapshot);
        const hash = hashCanonical(canonical);
        if (hash !== frame.hash) return this.#requestFull(from, `the snapshot does not hash to ${frame.hash.slice(0, 12)}…`);
        await this.#store(id, frame.snapshot, canonical, hash);
        this.#requestedAt.delete(id);
        return { result: 'stored', hash };
      }
      const stored = await this.#repo.get(id);
      if (!stored) return this.#requestFull(from, 'no snapshot stored for this environment');
      if (stored.hash !== frame.baseHash) return this.#requestFull(from, 'the delta is based on a snapshot the server does not hold');
      // Stored data is canonical JSON of a snapshot validated on arrival.
      const next = applySnapshotDelta(JSON.parse(stored.data) as EngineSnapshot, frame.delta);
      const canonical = canonicalSnapshot(next);
      const hash = hashCanonical(canonical);
      if (hash !== frame.hash) return this.#requestFull(from, 'the delta applied to the stored snapshot does not give the announced hash');
      await this.#store(id, next, canonical, hash);
      return { result: 'stored', hash };
    } catch (err) {
      this.#log.error({ err, environmentId: id, frame: frame.type }, 'could not store an engine snapshot');
      return { result: 'failed', error: (err as Error).message };
    }
  }

  async #store(environmentId: number, snapshot: EngineSnapshot, canonical: string, hash: string): Promise<void> {
    await this.#repo.put({
      environmentId,
      takenAt: snapshot.takenAt,
      receivedAt: new Date().toISOString(),
      hash,
      data: canonical,
      containers: summarizeContainers(snapshot),
    });
    this.#publish({ type: 'snapshot', environmentId });
  }

  #requestFull(from: SnapshotReplyTo, reason: string): ReceiveOutcome {
    const id = from.environmentId;
    const last = this.#requestedAt.get(id);
    const now = Date.now();
    const recent = from.askEveryTime !== true && last !== undefined && now - last < this.#requestIntervalMs;
    this.#log.warn({ environmentId: id, reason, asked: !recent }, 'engine snapshot rejected; asking the agent for a full one');
    if (recent) return { result: 'requested', reason, sent: false };
    const sent = from.send({ type: 'snapshot-request', reason });
    if (sent && from.askEveryTime !== true) this.#requestedAt.set(id, now);
    return { result: 'requested', reason, sent };
  }

  /** Whether the stored snapshot has this hash, once the frames queued before are handled (a poll's `snapshot-unchanged`); never rejects. */
  holds(environmentId: number, hash: string): Promise<boolean> {
    const previous = this.#queues.get(environmentId) ?? Promise.resolve();
    const next = previous
      .then(async () => (await this.#repo.hash(environmentId)) === hash)
      .catch((err: unknown) => {
        this.#log.error({ err, environmentId }, 'could not read the stored snapshot hash');
        return false;
      });
    this.#queues.set(environmentId, next);
    void next.then(() => {
      if (this.#queues.get(environmentId) === next) this.#queues.delete(environmentId);
    });
    return next;
  }

  /** Waits until every queued frame is handled (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.#queues.size > 0) await Promise.all([...this.#queues.values()]);
  }

  /** The environment's latest snapshot; not_found for no environment, snapshot_not_found before the first one. */
  async latest(environmentId: number): Promise<EnvironmentSnapshotView> {
    const stored = await this.#repo.get(environmentId);
    if (!stored) {
      if (!(await this.#repo.environmentExists(environmentId))) throw notFound('environment', environmentId);
      throw new AppError(
        'snapshot_not_found',
        `environment ${environmentId} has no engine snapshot yet: its agent has not connected and reported its state (join a host to it, or check that the agent runs)`,
        { environmentId },
      );
    }
    return {
      environmentId,
      takenAt: stored.takenAt,
      receivedAt: stored.receivedAt,
      hash: stored.hash,
      live: this.#isLive(environmentId),
      snapshot: JSON.parse(stored.data) as EngineSnapshot,
    };
  }
}
