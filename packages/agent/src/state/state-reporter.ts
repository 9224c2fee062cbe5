// Reports the engine's state to the server: a full snapshot on connect, deltas after engine events
// (debounced), a full resync periodically and whenever the server asks for one.
import {
  CAPABILITY_SNAPSHOTS,
  MAX_CONTROL_PAYLOAD,
  SnapshotDeltaFrameSchema,
  SnapshotFrameSchema,
  diffSnapshots,
  isEmptyDelta,
  type AgentAppFrame,
  type EngineSnapshot,
  type ServerAppFrame,
} from '@capstan/protocol';
import type { EngineConnector } from '../engine/engine-connector.ts';
import type { Logger } from '../log/logger.ts';
import { Backoff, type BackoffOptions } from '../tunnel/backoff.ts';
import type { AgentLink, SessionApp } from '../tunnel/session.ts';
import { collectSnapshot } from './collector.ts';
import { Debouncer } from './debounce.ts';
import { changesState } from './docker-mapping.ts';
import { EngineEvents } from './events.ts';
import { fitSnapshot } from './fit.ts';
import { snapshotHash } from './hash.ts';

/** Default period of the full resync (--resync-interval). */
export const DEFAULT_RESYNC_INTERVAL_MS = 5 * 60_000;

/** Settings of the reporter; times in milliseconds. */
export interface StateReporterOptions {
  readonly engine: EngineConnector;
  readonly log: Logger;
  readonly resyncIntervalMs?: number;
  /** Quiet time after the last engine event before collecting (default 300). */
  readonly quietMs?: number;
  /** Longest delay after the first event of a burst (default 2000). */
  readonly maxDelayMs?: number;
  /** Retry schedule for failed collections and the event stream. */
  readonly backoff?: BackoffOptions;
  /** Collector; injectable so the frame logic can be driven without an engine. */
  readonly collect?: () => Promise<EngineSnapshot>;
}

type Kind = 'full' | 'delta';

/** The snapshot the server holds (as far as this agent knows): the base of the next delta. */
interface Sent {
  readonly snapshot: EngineSnapshot;
  readonly hash: string;
}

/** A SessionApp announcing `snapshots.v1`. */
export class StateReporter implements SessionApp {
  readonly capabilities = [CAPABILITY_SNAPSHOTS] as const;
  readonly #log: Logger;
  readonly #collect: () => Promise<EngineSnapshot>;
  readonly #resyncMs: number;
  readonly #events: EngineEvents;
  readonly #debounce: Debouncer;
  readonly #retryBackoff: Backoff;
  #link: AgentLink | null = null;
  /** Bumped on every connect and disconnect: work started for an older connection is dropped. */
  #epoch = 0;
  #sent: Sent | null = null;
  #running: Promise<void> | null = null;
  #queued: Kind | null = null;
  #resync: NodeJS.Timeout | null = null;
  #retry: NodeJS.Timeout | null = null;

