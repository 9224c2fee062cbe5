// Whether a container's live features (logs, console, stats) can work now, and if not, why.
import type { Environment } from '@capstan/protocol';

/** Why logs, console and stats are not offered for this environment now; null when they are. */
export function liveUnavailable(env: Pick<Environment, 'mode' | 'status'>): string | null {
  if (env.mode === 'async') {
    return 'Logs, console and stats stream over a live connection. This environment is async: its agent only polls, so they are not available here.';
  }
  if (env.status === 'pending') return 'No agent has joined this environment yet.';
  if (env.status === 'down') return 'The agent is offline: logs, console and stats come back when it reconnects.';
  return null;
}

/** Why a console cannot be opened in a container in this state; null when it can. */
export function consoleUnavailable(state: string): string | null {
  return state === 'running' ? null : `The container is ${state}: start it to open a console.`;
}
