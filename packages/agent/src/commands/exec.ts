// container.exec against the engine: create, checkpoint the exec id (so a restarted agent can find
// the process instead of starting another), start attached (no TTY, demultiplexed, capped), and
// the exit code from inspect. The pieces are shared with recovery (recover.ts).
import type { CommandSpec } from '@capstan/protocol';
import type { EngineConnector } from '../engine/engine-connector.ts';
import type { ExecutionOutcome } from './decide.ts';
import { engineCall, engineErrorCode, engineMessage, engineRequest, readBody, type EngineAnswer } from './engine-api.ts';
import { Demuxer, OutputCollector, type CapturedOutput } from './output.ts';
import { retryableStatus } from './retry.ts';

type ExecSpec = Extract<CommandSpec, { kind: 'container.exec' }>;

/** What an executor may ask of the runner while it runs. */
export interface ExecutorHooks {
  /** Journals (fsynced) what recovery needs before the step it guards; throws when the journal cannot. */
  readonly checkpoint: (data: unknown) => void;
}

/** Hooks that keep nothing: for callers without a journal (tests, tools). */
export const NO_HOOKS: ExecutorHooks = { checkpoint: () => undefined };

const ref = (id: string) => encodeURIComponent(id);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A failed outcome for an engine answer; 5xx (the engine's own trouble) may be retried. */
export function engineFailure(answer: EngineAnswer, what: string): ExecutionOutcome {
  return {
    status: 'failed',
    error: { code: engineErrorCode(answer.status), message: `${what}: ${engineMessage(answer)}`.slice(0, 4096) },
    ...(retryableStatus(answer.status) ? { retryable: true } : {}),
  };
}

/** What GET /exec/{id}/json says of the process (only the fields recovery reads). */
export interface ExecState {
  readonly running: boolean;
  /** 0 until the process was started. */
  readonly pid: number;
  /** null until the process ended. */
  readonly exitCode: number | null;
}

/** The ExecState of an exec inspect body. */
export function parseExecState(body: Buffer): ExecState {
  let info: { Running?: unknown; Pid?: unknown; ExitCode?: unknown } = {};
  try {
    info = JSON.parse(body.toString('utf8')) as typeof info;
  } catch {
    /* not JSON: nothing known */
  }
  return {
    running: info.Running === true,
    pid: typeof info.Pid === 'number' ? info.Pid : 0,
    exitCode: typeof info.ExitCode === 'number' ? info.ExitCode : null,
  };
}

/** GET /exec/{id}/json. */
export function inspectExec(engine: EngineConnector, execId: string): Promise<EngineAnswer> {
  return engineCall(engine, 'GET', `/exec/${ref(execId)}/json`);
}

/** The outcome for a process that exited with `exitCode` after printing `output`. */
export function exitOutcome(exitCode: number, output: CapturedOutput & { readonly note?: string }): ExecutionOutcome {
  const result = { exitCode, ...output };
  if (exitCode === 0) return { status: 'succeeded', output: result };
  return { status: 'failed', output: result, error: { code: 'exit_code', message: `the process exited with code ${exitCode}` } };
}

/** Polls inspect until the process has ended (the engine may record the exit code a moment after the stream ends). */
export async function awaitExitCode(
  engine: EngineConnector,
  execId: string,
  what: string,
  opts: { tries?: number; intervalMs?: number; signal?: AbortSignal } = {},
): Promise<{ exitCode: number } | { outcome: ExecutionOutcome } | { gone: true }> {
  const tries = opts.tries ?? 100;
  for (let i = 0; i < tries; i++) {
    opts.signal?.throwIfAborted();
    const inspected = await inspectExec(engine, execId);
    if (inspected.status === 404) return { gone: true };
    if (inspected.status !== 200) return { outcome: engineFailure(inspected, `cannot inspect the exec in ${what}`) };
    const state = parseExecState(inspected.body);
    if (!state.running && state.exitCode !== null) return { exitCode: state.exitCode };
    await sleep(opts.intervalMs ?? 20);
  }
  return { outcome: { status: 'failed', error: { code: 'engine_error', message: 'the engine did not report the exit code' } } };
}

/** Starts a created exec attached, collects its output, and reports its exit code. A 409 means it was started already. */
export async function startExec(engine: EngineConnector, execId: string, containerId: string): Promise<ExecutionOutcome | 'already-started'> {
  // The engine answers with the raw stream and closes the connection at the end: never pool it.
  const res = await engineRequest(engine, 'POST', `/exec/${ref(execId)}/start`, { Detach: false, Tty: false }, { dedicated: true });
  if (res.statusCode === 409) {
    res.resume();
    return 'already-started';
  }
  if (res.statusCode !== 200) return engineFailure({ status: res.statusCode ?? 0, body: await readBody(res) }, `cannot start the exec in ${containerId}`);
  const demux = new Demuxer();
  const collected = new OutputCollector();
  await new Promise<void>((resolve, reject) => {
    res.on('data', (c: Buffer) => {
      for (const chunk of demux.push(c)) collected.add(chunk);
    });
    res.once('end', resolve);
    res.once('close', resolve);
    res.once('error', reject);
  });
  const output = collected.finish();
  const ended = await awaitExitCode(engine, execId, containerId);
  if ('outcome' in ended) return { ...ended.outcome, output };
  if ('gone' in ended) return { status: 'failed', output, error: { code: 'engine_error', message: 'the engine forgot the exec before reporting its exit code' } };
  return exitOutcome(ended.exitCode, output);
}

/** exec create → checkpoint {execId} → start (attached) → exit code. */
export async function runExec(engine: EngineConnector, spec: ExecSpec, hooks: ExecutorHooks): Promise<ExecutionOutcome> {
  const p = spec.payload;
  const created = await engineCall(engine, 'POST', `/containers/${ref(p.containerId)}/exec`, {
    AttachStdin: false,
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    Cmd: p.cmd,
    ...(p.env ? { Env: p.env } : {}),
    ...(p.workingDir ? { WorkingDir: p.workingDir } : {}),
    ...(p.user ? { User: p.user } : {}),
  });
  if (created.status !== 201) return engineFailure(created, `cannot exec in ${p.containerId}`);
  const execId = (JSON.parse(created.body.toString('utf8')) as { Id?: unknown }).Id;
  if (typeof execId !== 'string') return { status: 'failed', error: { code: 'engine_error', message: 'the engine created an exec without an id' } };
  // Durable before the start: a restarted agent inspects this exec rather than creating another.
  hooks.checkpoint({ execId });
  const started = await startExec(engine, execId, p.containerId);
  if (started === 'already-started') return { status: 'failed', error: { code: 'engine_error', message: `the exec ${execId} was started by someone else` } };
  return started;
}
