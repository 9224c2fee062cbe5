// Progress of running commands (deploy steps, pull progress) as agents report it in
// `command-progress` frames: kept in memory per command (bounded) and fanned out to subscribers
// such as Server-Sent Events streams. Best effort by design: nothing here is durable.
import type { AgentAppFrame, CommandProgressEvent } from '@capstan/protocol';
import type { AppLink, TunnelApp } from '../tunnel/tunnel-apps.ts';

/** One progress event with its position in the command's stream (1, 2, …; usable as an SSE id). */
export interface ProgressEntry {
  id: number;
  at: string;
  event: CommandProgressEvent;
}

/** Who listens to one command's progress. */
export interface ProgressSubscriber {
  event(entry: ProgressEntry): void;
  /** The command ended: no more events. */
  end(): void;
}

interface Track {
  entries: ProgressEntry[];
  next: number;
  finished: boolean;
  subscribers: Set<ProgressSubscriber>;
}

export interface ProgressBusOptions {
  /** Events kept per command (oldest dropped first). */
  maxEventsPerCommand?: number;
  /** Commands tracked at once (least recently touched dropped first). */
  maxCommands?: number;
  /** How long an ended command's history stays for late subscribers. */
  retainMs?: number;
}

/** In-memory progress per (environment, command); a TunnelApp for `command-progress` frames. */
export class CommandProgressBus implements TunnelApp {
  readonly #tracks = new Map<string, Track>();
  readonly #maxEvents: number;
  readonly #maxCommands: number;
  readonly #retainMs: number;
  readonly #timers = new Set<NodeJS.Timeout>();

  constructor(opts: ProgressBusOptions = {}) {
    this.#maxEvents = opts.maxEventsPerCommand ?? 1000;
    this.#maxCommands = opts.maxCommands ?? 500;
    this.#retainMs = opts.retainMs ?? 10 * 60_000;
  }

  /** TunnelApp: progress frames of the link's environment. */
  frame(link: AppLink, frame: AgentAppFrame): void {
    if (frame.type !== 'command-progress') return;
    this.publish(link.environmentId, frame.id, frame.at, frame.event);
  }

  /** Records one event and hands it to the command's subscribers; ignored once the command ended. */
  publish(environmentId: number, commandId: string, at: string, event: CommandProgressEvent): void {
    const track = this.#track(environmentId, commandId);
    if (track.finished) return;
    const entry: ProgressEntry = { id: track.next++, at, event };
    track.entries.push(entry);
    if (track.entries.length > this.#maxEvents) track.entries.splice(0, track.entries.length - this.#maxEvents);
    for (const s of track.subscribers) s.event(entry);
  }

  /** The command ended: subscribers are told, its history stays `retainMs` for late ones. */
  finish(environmentId: number, commandId: string): void {
    const key = keyOf(environmentId, commandId);
    const track = this.#tracks.get(key);
    if (!track) return;
    track.finished = true;
    const subscribers = [...track.subscribers];
    track.subscribers.clear();
    for (const s of subscribers) s.end();
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (this.#tracks.get(key) === track && track.subscribers.size === 0) this.#tracks.delete(key);
    }, this.#retainMs);
    timer.unref();
    this.#timers.add(timer);
  }

  /**
   * Subscribes to a command's progress: answers the history kept so far and whether the command
   * ended already (then `sub` is never called). Call `unsubscribe` when the listener goes away.
   */
  subscribe(environmentId: number, commandId: string, sub: ProgressSubscriber): { history: ProgressEntry[]; finished: boolean; unsubscribe(): void } {
    const track = this.#track(environmentId, commandId);
    const history = [...track.entries];
    if (track.finished) return { history, finished: true, unsubscribe: () => undefined };
    track.subscribers.add(sub);
    return { history, finished: false, unsubscribe: () => track.subscribers.delete(sub) };
  }

  /** Stops retention timers (shutdown). */
  close(): void {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    this.#tracks.clear();
  }

  #track(environmentId: number, commandId: string): Track {
    const key = keyOf(environmentId, commandId);
    let track = this.#tracks.get(key);
    if (track) {
      // Map order is insertion order: re-insert so eviction drops the least recently touched.
      this.#tracks.delete(key);
    } else {
      track = { entries: [], next: 1, finished: false, subscribers: new Set() };
    }
    this.#tracks.set(key, track);
    while (this.#tracks.size > this.#maxCommands) {
      const [oldestKey, oldest] = this.#tracks.entries().next().value as [string, Track];
      this.#tracks.delete(oldestKey);
      for (const s of oldest.subscribers) s.end();
    }
    return track;
  }
}

const keyOf = (environmentId: number, commandId: string): string => `${environmentId}:${commandId}`;
