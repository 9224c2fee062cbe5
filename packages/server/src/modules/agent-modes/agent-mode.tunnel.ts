// Tells a connected agent to switch to polling: on every connect of an async environment, and at
// once when an environment with a live tunnel is switched to async. (Back to standard needs no
// frame: the next poll answer says so.)
import { CAPABILITY_MODES, pollIntervals, type AgentModeFrame } from '@capstan/protocol';
import type { FastifyBaseLogger } from 'fastify';
import type { AppLink, TunnelApp } from '../tunnel/tunnel-apps.ts';
import type { EnvironmentModes, ModeView } from './environment-modes.ts';

/** The agent-mode frame for an async environment with this view. */
export function agentModeFrame(view: ModeView): AgentModeFrame {
  return { type: 'agent-mode', mode: 'async', intervals: pollIntervals(view.pollIntervalSeconds) };
}

/** The tunnel side of mode switching. */
export class AgentModeTunnel implements TunnelApp {
  readonly #modes: EnvironmentModes;
  readonly #log: FastifyBaseLogger;

  constructor(deps: { modes: EnvironmentModes; link: (environmentId: number) => AppLink | null; log: FastifyBaseLogger }) {
    this.#modes = deps.modes;
    this.#log = deps.log;
    deps.modes.onChange((environmentId, now, before) => {
      if (now?.mode !== 'async' || before?.mode === 'async') return;
      const link = deps.link(environmentId);
      try {
        if (link) this.#tell(link, now);
      } catch (err) {
        this.#log.error({ err, environmentId }, 'could not tell the agent to switch to Async mode');
      }
    });
  }

  connected(link: AppLink): void {
    const view = this.#modes.view(link.environmentId);
    if (view?.mode === 'async') this.#tell(link, view);
  }

  #tell(link: AppLink, view: ModeView): void {
    if (!link.has(CAPABILITY_MODES)) {
      // An older agent cannot poll: it stays on the tunnel, and interactive features stay refused.
      this.#log.warn({ environmentId: link.environmentId, agentId: link.agentId }, 'environment runs in Async mode but its agent cannot switch (no modes.v1): upgrade the agent');
      return;
    }
    if (link.send(agentModeFrame(view))) this.#log.info({ environmentId: link.environmentId, agentId: link.agentId }, 'told the agent to switch to Async mode');
  }
}
