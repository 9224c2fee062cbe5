// The command runner on a real journal (real files, reopened as after a crash) and the executors
// against a real dockerd (a rig host). The runner's links are plain recorders of frames.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MAX_COMMAND_OUTPUT_CHARS, type AgentAppFrame, type CommandFrame } from '@capstan/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHosts, stopAll, TEST_IMAGE, type Host } from '../../../e2e/rig/index.ts';
import { CommandRunner, type ExecutionContext } from '../src/commands/command-runner.ts';
import type { ExecutionOutcome } from '../src/commands/decide.ts';
import { executeCommand } from '../src/commands/executors.ts';
import { dockerEngine } from '../src/engine/docker-engine.ts';
import type { EngineConnector } from '../src/engine/engine-connector.ts';
import { CommandJournal } from '../src/journal/journal.ts';
import { silentLogger } from '../src/log/logger.ts';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'capstan-runner-'));
  dirs.push(d);
  return d;
};

let seq = 0;
const command = (over: Partial<CommandFrame> = {}): CommandFrame => ({
  type: 'command',
  id: randomUUID(),
  seq: ++seq,
  kind: 'container.exec',
  payload: { containerId: 'web', cmd: ['true'] },
  queuedAt: new Date().toISOString(),
  expiresAt: null,
  ...over,
});

