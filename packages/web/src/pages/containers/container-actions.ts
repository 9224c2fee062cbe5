// Which lifecycle actions a container offers in its state, the permission each needs, and the
// command-log entry each becomes. Pure: the table, the detail page and the tests share it.
import type { EnqueueCommand, Permission } from '@capstan/protocol';

/** A lifecycle action offered on a container. */
export type ContainerAction = 'start' | 'stop' | 'restart' | 'remove';

/** The button text of each action. */
export const ACTION_LABEL: Record<ContainerAction, string> = { start: 'Start', stop: 'Stop', restart: 'Restart', remove: 'Remove' };

/** The environment permission each action needs (the server's rule for the command kind). */
export const ACTION_PERMISSION: Record<ContainerAction, Permission> = {
  start: 'containers.operate',
  stop: 'containers.operate',
  restart: 'containers.operate',
  remove: 'containers.manage',
};

/**
 * The actions that make sense in a Docker state: a running (or restarting/paused) container can be
 * stopped; a stopped one started; restart only for running ones; removal of anything not already
 * going away (a running one is force-removed after a confirmation).
 */
export function availableActions(state: string): ContainerAction[] {
  switch (state) {
    case 'running':
      return ['stop', 'restart', 'remove'];
    case 'paused':
    case 'restarting':
      return ['stop', 'remove'];
    case 'created':
    case 'exited':
      return ['start', 'remove'];
    case 'dead':
      return ['remove'];
    default:
      return [];
  }
}

/** Whether removing the container needs `force` (Docker refuses to remove a live one otherwise). */
export function removalNeedsForce(state: string): boolean {
  return state === 'running' || state === 'paused' || state === 'restarting';
}

/** The command-log entry an action becomes. */
export function commandFor(action: ContainerAction, container: { id: string; state: string }, opts: { removeVolumes?: boolean } = {}): EnqueueCommand {
  const containerId = container.id;
  switch (action) {
    case 'start':
      return { kind: 'container.start', payload: { containerId } };
    case 'stop':
      return { kind: 'container.stop', payload: { containerId } };
    case 'restart':
      return { kind: 'container.restart', payload: { containerId } };
    case 'remove':
      return { kind: 'container.remove', payload: { containerId, force: removalNeedsForce(container.state), removeVolumes: opts.removeVolumes ?? false } };
  }
}