  constructor(opts: StateReporterOptions) {
    this.#log = opts.log;
    this.#collect = opts.collect ?? (() => collectSnapshot(opts.engine));
    this.#resyncMs = opts.resyncIntervalMs ?? DEFAULT_RESYNC_INTERVAL_MS;
    this.#retryBackoff = new Backoff(opts.backoff);
    this.#debounce = new Debouncer(() => this.#request('delta'), opts.quietMs ?? 300, opts.maxDelayMs ?? 2_000);
    this.#events = new EngineEvents({
      engine: opts.engine,
      log: opts.log,
      ...(opts.backoff ? { backoff: opts.backoff } : {}),
      listener: {
        // Whatever happened while the stream was down is picked up by one more collection.
        opened: () => this.#debounce.trigger(),
        event: (e) => {
          if (changesState(e)) this.#debounce.trigger();
        },
      },
    });
  }

  /** A new connection: send everything, then follow the engine. */
  connected(link: AgentLink): void {
    this.#reset();
    this.#link = link;
    this.#request('full');
    this.#events.start();
    this.#resync = setInterval(() => this.#request('full'), this.#resyncMs);
  }

  /** Only snapshot-request concerns the reporter. */
  frame(frame: ServerAppFrame): void {
    if (frame.type !== 'snapshot-request' || !this.#link) return;
    this.#log.info('the server asked for a full snapshot', { reason: frame.reason });
    this.#request('full');
  }

  /** The connection is gone: stop following the engine until the next one. */
  disconnected(): void {
    this.#reset();
  }

  /** The agent is stopping: stop everything and let a collection in flight finish. */
  async stop(): Promise<void> {
    this.#reset();
    await this.#running;
  }

  #reset(): void {
    this.#epoch++;
    this.#link = null;
    this.#sent = null;
    this.#queued = null;
    this.#events.stop();
    this.#debounce.cancel();
    if (this.#resync) clearInterval(this.#resync);
    if (this.#retry) clearTimeout(this.#retry);
    this.#resync = null;
    this.#retry = null;
  }

  /** Collects and sends; one collection at a time, a request during one runs after it (full wins). */
  #request(kind: Kind): void {
    if (!this.#link) return;
    if (this.#running) {
      if (this.#queued !== 'full') this.#queued = kind;
      return;
    }
    if (this.#retry) {
      clearTimeout(this.#retry);
      this.#retry = null;
    }
    const epoch = this.#epoch;
    this.#running = this.#report(kind, epoch).finally(() => {
      this.#running = null;
      const queued = this.#queued;
      this.#queued = null;
      if (queued && epoch === this.#epoch) this.#request(queued);
    });
  }

  async #report(kind: Kind, epoch: number): Promise<void> {
    let snapshot: EngineSnapshot;
    try {
      snapshot = await this.#collect();
    } catch (err) {
      if (epoch !== this.#epoch) return;
      const delay = this.#retryBackoff.next();
      this.#log.warn('could not read the engine state; retrying', { error: (err as Error).message, retryInMs: delay });
      // A failed full must stay full; a failed delta is retried as one.
      this.#retry = setTimeout(() => {
        this.#retry = null;
        this.#request(kind);
      }, delay);
      return;
    }
    if (epoch !== this.#epoch || !this.#link) return;
    this.#retryBackoff.reset();
    this.#send(kind, fitSnapshot(snapshot), this.#link);
  }

  #send(kind: Kind, snapshot: EngineSnapshot, link: AgentLink): void {
    const hash = snapshotHash(snapshot);
    const base = this.#sent;
    if (kind === 'delta' && base) {
      const delta = diffSnapshots(base.snapshot, snapshot);
      if (isEmptyDelta(delta)) return;
      const frame = checked(SnapshotDeltaFrameSchema, { type: 'snapshot-delta', baseHash: base.hash, hash, delta });
      // A delta too large for one frame (a mass change) goes as a full snapshot instead.
      if (frame && link.send(frame)) {
        this.#sent = { snapshot, hash };
        this.#log.debug('sent a snapshot delta', { hash });
        return;
      }
      if (frame) return;
    }
    const frame = checked(SnapshotFrameSchema, { type: 'snapshot', hash, snapshot });
    if (!frame) {
      this.#log.error('could not build a valid snapshot frame; the server keeps the previous state');
      return;
    }
    if (link.send(frame)) {
      this.#sent = { snapshot, hash };
      this.#log.debug('sent a full snapshot', { hash, truncated: snapshot.truncated === true });
    }
  }
}

/** The frame when it validates and fits in one control frame (the codec would throw otherwise), else null. */
function checked<T extends AgentAppFrame>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }, frame: T): T | null {
  const parsed = schema.safeParse(frame);
  if (!parsed.success) return null;
  return Buffer.byteLength(JSON.stringify(parsed.data), 'utf8') <= MAX_CONTROL_PAYLOAD ? parsed.data : null;
}