/** A runner on a journal in `dir` whose executor records calls and can be held at a gate. */
function rig(dir: string) {
  const runs: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const gates = new Map<string, () => void>();
  const held = new Set<string>();
  const runner = new CommandRunner({
    journal: CommandJournal.open(dir),
    log: silentLogger,
    execute: async (c): Promise<ExecutionOutcome> => {
      runs.push(c.id);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      if (held.has(c.id)) await new Promise<void>((r) => gates.set(c.id, r));
      else await new Promise((r) => setTimeout(r, 2));
      inFlight--;
      return { status: 'succeeded', output: { ran: c.id } };
    },
  });
  const sent: AgentAppFrame[] = [];
  let open = true;
  runner.connected({ send: (f) => (open ? (sent.push(f), true) : false) });
  return {
    runner,
    runs,
    sent,
    hold: (id: string) => held.add(id),
    release: (id: string) => gates.get(id)?.(),
    waitHeld: async (id: string) => {
      while (!gates.has(id)) await new Promise((r) => setTimeout(r, 1));
    },
    cut: () => {
      open = false;
      runner.disconnected();
    },
    results: () => sent.filter((f) => f.type === 'command-result'),
    maxInFlight: () => maxInFlight,
  };
}

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('CommandRunner (real journal)', () => {
  it('runs one at a time in seq order, whatever order the pushes arrive in, and each id once', async () => {
    const r = rig(tmp());
    const [c1, c2, c3, c4] = [command(), command(), command(), command()] as [CommandFrame, CommandFrame, CommandFrame, CommandFrame];
    r.hold(c1.id);
    r.runner.frame(c1);
    await r.waitHeld(c1.id);
    // While 1 runs: later seqs out of order, and 1 pushed again (a reconnect's re-push).
    r.runner.frame(c4);
    r.runner.frame(c2);
    r.runner.frame(c1);
    r.runner.frame(c3);
    r.runner.frame(c2);
    r.release(c1.id);
    await r.runner.idle();
    expect(r.runs).toEqual([c1.id, c2.id, c3.id, c4.id]);
    expect(r.maxInFlight()).toBe(1);
    // Each: accepted, then its result.
    expect(r.sent.map((f) => `${f.type}:${'seq' in f ? f.seq : ''}`)).toEqual([c1, c2, c3, c4].flatMap((c) => [`command-accepted:${c.seq}`, `command-result:${c.seq}`]));
    expect(r.results()[0]).toMatchObject({ id: c1.id, status: 'succeeded', output: { ran: c1.id } });
    await r.runner.stop();
    await r.runner.stop(); // the agent may stop twice; the journal is closed once
    r.runner.frame(command()); // a push after stop is ignored
    await r.runner.idle();
    expect(r.runs.length).toBe(4);
  });

  it('answers a finished id from the journal without running it, across a restart of the agent', async () => {
    const dir = tmp();
    const first = rig(dir);
    const c = command();
    first.runner.frame(c);
    await first.runner.idle();
    const original = first.results()[0];
    first.runner.frame(c);
    await first.runner.idle();
    expect(first.runs).toEqual([c.id]);
    expect(first.results()).toEqual([original, original]);
    await first.runner.stop();

    const second = rig(dir);
    second.runner.frame(c);
    await second.runner.idle();
    expect(second.runs).toEqual([]);
    expect(second.sent).toEqual([original]); // no acceptance: nothing runs
  });

  it('recovers a command that was running when the agent died: the executor gets its checkpoint, the result says recovered', async () => {
    const dir = tmp();
    const c = command();
    const crashed = CommandJournal.open(dir);
    crashed.accept({ id: c.id, seq: c.seq, kind: c.kind });
    crashed.checkpoint(c.id, { execId: 'e-1' });
    crashed.close(); // as if killed between the checkpoint and the result

    const seen: Array<ExecutionContext['recovery']> = [];
    const runner = new CommandRunner({
      journal: CommandJournal.open(dir),
      log: silentLogger,
      execute: (_c, ctx) => {
        seen.push(ctx.recovery);
        return Promise.resolve({ status: 'succeeded', output: { exitCode: 0 } });
      },
    });
    const sent: AgentAppFrame[] = [];
    runner.connected({ send: (f) => (sent.push(f), true) });
    runner.frame(c);
    await runner.idle();
    expect(seen).toEqual([{ checkpoint: { execId: 'e-1' } }]);
    const result = sent.find((f) => f.type === 'command-result');
    expect(result).toMatchObject({ id: c.id, status: 'succeeded', recovered: true, attempts: 1 });
    // The outcome is journalled: the same answer again later, without another run.
    runner.frame(c);
    await runner.idle();
    expect(seen).toHaveLength(1);
    expect(sent.filter((f) => f.type === 'command-result')).toEqual([result, result]);
    await runner.stop();
  });

  it('retries a retryable failure in place per the policy; later commands wait, and the result counts the attempts', async () => {
    const calls: Array<{ id: string; attempt: number; recovering: boolean }> = [];
    let failuresLeft = 2;
    const runner = new CommandRunner({
      journal: CommandJournal.open(tmp()),
      log: silentLogger,
      execute: (c, ctx): Promise<ExecutionOutcome> => {
        calls.push({ id: c.id, attempt: ctx.attempt, recovering: ctx.recovery !== null });
        if (c.kind === 'flaky' && failuresLeft-- > 0) return Promise.resolve({ status: 'failed', error: { code: 'engine_unreachable', message: 'down' }, retryable: true });
        if (c.kind === 'broken') return Promise.resolve({ status: 'failed', error: { code: 'not_found', message: 'gone' } });
        return Promise.resolve({ status: 'succeeded' });
      },
    });
    const sent: AgentAppFrame[] = [];
    runner.connected({ send: (f) => (sent.push(f), true) });
    const flaky = command({ kind: 'flaky', retry: { attempts: 3, delayMs: 30 } });
    const next = command();
    const broken = command({ kind: 'broken', retry: { attempts: 3, delayMs: 30 } });
    const started = Date.now();
    runner.frame(flaky);
    runner.frame(next);
    runner.frame(broken);
    await runner.idle();
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
    expect(calls).toEqual([
      { id: flaky.id, attempt: 1, recovering: false },
      { id: flaky.id, attempt: 2, recovering: true },
      { id: flaky.id, attempt: 3, recovering: true },
      { id: next.id, attempt: 1, recovering: false },
      { id: broken.id, attempt: 1, recovering: false }, // not retryable: once
    ]);
    const results = sent.filter((f) => f.type === 'command-result');
    expect(results.map((r) => [r.id, r.status, r.attempts])).toEqual([
      [flaky.id, 'succeeded', 3],
      [next.id, 'succeeded', 1],
      [broken.id, 'failed', 1],
    ]);
    expect(results[0]).not.toHaveProperty('recovered');
    await runner.stop();
  });

  it('ends with the last failure once the attempts are used up', async () => {
    const r = new CommandRunner({
      journal: CommandJournal.open(tmp()),
      log: silentLogger,
      execute: () => Promise.resolve({ status: 'failed', error: { code: 'engine_error', message: 'HTTP 500' }, retryable: true }),
    });
    const sent: AgentAppFrame[] = [];
    r.connected({ send: (f) => (sent.push(f), true) });
    r.frame(command({ retry: { attempts: 2, delayMs: 1 } }));
    await r.idle();
    expect(sent.find((f) => f.type === 'command-result')).toMatchObject({ status: 'failed', error: { code: 'engine_error' }, attempts: 2 });
    await r.stop();
  });

  it('stop() cancels a retry wait: nothing is reported and the command stays accepted for recovery', async () => {
    const dir = tmp();
    let calls = 0;
    const r = new CommandRunner({
      journal: CommandJournal.open(dir),
      log: silentLogger,
      execute: () => {
        calls++;
        return Promise.resolve({ status: 'failed', error: { code: 'engine_unreachable', message: 'down' }, retryable: true });
      },
    });
    const sent: AgentAppFrame[] = [];
    r.connected({ send: (f) => (sent.push(f), true) });
    const c = command({ retry: { attempts: 5, delayMs: 60_000 } });
    r.frame(c);
    while (calls === 0) await new Promise((res) => setTimeout(res, 1));
    expect(r.busy()).toBe(true);
    const stopping = Date.now();
    await r.stop();
    expect(Date.now() - stopping).toBeLessThan(5_000);
    expect(calls).toBe(1);
    expect(sent.map((f) => f.type)).toEqual(['command-accepted']);
    expect(CommandJournal.open(dir).state(c.id)).toMatchObject({ state: 'accepted' });
  });

  it('reports an expired command without running or journalling it', async () => {
    const dir = tmp();
    const r = rig(dir);
    const c = command({ expiresAt: new Date(Date.now() - 1000).toISOString() });
    r.runner.frame(c);
    await r.runner.idle();
    expect(r.runs).toEqual([]);
    expect(r.sent).toEqual([expect.objectContaining({ type: 'command-result', id: c.id, status: 'expired', startedAt: null })]);
    await r.runner.stop();
    expect(CommandJournal.open(dir).state(c.id)).toEqual({ state: 'unknown' });
  });

  it('keeps working while disconnected; the result goes out when the server pushes the command again', async () => {
    const r = rig(tmp());
    const c = command();
    r.hold(c.id);
    r.runner.frame(c);
    await r.waitHeld(c.id);
    r.cut();
    r.release(c.id);
    await r.runner.idle();
    expect(r.sent.map((f) => f.type)).toEqual(['command-accepted']); // the result was lost with the link
    const after: AgentAppFrame[] = [];
    r.runner.connected({ send: (f) => (after.push(f), true) });
    r.runner.frame(c);
    await r.runner.idle();
    expect(r.runs).toEqual([c.id]);
    expect(after).toEqual([expect.objectContaining({ type: 'command-result', id: c.id, status: 'succeeded' })]);
    await r.runner.stop();
  });
});

