import { describe, expect, it } from 'vitest';
import { canCancel, canRetry, commandOutcome, commandTarget, isFinal, permissionForKind } from './command-kinds.ts';

describe('command kinds', () => {
  it('maps kinds to the permission the server checks', () => {
    expect(permissionForKind('container.stop')).toBe('containers.operate');
    expect(permissionForKind('container.remove')).toBe('containers.manage');
    expect(permissionForKind('stack.remove')).toBe('stacks.delete');
    expect(permissionForKind('future.thing')).toBe('environment.update');
  });

  it('knows what can be cancelled and retried', () => {
    expect(canCancel('queued')).toBe(true);
    expect(canCancel('sent')).toBe(false);
    expect(canRetry('container.start', 'failed')).toBe(true);
    expect(canRetry('image.pull', 'expired')).toBe(true);
    expect(canRetry('stack.deploy', 'failed')).toBe(false);
    expect(canRetry('container.start', 'succeeded')).toBe(false);
    expect(isFinal('accepted')).toBe(false);
    expect(isFinal('superseded')).toBe(true);
  });

  it('names the target and the outcome', () => {
    expect(commandTarget({ kind: 'container.stop', payload: { containerId: 'abc' } })).toBe('abc');
    expect(commandTarget({ kind: 'image.pull', payload: { image: 'nginx:1' } })).toBe('nginx:1');
    expect(commandTarget({ kind: 'stack.deploy', payload: { target: { stackId: 4, project: { name: 'shop' } } } })).toBe('shop');
    expect(commandTarget({ kind: 'stack.remove', payload: { projectName: 'shop', removeVolumes: false } })).toBe('shop');
    expect(commandTarget({ kind: 'x.y', payload: {} })).toBe('—');
    expect(commandOutcome({ error: { code: 'not_found', message: 'no such container' }, output: null })).toBe('not_found: no such container');
    expect(commandOutcome({ error: null, output: { exitCode: 3 } })).toBe('exit code 3');
    expect(commandOutcome({ error: null, output: null })).toBeNull();
  });
});
