// Follows the engine's event stream (GET /events) on a dedicated connection, and follows it again
// with backoff whenever it breaks. Each (re)opening is reported: events may have been missed.
import type { ClientRequest } from 'node:http';
import type { EngineConnector } from '../engine/engine-connector.ts';
import type { Logger } from '../log/logger.ts';
import { Backoff, type BackoffOptions } from '../tunnel/backoff.ts';
import { parseEvent, type EngineEvent } from './docker-mapping.ts';

const FILTERS = encodeURIComponent(JSON.stringify({ type: ['container', 'image', 'volume', 'network'] }));
/** The path followed: only the event types a snapshot reflects. */
export const EVENTS_PATH = `/events?filters=${FILTERS}`;
/** A line longer than this is not an event we can use: the stream is broken. */
const MAX_LINE_BYTES = 1024 * 1024;

/** What the follower reports. */
export interface EventsListener {
  /** The stream is (again) open: anything may have changed while it was not. */
  opened(): void;
  event(e: EngineEvent): void;
}

/** Follows GET /events until stop(). */
export class EngineEvents {
  readonly #engine: EngineConnector;
  readonly #log: Logger;
  readonly #listener: EventsListener;
  readonly #backoff: Backoff;
  readonly #path: string;
  #req: ClientRequest | null = null;
  #retry: NodeJS.Timeout | null = null;
  #stopped = true;

  /** `path`: the events request to follow (default EVENTS_PATH; another filter for other followers). */
  constructor(opts: { engine: EngineConnector; log: Logger; listener: EventsListener; backoff?: BackoffOptions; path?: string }) {
    this.#path = opts.path ?? EVENTS_PATH;
    this.#engine = opts.engine;
    this.#log = opts.log;
    this.#listener = opts.listener;
    this.#backoff = new Backoff(opts.backoff);
  }

  /** Starts following (no-op when already following). */
  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#backoff.reset();
    this.#open();
  }

  /** Stops following and cancels any pending reconnect. */
  stop(): void {
    this.#stopped = true;
    if (this.#retry) clearTimeout(this.#retry);
    this.#retry = null;
    const req = this.#req;
    this.#req = null;
    req?.destroy();
  }

  #open(): void {
    if (this.#stopped) return;
    const req = this.#engine.request({ method: 'GET', path: this.#path, headers: {}, dedicated: true });
    this.#req = req;
    let ended = false;
    const broken = (why: string) => {
      if (ended) return;
      ended = true;
      if (this.#req !== req) return; // stopped, or already replaced
      this.#req = null;
      req.destroy();
      const delay = this.#backoff.next();
      this.#log.debug('engine event stream broke; following it again', { why, retryInMs: delay });
      this.#retry = setTimeout(() => {
        this.#retry = null;
        this.#open();
      }, delay);
    };
    req.on('error', (err) => broken(err.message));
    req.on('response', (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return broken(`GET /events answered HTTP ${res.statusCode}`);
      }
      this.#backoff.reset();
      let buffered = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (this.#req !== req) return;
        buffered += chunk;
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl).trim();
          buffered = buffered.slice(nl + 1);
          const e = line ? parseEvent(line) : null;
          if (e) this.#listener.event(e);
        }
        if (buffered.length > MAX_LINE_BYTES) broken('event line too long');
      });
      res.on('error', (err) => broken(err.message));
      res.on('end', () => broken('the engine ended the event stream'));
      res.on('close', () => broken('the event stream closed'));
      this.#listener.opened();
    });
    req.end();
  }
}