describe('command executors (real dockerd)', () => {
  let host: Host;
  let engine: EngineConnector;
  const run = (kind: string, payload: Record<string, unknown>) => executeCommand(engine, { kind, payload });
  const running = async (name: string) => (await host.docker(['inspect', '-f', '{{.State.Running}}', name])).trim() === 'true';

  beforeAll(async () => {
    [host] = (await startHosts(1)) as [Host];
    engine = dockerEngine({ kind: 'unix', socketPath: host.dockerSocket });
    await host.docker(['run', '-d', '--name', 'web', '--network', 'none', TEST_IMAGE, 'sleep', '600']);
  }, 120_000);

  afterAll(async () => {
    engine?.close();
    await stopAll();
  });

  it('execs without a TTY: output split by stream, exit code, non-zero exit is a failure with its output', async () => {
    expect(await run('container.exec', { containerId: 'web', cmd: ['sh', '-c', 'echo out; echo err >&2'] })).toEqual({
      status: 'succeeded',
      output: { exitCode: 0, stdout: 'out\n', stderr: 'err\n', truncated: false },
    });
    const env = await run('container.exec', { containerId: 'web', cmd: ['sh', '-c', 'echo "$GREETING in $(pwd) as $(id -u)"'], env: ['GREETING=hi'], workingDir: '/tmp', user: '1234' });
    expect(env).toMatchObject({ status: 'succeeded', output: { stdout: 'hi in /tmp as 1234\n' } });
    const bad = await run('container.exec', { containerId: 'web', cmd: ['sh', '-c', 'echo partial; echo broken >&2; exit 3'] });
    expect(bad).toEqual({
      status: 'failed',
      output: { exitCode: 3, stdout: 'partial\n', stderr: 'broken\n', truncated: false },
      error: { code: 'exit_code', message: 'the process exited with code 3' },
    });
  });

  it('caps exec output at MAX_COMMAND_OUTPUT_CHARS and says it was truncated', async () => {
    const big = await run('container.exec', { containerId: 'web', cmd: ['sh', '-c', `head -c ${MAX_COMMAND_OUTPUT_CHARS * 2} /dev/zero | tr '\\0' x`] });
    expect(big.status).toBe('succeeded');
    const out = big.output as { stdout: string; truncated: boolean; exitCode: number };
    expect(out.stdout.length).toBe(MAX_COMMAND_OUTPUT_CHARS);
    expect(out.truncated).toBe(true);
    expect(out.exitCode).toBe(0);
  });

  it('stops, starts, restarts and kills containers; "already so" (304) is success, unchanged', async () => {
    expect(await run('container.start', { containerId: 'web' })).toEqual({ status: 'succeeded', output: { containerId: 'web', changed: false } });
    expect(await run('container.stop', { containerId: 'web', timeoutSeconds: 0 })).toEqual({ status: 'succeeded', output: { containerId: 'web', changed: true } });
    expect(await running('web')).toBe(false);
    expect(await run('container.stop', { containerId: 'web' })).toMatchObject({ status: 'succeeded', output: { changed: false } });
    const stopped = await run('container.exec', { containerId: 'web', cmd: ['true'] });
    expect(stopped).toMatchObject({ status: 'failed', error: { code: 'conflict' } });
    expect(await run('container.start', { containerId: 'web' })).toMatchObject({ status: 'succeeded', output: { changed: true } });
    expect(await running('web')).toBe(true);
    expect(await run('container.restart', { containerId: 'web', timeoutSeconds: 0 })).toMatchObject({ status: 'succeeded' });
    expect(await running('web')).toBe(true);
    expect(await run('container.kill', { containerId: 'web', signal: 'SIGKILL' })).toMatchObject({ status: 'succeeded' });
    expect(await running('web')).toBe(false);
    expect(await run('container.start', { containerId: 'web' })).toMatchObject({ status: 'succeeded', output: { changed: true } });
  });

  it('removes containers, and reports a missing one as not_found', async () => {
    await host.docker(['create', '--name', 'doomed', '--network', 'none', TEST_IMAGE, 'true']);
    expect(await run('container.remove', { containerId: 'doomed' })).toMatchObject({ status: 'succeeded', output: { changed: true } });
    const again = await run('container.remove', { containerId: 'doomed' });
    expect(again).toMatchObject({ status: 'failed', error: { code: 'not_found' } });
    expect(again.error?.message).toContain('doomed');
    expect(await run('container.start', { containerId: 'no-such-container' })).toMatchObject({ status: 'failed', error: { code: 'not_found' } });
  });

  it('fails a pull the engine cannot do, with the engine\'s reason', async () => {
    const pulled = await run('image.pull', { image: 'capstan-test/does-not-exist:1' });
    expect(pulled.status).toBe('failed');
    expect(pulled.error?.message).toContain('capstan-test/does-not-exist');
  });

  it('fails unknown kinds and bad payloads as results, without touching the engine', async () => {
    expect(await run('stack.deploy', {})).toMatchObject({ status: 'failed', error: { code: 'unsupported_command' } });
    expect(await run('container.kill', { containerId: 'web', signal: 'kill -9' })).toMatchObject({ status: 'failed', error: { code: 'invalid_command' } });
    const dead = dockerEngine({ kind: 'unix', socketPath: '/nonexistent/docker.sock' });
    expect(await executeCommand(dead, { kind: 'container.start', payload: { containerId: 'web' } })).toMatchObject({
      status: 'failed',
      error: { code: 'engine_unreachable' },
    });
    dead.close();
  });
});
