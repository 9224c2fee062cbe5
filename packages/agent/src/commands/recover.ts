// Recovery of a command the journal accepted without a result (the agent died mid-run, or an
// attempt failed part-way): from its checkpoint and the engine, decide whether the effect happened,
// finish it, or run it now, never causing it twice. The decisions are pure functions of plain data;
// recoverCommand does the engine calls around them.
import type { CommandFrame, CommandSpec } from '@capstan/protocol';
import * as z from 'zod/mini';
import type { EngineConnector } from '../engine/engine-connector.ts';
import { parseCommand, type ExecutionOutcome } from './decide.ts';
import { engineCall } from './engine-api.ts';
import { awaitExitCode, engineFailure, exitOutcome, inspectExec, parseExecState, startExec, type ExecState, type ExecutorHooks } from './exec.ts';
import { containerStartedAt, guarded, runSpec } from './executors.ts';

/** How a kind is recovered: run again (idempotent), or checked on the engine first. */
export type RecoveryRule = 'rerun' | 'kill' | 'restart' | 'exec';

/** The rule for `kind`; unknown kinds run again (they fail validation without an effect anyway). */
export function recoveryRule(kind: string): RecoveryRule {
  if (kind === 'container.kill') return 'kill';
  if (kind === 'container.restart') return 'restart';
  if (kind === 'container.exec') return 'exec';
  return 'rerun';
}

/** What recovery does next: the effect is there, or it never happened and the command runs now. */
export type ContainerRecovery = 'done' | 'run';

/** kill: a container that is not running any more was killed (by us or otherwise): done; else run. A missing one runs (and fails not_found). */
export function killRecovery(inspect: { status: number; running: boolean }): ContainerRecovery {
  return inspect.status === 200 && !inspect.running ? 'done' : 'run';
}

const RestartCheckpointSchema = z.object({ startedAt: z.string() });
const ExecCheckpointSchema = z.object({ execId: z.string().check(z.minLength(1)) });

/**
 * restart: without a checkpoint the restart call was never made: run. With one, a StartedAt that
 * moved since means the container was (re)started after the checkpoint: done; the same StartedAt
 * (or a container that is gone) runs the restart now.
 */
export function restartRecovery(checkpoint: unknown, current: { status: number; startedAt: string | null }): ContainerRecovery {
  const cp = RestartCheckpointSchema.safeParse(checkpoint);
  if (!cp.success || current.status !== 200 || current.startedAt === null) return 'run';
  return current.startedAt !== cp.data.startedAt ? 'done' : 'run';
}

/** How often recovery looks whether a restart the dead agent asked for has happened yet. */
const RESTART_SETTLE_POLL_MS = 200;

/** True when a restart was never asked for (no checkpoint): nothing can be under way. */
function restartNeverAsked(checkpoint: unknown): boolean {
  return !RestartCheckpointSchema.safeParse(checkpoint).success;
}

/** The exec id a checkpoint names, or null (the exec was never created, or not yet journalled: nothing can have run). */
export function execCheckpoint(checkpoint: unknown): string | null {
  const cp = ExecCheckpointSchema.safeParse(checkpoint);
  return cp.success ? cp.data.execId : null;
}

/** What to do about a checkpointed exec, from GET /exec/{id}/json. */
export type ExecRecovery =
  | { readonly action: 'start' }
  | { readonly action: 'wait' }
  | { readonly action: 'report'; readonly exitCode: number }
  | { readonly action: 'gone' }
  | { readonly action: 'unknown'; readonly status: number };

/**
 * The engine's view of the exec decides (verified on dockerd 20.10 / API 1.41): never started is
 * Running false, Pid 0, ExitCode null (start it now); running is Running true (or a Pid with no
 * exit code yet: wait); ended is Running false with an ExitCode (report it); 404 means the engine
 * forgot it (container stopped or restarted before it started, or the engine restarted): unknown.
 */
export function execRecovery(inspect: { status: number; state: ExecState | null }): ExecRecovery {
  if (inspect.status === 404) return { action: 'gone' };
  if (inspect.status !== 200 || inspect.state === null) return { action: 'unknown', status: inspect.status };
  const { running, pid, exitCode } = inspect.state;
  if (running) return { action: 'wait' };
  if (exitCode !== null) return { action: 'report', exitCode };
  return pid === 0 ? { action: 'start' } : { action: 'wait' };
}

/** remove run again: a container already gone is what the command wanted. */
export function removeRecovered(outcome: ExecutionOutcome, containerId: string): ExecutionOutcome {
  if (outcome.status === 'failed' && outcome.error?.code === 'not_found') return { status: 'succeeded', output: { containerId, changed: false } };
  return outcome;
}

/** What exec output says when the process ran while the agent was down. */
export const OUTPUT_LOST = 'output not available: the process ran while the agent was restarting, so it was not captured';

