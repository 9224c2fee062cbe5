// Which transport runs now: the tunnel (standard mode) or the poll loop (async mode), never both. The
// server's word switches it: an `agent-mode` frame over the tunnel, or the mode in a poll answer.
// Every mode the server names is remembered in the state directory for the next start.
import { CAPABILITY_MODES, type AgentMode, type PollIntervals, type ServerAppFrame } from '@capstan/protocol';
import type { Logger } from '../log/logger.ts';
import type { SessionApp } from '../tunnel/session.ts';
import { sameModeState, type ModeState } from './mode-store.ts';

/** Something that runs until stopped (the tunnel supervisor, the poll loop). */
export interface RunningTransport {
  stop(): Promise<void>;
}

/** How to start each transport and where to remember the mode. */
export interface TransportOptions {
  readonly log: Logger;
  /** Starts the tunnel loop; its apps must include Transport.modeApp. */
  readonly startTunnel: () => RunningTransport;
  /** Starts polling; `onAnswer` must be called with the mode and intervals of every answer. */
  readonly startPoller: (intervals: PollIntervals, onAnswer: (mode: AgentMode, intervals: PollIntervals) => void) => RunningTransport;
  /** Persists what the server said (agent.ts: saveModeState into mode.json); default: nothing. */
  readonly save?: (state: ModeState) => void;
}

/** Owns the running transport and switches it when the server names another mode. */
export class Transport {
  readonly #o: TransportOptions;
  #state: ModeState;
  /** What mode.json holds (undefined: nothing yet). */
  #saved: ModeState | undefined;
  #running: { readonly mode: AgentMode; readonly transport: RunningTransport } | null = null;
  #chain: Promise<void> = Promise.resolve();
  #stopped = false;

  /** A SessionApp for the tunnel: announces `modes.v1` and follows `agent-mode` frames. */
  readonly modeApp: SessionApp = {
    capabilities: [CAPABILITY_MODES],
    connected: () => undefined,
    disconnected: () => undefined,
    frame: (frame: ServerAppFrame) => {
      if (frame.type === 'agent-mode') this.told(frame.mode, frame.intervals);
    },
  };

  /** `initial`: the mode to start in; `saved`: what the state directory holds already. */
  constructor(options: TransportOptions, initial: ModeState, saved?: ModeState) {
    this.#o = options;
    this.#state = initial;
    this.#saved = saved;
  }

  /** The mode the agent follows now (the transport may still be switching to it). */
  get mode(): AgentMode {
    return this.#state.mode;
  }

  /** Starts the transport of the initial mode. */
  start(): void {
    this.#schedule();
  }

  /** The server named a mode and intervals: remember them, and switch when the mode differs. */
  told(mode: AgentMode, intervals: PollIntervals): void {
    if (this.#stopped) return;
    const next: ModeState = { mode, intervals };
    if (!this.#saved || !sameModeState(next, this.#saved)) {
      try {
        this.#o.save?.(next);
        this.#saved = next;
      } catch (err) {
        // Still follow the server now; only the next start may begin in the old mode (and be told again).
        this.#o.log.error('could not remember the mode in the state directory', { error: (err as Error).message });
      }
    }
    const switching = mode !== this.#state.mode;
    this.#state = next;
    if (!switching) return;
    this.#o.log.info(`the server set this environment to ${mode} mode`, { pollIntervalMs: intervals.pollIntervalMs });
    this.#schedule();
  }

  /** Stops whichever transport runs; no switch happens afterwards. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#chain;
    const running = this.#running;
    this.#running = null;
    await running?.transport.stop();
  }

  // Switches run one after another, after the current event: a frame handler never waits on its own session.
  #schedule(): void {
    this.#chain = this.#chain
      .then(() => this.#apply())
      .catch((err: unknown) => this.#o.log.error('could not switch the transport', { error: (err as Error).message }));
  }

  async #apply(): Promise<void> {
    const want = this.#state.mode;
    if (this.#stopped || this.#running?.mode === want) return;
    if (this.#running) {
      this.#o.log.info(want === 'async' ? 'closing the tunnel to poll instead' : 'stopping polls to open the tunnel');
      await this.#running.transport.stop();
      this.#running = null;
    }
    if (this.#stopped) return;
    const transport =
      want === 'async' ? this.#o.startPoller(this.#state.intervals, (mode, intervals) => this.told(mode, intervals)) : this.#o.startTunnel();
    this.#running = { mode: want, transport };
  }
}
