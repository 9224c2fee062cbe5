import { describe, expect, it } from 'vitest';
import { ACTION_PERMISSION, availableActions, commandFor, removalNeedsForce } from './container-actions.ts';

describe('availableActions', () => {
  it('offers what makes sense in each state', () => {
    expect(availableActions('running')).toEqual(['stop', 'restart', 'remove']);
    expect(availableActions('exited')).toEqual(['start', 'remove']);
    expect(availableActions('created')).toEqual(['start', 'remove']);
    expect(availableActions('paused')).toEqual(['stop', 'remove']);
    expect(availableActions('restarting')).toEqual(['stop', 'remove']);
    expect(availableActions('dead')).toEqual(['remove']);
    expect(availableActions('removing')).toEqual([]);
    expect(availableActions('something-new')).toEqual([]);
  });

  it('needs containers.manage only for removal', () => {
    expect(ACTION_PERMISSION).toEqual({ start: 'containers.operate', stop: 'containers.operate', restart: 'containers.operate', remove: 'containers.manage' });
  });
});

describe('commandFor', () => {
  it('builds the command-log entries', () => {
    expect(commandFor('start', { id: 'abc', state: 'exited' })).toEqual({ kind: 'container.start', payload: { containerId: 'abc' } });
    expect(commandFor('stop', { id: 'abc', state: 'running' })).toEqual({ kind: 'container.stop', payload: { containerId: 'abc' } });
    expect(commandFor('restart', { id: 'abc', state: 'running' })).toEqual({ kind: 'container.restart', payload: { containerId: 'abc' } });
  });

  it('forces removal of a live container only', () => {
    expect(commandFor('remove', { id: 'abc', state: 'running' }, { removeVolumes: true })).toEqual({
      kind: 'container.remove',
      payload: { containerId: 'abc', force: true, removeVolumes: true },
    });
    expect(commandFor('remove', { id: 'abc', state: 'exited' })).toEqual({ kind: 'container.remove', payload: { containerId: 'abc', force: false, removeVolumes: false } });
    expect(removalNeedsForce('paused')).toBe(true);
    expect(removalNeedsForce('dead')).toBe(false);
  });
});
