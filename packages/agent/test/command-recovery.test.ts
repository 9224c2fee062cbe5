// Exactly-once effect across kill -9, against a real dockerd (a rig host): the journal of an agent
// that died mid-command (accepted, maybe a checkpoint, no result) is handed to a fresh runner over
// the same state directory, which recovers the command from the engine's view; and retries of
// attempts that failed because the engine could not be reached.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AgentAppFrame, CommandFrame, CommandResultFrame } from '@capstan/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHosts, stopAll, TEST_IMAGE, type Host } from '../../../e2e/rig/index.ts';
import { createCommandRunner } from '../src/commands/index.ts';
import { OUTPUT_LOST } from '../src/commands/recover.ts';
import { dockerEngine } from '../src/engine/docker-engine.ts';
import type { EngineConnector } from '../src/engine/engine-connector.ts';
import { CommandJournal } from '../src/journal/journal.ts';
import { silentLogger } from '../src/log/logger.ts';

let host: Host;
let engine: EngineConnector;
const dirs: string[] = [];
let seq = 0;

const tmp = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'capstan-recovery-'));
  dirs.push(d);
  return d;
};

const frame = (kind: string, payload: Record<string, unknown>, over: Partial<CommandFrame> = {}): CommandFrame => ({
  type: 'command',
  id: randomUUID(),
  seq: ++seq,
  kind,
  payload,
  queuedAt: new Date().toISOString(),
  expiresAt: null,
  ...over,
});

/** Appends `mark` to /tmp/<file> in container `box`. */
const append = (file: string, mark: string, before = '') => frame('container.exec', { containerId: 'box', cmd: ['sh', '-c', `${before}echo ${mark} >> /tmp/${file}`] });
const lines = async (file: string): Promise<string[]> => (await host.docker(['exec', 'box', 'sh', '-c', `cat /tmp/${file} 2>/dev/null || true`])).split('\n').filter(Boolean);
const startedAt = async (name: string) => (await host.docker(['inspect', '-f', '{{.State.StartedAt}}', name])).trim();

/** An agent that died after journalling `c` as accepted (and the checkpoint, when given). */
function crashedWith(c: CommandFrame, checkpoint?: unknown): string {
  const dir = tmp();
  const j = CommandJournal.open(dir);
  j.accept({ id: c.id, seq: c.seq, kind: c.kind });
  if (checkpoint !== undefined) j.checkpoint(c.id, checkpoint);
  j.close();
  return dir;
}

/** Starts the next agent's runner over `dir` with `engineFor`, pushes `c`, and resolves its result. */
async function runOnce(dir: string, c: CommandFrame, over: EngineConnector = engine): Promise<CommandResultFrame> {
  const runner = createCommandRunner(dir, over, silentLogger);
  const sent: AgentAppFrame[] = [];
  runner.connected({ send: (f) => (sent.push(f), true) });
  runner.frame(c);
  await runner.idle();
  await runner.stop();
  const result = sent.find((f): f is CommandResultFrame => f.type === 'command-result');
  if (!result) throw new Error(`no result: ${JSON.stringify(sent)}`);
  return result;
}