/** The failure of an exec whose fate the engine no longer knows. */
export function execGoneOutcome(execId: string): ExecutionOutcome {
  return {
    status: 'failed',
    error: {
      code: 'interrupted',
      message: `the agent stopped while this exec ran, and the engine no longer knows exec ${execId.slice(0, 12)} (the container or the engine restarted since): whether the process ran is unknown, so it was not run again`,
    },
  };
}

/** How long recovery polls a process still running (it may run for a long time). */
const WAIT_POLL_MS = 500;

async function recoverExec(engine: EngineConnector, spec: Extract<CommandSpec, { kind: 'container.exec' }>, checkpoint: unknown, hooks: ExecutorHooks, signal?: AbortSignal): Promise<ExecutionOutcome> {
  const execId = execCheckpoint(checkpoint);
  if (execId === null) return runSpec(engine, spec, hooks);
  const containerId = spec.payload.containerId;
  const lost = (exitCode: number) => exitOutcome(exitCode, { stdout: '', stderr: '', truncated: false, note: OUTPUT_LOST });
  for (let round = 0; round < 3; round++) {
    const answer = await inspectExec(engine, execId);
    const next = execRecovery({ status: answer.status, state: answer.status === 200 ? parseExecState(answer.body) : null });
    switch (next.action) {
      case 'report':
        return lost(next.exitCode);
      case 'gone':
        return execGoneOutcome(execId);
      case 'unknown':
        return engineFailure(answer, `cannot inspect the exec in ${containerId}`);
      case 'wait': {
        const ended = await awaitExitCode(engine, execId, containerId, { tries: Number.POSITIVE_INFINITY, intervalMs: WAIT_POLL_MS, ...(signal ? { signal } : {}) });
        if ('gone' in ended) return execGoneOutcome(execId);
        return 'outcome' in ended ? ended.outcome : lost(ended.exitCode);
      }
      case 'start': {
        const started = await startExec(engine, execId, containerId);
        if (started !== 'already-started') return started;
        break; // started meanwhile (a start request of the dead agent arriving late): look again
      }
    }
  }
  return { status: 'failed', error: { code: 'engine_error', message: `cannot tell the state of exec ${execId.slice(0, 12)}` } };
}

/** Container inspect: the status and whether it runs. */
async function containerRunning(engine: EngineConnector, containerId: string): Promise<{ status: number; running: boolean }> {
  const answer = await engineCall(engine, 'GET', `/containers/${encodeURIComponent(containerId)}/json`);
  if (answer.status !== 200) return { status: answer.status, running: false };
  const state = (JSON.parse(answer.body.toString('utf8')) as { State?: { Running?: unknown } }).State;
  return { status: 200, running: state?.Running === true };
}

/**
 * Recovers a validated command from its last checkpoint (undefined: none) per recoveryRule: the
 * effect is reported when the engine shows it, finished when it started, else run now.
 */
export async function recoverCommand(engine: EngineConnector, spec: CommandSpec, checkpoint: unknown, hooks: ExecutorHooks, signal?: AbortSignal): Promise<ExecutionOutcome> {
  switch (spec.kind) {
    case 'container.kill': {
      const now = await containerRunning(engine, spec.payload.containerId);
      if (killRecovery(now) === 'done') return { status: 'succeeded', output: { containerId: spec.payload.containerId, changed: false } };
      return runSpec(engine, spec, hooks);
    }
    case 'container.restart': {
      // The dead agent's restart may still be under way in the engine (stopping waits up to the
      // stop timeout): give it that long to show before restarting again.
      const deadline = Date.now() + ((spec.payload.timeoutSeconds ?? 10) + 5) * 1000;
      for (;;) {
        const now = await containerStartedAt(engine, spec.payload.containerId);
        const current = 'startedAt' in now ? { status: 200, startedAt: now.startedAt } : { status: now.status, startedAt: null };
        if (restartRecovery(checkpoint, current) === 'done') return { status: 'succeeded', output: { containerId: spec.payload.containerId, changed: true } };
        if (restartNeverAsked(checkpoint) || current.status !== 200 || Date.now() >= deadline || signal?.aborted) return runSpec(engine, spec, hooks);
        await new Promise((r) => setTimeout(r, RESTART_SETTLE_POLL_MS));
      }
    }
    case 'container.exec':
      return recoverExec(engine, spec, checkpoint, hooks, signal);
    case 'container.remove':
      return removeRecovered(await runSpec(engine, spec, hooks), spec.payload.containerId);
    default:
      return runSpec(engine, spec, hooks);
  }
}

/** recoverCommand for a command frame: validated first; engine errors are outcomes, journal errors and aborts throw. */
export async function recoverFrame(
  engine: EngineConnector,
  command: Pick<CommandFrame, 'kind' | 'payload'>,
  checkpoint: unknown,
  hooks: ExecutorHooks,
  signal?: AbortSignal,
): Promise<ExecutionOutcome> {
  const parsed = parseCommand(command);
  if (!parsed.ok) return parsed.outcome;
  return guarded(hooks, (h) => recoverCommand(engine, parsed.spec, checkpoint, h, signal), signal);
}
