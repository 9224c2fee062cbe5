import { describe, expect, it } from 'vitest';
import { decide, expiredFrame, parseCommand, storedResultFrame } from './decide.ts';

const now = new Date('2030-01-01T00:00:00.000Z');
const cmd = (expiresAt: string | null = null) => ({ id: '7d7c2a4e-3a4b-4c43-9d54-2f1b5b7a9e01', seq: 4, expiresAt });

describe('decide', () => {
  it('runs an unknown id whose deadline has not passed', () => {
    expect(decide({ state: 'unknown' }, cmd(), now)).toEqual({ action: 'run' });
    expect(decide({ state: 'unknown' }, cmd('2030-01-01T00:00:00.001Z'), now)).toEqual({ action: 'run' });
  });

  it('expires an unknown id past its deadline, without running it', () => {
    expect(decide({ state: 'unknown' }, cmd('2030-01-01T00:00:00.000Z'), now)).toEqual({ action: 'expired' });
    expect(decide({ state: 'unknown' }, cmd('2029-12-31T23:00:00Z'), now)).toEqual({ action: 'expired' });
  });

  it('recovers an id accepted before: it was running when the agent stopped (even when expired since)', () => {
    expect(decide({ state: 'accepted', seq: 4, kind: 'container.exec' }, cmd(), now)).toEqual({ action: 'recover' });
    expect(decide({ state: 'accepted', seq: 4, kind: 'container.exec', checkpoint: { execId: 'e' } }, cmd('2000-01-01T00:00:00Z'), now)).toEqual({ action: 'recover' });
  });

  it('reports a finished id again from the journal, whatever its deadline', () => {
    const stored = { output: { exitCode: 0, stdout: 'x', stderr: '', truncated: false }, startedAt: 'a', finishedAt: 'b' };
    const d = decide({ state: 'done', seq: 4, kind: 'container.exec', status: 'succeeded', result: stored }, cmd('2000-01-01T00:00:00Z'), now);
    expect(d).toEqual({
      action: 'resend',
      frame: { type: 'command-result', id: cmd().id, seq: 4, status: 'succeeded', output: stored.output, startedAt: 'a', finishedAt: 'b' },
    });
  });

  it('still reports the status of an unreadable journalled result', () => {
    expect(storedResultFrame(cmd(), 'failed', 'garbage', now)).toEqual({
      type: 'command-result',
      id: cmd().id,
      seq: 4,
      status: 'failed',
      startedAt: null,
      finishedAt: now.toISOString(),
    });
  });

  it('reports attempts and recovery journalled with a result', () => {
    const stored = { startedAt: 'a', finishedAt: 'b', attempts: 3, recovered: true };
    expect(storedResultFrame(cmd(), 'succeeded', stored, now)).toEqual({ type: 'command-result', id: cmd().id, seq: 4, status: 'succeeded', startedAt: 'a', finishedAt: 'b', attempts: 3, recovered: true });
    expect(storedResultFrame(cmd(), 'succeeded', { ...stored, recovered: false }, now)).not.toHaveProperty('recovered');
  });

  it('builds the expired outcome', () => {
    expect(expiredFrame(cmd('2029-01-01T00:00:00Z'), now)).toMatchObject({ status: 'expired', error: { code: 'expired' }, startedAt: null });
  });
});

describe('parseCommand', () => {
  it('accepts a valid command and applies its defaults', () => {
    expect(parseCommand({ kind: 'container.remove', payload: { containerId: 'web' } })).toEqual({
      ok: true,
      spec: { kind: 'container.remove', payload: { containerId: 'web', force: false, removeVolumes: false } },
    });
  });

  it('fails an unknown kind as unsupported_command', () => {
    const r = parseCommand({ kind: 'stack.deploy', payload: {} });
    expect(r).toMatchObject({ ok: false, outcome: { status: 'failed', error: { code: 'unsupported_command' } } });
  });

  it('fails a bad payload as invalid_command, naming the field', () => {
    const r = parseCommand({ kind: 'container.exec', payload: { containerId: 'web', cmd: 'ls' } });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.outcome.error?.code).toBe('invalid_command');
      expect(r.outcome.error?.message).toContain('payload.cmd');
    }
    expect(parseCommand({ kind: 'container.start', payload: { containerId: 'web', extra: true } })).toMatchObject({
      ok: false,
      outcome: { error: { code: 'invalid_command' } },
    });
  });
});
