// One /api/events stream per signed-in client: every notice of the hub the principal may see
// (environment.read on the notice's environment), a heartbeat, and bounds so that neither a slow
// reader nor a signed-out one keeps a stream.
import { PassThrough, type Readable } from 'node:stream';
import type { LiveEvent, Permission } from '@capstan/protocol';
import type { Principal } from '../../http/context.ts';
import type { EventHub } from './events.hub.ts';
import { freshVerdict, overBudget, SSE_HEARTBEAT, SSE_RETRY, sseFrame, type Verdict } from './events.policy.ts';

export interface LiveEventStreamsDeps {
  hub: EventHub;
  /** Throws when the principal lacks the permission on the environment (AccessService.authorize). */
  authorize(principal: Principal, permission: Permission, environmentId: number): Promise<void>;
  /** Heartbeat period; each beat also checks the client is still signed in (default 15 s). */
  heartbeatMs?: number;
  /** How long a stream trusts its access verdict for one environment (default 10 s). */
  accessTtlMs?: number;
  /** A stream whose unread output passes this is dropped (default 256 KiB, thousands of notices). */
  maxBufferedBytes?: number;
  /** Notices waiting for their access check before the stream is dropped (default 1,000). */
  maxQueuedNotices?: number;
}

/** Serves change-notice streams and closes them all at shutdown. */
export class LiveEventStreams {
  readonly #d: Required<LiveEventStreamsDeps>;
  /** Closers of the streams open now. */
  readonly #open = new Set<() => void>();

  constructor(deps: LiveEventStreamsDeps) {
    this.#d = { heartbeatMs: 15_000, accessTtlMs: 10_000, maxBufferedBytes: 256 * 1024, maxQueuedNotices: 1_000, ...deps };
  }

  /** How many streams are open (tests). */
  get size(): number {
    return this.#open.size;
  }

  /** A stream for `principal`; `signedIn` is asked at every heartbeat (false or a throw ends the stream). */
  open(principal: Principal, signedIn: () => Promise<boolean>): Readable {
    const d = this.#d;
    const out = new PassThrough();
    const verdicts = new Map<number, Verdict>();
    let ended = false;
    let queued = 0;
    // Access checks are asynchronous: a chain keeps the notices in the order they were published.
    let chain: Promise<void> = Promise.resolve();
    let checking = false;

    const allowed = async (environmentId: number): Promise<boolean> => {
      if (principal.isAdmin) return true;
      const now = Date.now();
      const known = freshVerdict(verdicts.get(environmentId), now, d.accessTtlMs);
      if (known !== null) return known;
      let ok = true;
      try {
        await d.authorize(principal, 'environment.read', environmentId);
      } catch {
        // Forbidden, or the environment is gone: the notice is not this reader's.
        ok = false;
      }
      if (verdicts.size > 10_000) verdicts.clear();
      verdicts.set(environmentId, { allowed: ok, at: now });
      return ok;
    };
    const write = (text: string): void => {
      if (ended) return;
      out.write(text);
      if (overBudget(out.writableLength + out.readableLength, queued, d)) drop();
    };
    const deliver = async (event: LiveEvent): Promise<void> => {
      if (!ended && (await allowed(event.environmentId))) write(sseFrame(event));
    };
    const onEvent = (event: LiveEvent): void => {
      if (ended) return;
      queued++;
      if (overBudget(out.writableLength + out.readableLength, queued, d)) {
        drop();
        return;
      }
      chain = chain
        .then(() => deliver(event))
        .catch(() => undefined)
        .finally(() => queued--);
    };
    const beat = (): void => {
      write(SSE_HEARTBEAT);
      if (checking || ended) return;
      checking = true;
      void signedIn()
        .catch(() => false)
        .then((still) => {
          checking = false;
          if (!still) close();
        });
    };

    const unsubscribe = d.hub.subscribe(onEvent);
    const heartbeat = setInterval(beat, d.heartbeatMs);
    heartbeat.unref();
    const finish = (): boolean => {
      if (ended) return false;
      ended = true;
      this.#open.delete(close);
      clearInterval(heartbeat);
      unsubscribe();
      return true;
    };
    /** Ends the stream after what was written (shutdown, signed out). */
    function close(): void {
      if (finish()) out.end();
    }
    /** Throws away what the slow reader has not read yet: that is the memory being bounded. */
    const drop = (): void => {
      if (finish()) out.destroy();
    };
    this.#open.add(close);
    out.on('close', () => void finish());
    write(SSE_RETRY);
    return out;
  }

  /** Ends every open stream (server shutdown); EventSource clients reconnect by themselves. */
  closeAll(): void {
    for (const close of [...this.#open]) close();
  }
}
