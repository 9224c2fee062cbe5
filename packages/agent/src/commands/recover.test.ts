import { describe, expect, it } from 'vitest';
import { execCheckpoint, execGoneOutcome, execRecovery, killRecovery, recoveryRule, removeRecovered, restartRecovery } from './recover.ts';

describe('recoveryRule', () => {
  it('runs idempotent kinds again and checks the engine for the others', () => {
    for (const kind of ['container.start', 'container.stop', 'container.remove', 'image.pull', 'stack.deploy', 'stack.remove', 'stack.plan', 'some.future-kind']) expect(recoveryRule(kind)).toBe('rerun');
    expect(recoveryRule('container.kill')).toBe('kill');
    expect(recoveryRule('container.restart')).toBe('restart');
    expect(recoveryRule('container.exec')).toBe('exec');
  });
});

describe('killRecovery', () => {
  it('is done when the container no longer runs, and runs the kill when it still does or is missing', () => {
    expect(killRecovery({ status: 200, running: false })).toBe('done');
    expect(killRecovery({ status: 200, running: true })).toBe('run');
    expect(killRecovery({ status: 404, running: false })).toBe('run');
  });
});

describe('restartRecovery', () => {
  const before = '2030-01-01T00:00:00.000000001Z';
  it('runs when no checkpoint was journalled: the restart call was never made', () => {
    expect(restartRecovery(undefined, { status: 200, startedAt: before })).toBe('run');
    expect(restartRecovery({ junk: true }, { status: 200, startedAt: before })).toBe('run');
  });

  it('is done when StartedAt moved since the checkpoint, and runs when it did not', () => {
    expect(restartRecovery({ startedAt: before }, { status: 200, startedAt: '2030-01-01T00:00:05Z' })).toBe('done');
    expect(restartRecovery({ startedAt: before }, { status: 200, startedAt: before })).toBe('run');
  });

  it('runs (and so reports the engine answer) when the container is gone', () => {
    expect(restartRecovery({ startedAt: before }, { status: 404, startedAt: null })).toBe('run');
  });
});

describe('exec recovery', () => {
  it('reads the exec id of a checkpoint; none means the exec never started', () => {
    expect(execCheckpoint({ execId: 'abc' })).toBe('abc');
    expect(execCheckpoint(undefined)).toBeNull();
    expect(execCheckpoint({ execId: '' })).toBeNull();
  });

  it('follows what exec inspect says (dockerd 20.10 semantics)', () => {
    const at = (running: boolean, pid: number, exitCode: number | null) => execRecovery({ status: 200, state: { running, pid, exitCode } });
    expect(at(false, 0, null)).toEqual({ action: 'start' }); // created, never started
    expect(at(true, 4242, null)).toEqual({ action: 'wait' }); // running
    expect(at(false, 4242, null)).toEqual({ action: 'wait' }); // just ended, exit code not recorded yet
    expect(at(false, 4242, 7)).toEqual({ action: 'report', exitCode: 7 }); // ended
    expect(at(false, 4242, 0)).toEqual({ action: 'report', exitCode: 0 });
    expect(execRecovery({ status: 404, state: null })).toEqual({ action: 'gone' });
    expect(execRecovery({ status: 500, state: null })).toEqual({ action: 'unknown', status: 500 });
  });

  it('fails a forgotten exec as interrupted, saying the effect is unknown', () => {
    const o = execGoneOutcome('0123456789abcdef');
    expect(o.status).toBe('failed');
    expect(o.error?.code).toBe('interrupted');
    expect(o.error?.message).toContain('unknown');
    expect(o.retryable).toBeUndefined();
  });
});

describe('removeRecovered', () => {
  it('counts a container already gone as removed', () => {
    expect(removeRecovered({ status: 'failed', error: { code: 'not_found', message: 'no such container' } }, 'web')).toEqual({ status: 'succeeded', output: { containerId: 'web', changed: false } });
    const other = { status: 'failed' as const, error: { code: 'conflict', message: 'running' } };
    expect(removeRecovered(other, 'web')).toBe(other);
  });
});