/** One raw engine call (what the agent that died had done). */
function call(method: string, p: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = request({ socketPath: host.dockerSocket, method, path: p, headers: data ? { 'content-type': 'application/json' } : {} }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: text.trim().startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : {} }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

const createExec = async (cmd: string[]): Promise<string> => {
  const r = await call('POST', '/containers/box/exec', { AttachStdout: true, AttachStderr: true, Cmd: cmd });
  expect(r.status).toBe(201);
  return r.json.Id as string;
};

/** The engine, except that requests whose path matches `failing` go to a dead socket `times` times. */
function flakyEngine(failing: RegExp, times: number): EngineConnector & { failed: () => number } {
  const dead = dockerEngine({ kind: 'unix', socketPath: '/nonexistent/capstan/docker.sock' });
  let failed = 0;
  return {
    request: (r) => {
      if (failing.test(r.path) && failed < times) {
        failed++;
        return dead.request(r);
      }
      return engine.request(r);
    },
    info: () => engine.info(),
    describe: () => 'flaky',
    close: () => dead.close(),
    failed: () => failed,
  };
}

beforeAll(async () => {
  [host] = (await startHosts(1)) as [Host];
  engine = dockerEngine({ kind: 'unix', socketPath: host.dockerSocket });
  await host.docker(['run', '-d', '--name', 'box', '--network', 'none', TEST_IMAGE, 'sleep', '3600']);
}, 120_000);

afterAll(async () => {
  engine?.close();
  await stopAll();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('recovery after kill -9 (real dockerd)', { timeout: 60_000 }, () => {
  it('exec accepted without a checkpoint (died before the exec was journalled): runs it, once', async () => {
    const c = append('fresh', 'a1');
    const result = await runOnce(crashedWith(c), c);
    expect(result).toMatchObject({ status: 'succeeded', recovered: true, attempts: 1, output: { exitCode: 0 } });
    expect(await lines('fresh')).toEqual(['a1']);
  });

  it('exec created and checkpointed but never started: starts that exec, once, with its output', async () => {
    const c = append('created', 'b1', 'echo hello; ');
    const execId = await createExec(c.payload.cmd as string[]);
    const result = await runOnce(crashedWith(c, { execId }), c);
    expect(result).toMatchObject({ status: 'succeeded', recovered: true, output: { exitCode: 0, stdout: 'hello\n', stderr: '', truncated: false } });
    expect(await lines('created')).toEqual(['b1']);
    expect((await call('GET', `/exec/${execId}/json`)).json).toMatchObject({ Running: false, ExitCode: 0 });
  });

  it('exec that ended while the agent was down: reports its exit code without running it again', async () => {
    const c = frame('container.exec', { containerId: 'box', cmd: ['sh', '-c', 'echo c1 >> /tmp/ended; exit 3'] });
    const execId = await createExec(c.payload.cmd as string[]);
    expect((await call('POST', `/exec/${execId}/start`, { Detach: true })).status).toBe(200);
    await expect.poll(async () => (await call('GET', `/exec/${execId}/json`)).json.ExitCode).toBe(3);
    const result = await runOnce(crashedWith(c, { execId }), c);
    expect(result).toMatchObject({ status: 'failed', recovered: true, error: { code: 'exit_code' }, output: { exitCode: 3, stdout: '', stderr: '', truncated: false, note: OUTPUT_LOST } });
    expect(await lines('ended')).toEqual(['c1']);
  });

  it('exec still running: waits for it to end and reports its exit code, the effect once', async () => {
    const c = append('running', 'd1', 'sleep 1.5; ');
    const execId = await createExec(c.payload.cmd as string[]);
    expect((await call('POST', `/exec/${execId}/start`, { Detach: true })).status).toBe(200);
    expect((await call('GET', `/exec/${execId}/json`)).json).toMatchObject({ Running: true, ExitCode: null });
    const result = await runOnce(crashedWith(c, { execId }), c);
    expect(result).toMatchObject({ status: 'succeeded', recovered: true, output: { exitCode: 0, note: OUTPUT_LOST } });
    expect(await lines('running')).toEqual(['d1']);
  });

  it('exec the engine forgot (the container restarted before it started): failed as interrupted, never run', async () => {
    const c = append('forgotten', 'e1');
    const execId = await createExec(c.payload.cmd as string[]);
    await host.docker(['restart', '-t', '0', 'box']);
    expect((await call('GET', `/exec/${execId}/json`)).status).toBe(404);
    const result = await runOnce(crashedWith(c, { execId }), c);
    expect(result).toMatchObject({ status: 'failed', recovered: true, error: { code: 'interrupted' } });
    expect(result.error?.message).toContain('unknown');
    expect(await lines('forgotten')).toEqual([]);
  });

  it('restart that happened before the agent died: reported done, not restarted again', async () => {
    const before = await startedAt('box');
    const c = frame('container.restart', { containerId: 'box', timeoutSeconds: 0 });
    const dir = crashedWith(c, { startedAt: before });
    await host.docker(['restart', '-t', '0', 'box']); // the dead agent's restart reached the engine
    const after = await startedAt('box');
    expect(after).not.toBe(before);
    const result = await runOnce(dir, c);
    expect(result).toMatchObject({ status: 'succeeded', recovered: true, output: { containerId: 'box', changed: true } });
    expect(await startedAt('box')).toBe(after);
  });

  it('restart checkpointed but never sent: restarted now, once', async () => {
    const before = await startedAt('box');
    const c = frame('container.restart', { containerId: 'box', timeoutSeconds: 0 });
    const result = await runOnce(crashedWith(c, { startedAt: before }), c);
    expect(result).toMatchObject({ status: 'succeeded', recovered: true });
    expect(await startedAt('box')).not.toBe(before);
  });

  it('kill of a container that no longer runs is done; remove of one already gone is done', async () => {
    await host.docker(['create', '--name', 'stopped', '--network', 'none', TEST_IMAGE, 'true']);
    const kill = frame('container.kill', { containerId: 'stopped' });
    expect(await runOnce(crashedWith(kill), kill)).toMatchObject({ status: 'succeeded', recovered: true, output: { containerId: 'stopped', changed: false } });
    await host.docker(['rm', 'stopped']);
    const remove = frame('container.remove', { containerId: 'stopped' });
    expect(await runOnce(crashedWith(remove), remove)).toMatchObject({ status: 'succeeded', recovered: true, output: { changed: false } });
  });
});

describe('retries (real dockerd)', { timeout: 60_000 }, () => {
  it('retries an attempt the engine could not take, then succeeds; the exec ran once', async () => {
    // The first attempt dies at exec start (after the checkpoint): the second recovers that exec instead of making another.
    const flaky = flakyEngine(/^\/exec\/[^/]+\/start$/, 1);
    const c = { ...append('retried', 'f1'), retry: { attempts: 3, delayMs: 50 } };
    const result = await runOnce(tmp(), c, flaky);
    expect(flaky.failed()).toBe(1);
    expect(result).toMatchObject({ status: 'succeeded', attempts: 2, output: { exitCode: 0 } });
    expect(result).not.toHaveProperty('recovered');
    expect(await lines('retried')).toEqual(['f1']);
  });

  it('gives up after the policy\'s attempts with the engine error; a command without a policy runs once', async () => {
    const down = flakyEngine(/^\/containers\/box\/start$/, 100);
    const c = frame('container.start', { containerId: 'box' }, { retry: { attempts: 3, delayMs: 10 } });
    expect(await runOnce(tmp(), c, down)).toMatchObject({ status: 'failed', attempts: 3, error: { code: 'engine_unreachable' } });
    expect(down.failed()).toBe(3);
    const once = flakyEngine(/^\/containers\/box\/start$/, 100);
    expect(await runOnce(tmp(), frame('container.start', { containerId: 'box' }), once)).toMatchObject({ status: 'failed', attempts: 1 });
    expect(once.failed()).toBe(1);
  });

  it('does not retry what the engine refused (4xx)', async () => {
    const c = frame('container.start', { containerId: 'no-such-box' }, { retry: { attempts: 3, delayMs: 10 } });
    expect(await runOnce(tmp(), c)).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'not_found' } });
  });
});
