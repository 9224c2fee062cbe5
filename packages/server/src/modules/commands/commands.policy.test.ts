import { COMMAND_KINDS } from '@capstan/protocol';
import { describe, expect, it } from 'vitest';
import { agentTime, expiryOf, isExpired, isFinished, permissionForKind, REDACTED, redactSecrets } from './commands.policy.ts';

describe('command policy', () => {
  it('maps every kind to the permission its operation needs', () => {
    expect(permissionForKind('container.start')).toBe('containers.operate');
    expect(permissionForKind('container.stop')).toBe('containers.operate');
    expect(permissionForKind('container.restart')).toBe('containers.operate');
    expect(permissionForKind('container.kill')).toBe('containers.operate');
    expect(permissionForKind('container.remove')).toBe('containers.manage');
    expect(permissionForKind('container.exec')).toBe('containers.exec');
    expect(permissionForKind('image.pull')).toBe('images.manage');
    // Every kind of the protocol is mapped explicitly, none falls to the default.
    for (const kind of COMMAND_KINDS) expect(permissionForKind(kind)).not.toBe('environment.update');
    expect(permissionForKind('stack.deploy')).toBe('stacks.deploy');
    expect(permissionForKind('stack.plan')).toBe('stacks.deploy');
    expect(permissionForKind('stack.remove')).toBe('stacks.delete');
    expect(permissionForKind('volume.prune')).toBe('environment.update');
    expect(permissionForKind('__proto__')).toBe('environment.update');
  });

  it('knows finished statuses', () => {
    expect(['queued', 'sent', 'accepted'].map((s) => isFinished(s as never))).toEqual([false, false, false]);
    expect(['succeeded', 'failed', 'expired', 'cancelled', 'superseded'].every((s) => isFinished(s as never))).toBe(true);
  });

  it('computes and checks expiry', () => {
    const now = new Date('2030-01-01T00:00:00.000Z');
    expect(expiryOf(now, undefined)).toBeNull();
    expect(expiryOf(now, 90)).toBe('2030-01-01T00:01:30.000Z');
    expect(isExpired(null, now)).toBe(false);
    expect(isExpired('2030-01-01T00:00:00.000Z', now)).toBe(true);
    expect(isExpired('2030-01-01T00:00:00.001Z', now)).toBe(false);
  });

  it('normalises agent timestamps and refuses garbage', () => {
    expect(agentTime('2030-01-01T01:00:00+01:00', null)).toBe('2030-01-01T00:00:00.000Z');
    expect(agentTime('yesterday', 'f')).toBe('f');
    expect(agentTime(null, 'f')).toBe('f');
    expect(agentTime('+275760-09-13T00:00:00.000Z', 'f')).toBe('f');
  });

  it('redacts secrets anywhere in a value, longest first', () => {
    const value = { plan: [{ field: 'env.TOKEN', to: 'abc-abcdef' }], [`key-abc`]: 'x', n: 3, none: null };
    expect(redactSecrets(value, ['abc', 'abc-abcdef', ''])).toEqual({ plan: [{ field: 'env.TOKEN', to: REDACTED }], [`key-${REDACTED}`]: 'x', n: 3, none: null });
    expect(redactSecrets(value, [])).toBe(value);
    expect(redactSecrets(undefined, ['abc'])).toBeUndefined();
  });
});
