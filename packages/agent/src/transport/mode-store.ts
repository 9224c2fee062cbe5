// The mode the server last told this agent (and its poll intervals), kept in the state directory so
// a restarted agent comes back on the right transport without waiting to be told again.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';
import { AgentModeSchema, POLL_INTERVAL_SECONDS, PollIntervalsSchema, pollIntervals, type AgentMode } from '@capstan/protocol';
import * as z from 'zod/mini';

/** The transport to run and how often to poll in async mode. */
export const ModeStateSchema = z.object({
  mode: AgentModeSchema,
  intervals: PollIntervalsSchema,
});
export type ModeState = z.infer<typeof ModeStateSchema>;

/** Path of the mode file in a state directory. */
export function modeFile(stateDir: string): string {
  return path.join(stateDir, 'mode.json');
}

/** The stored mode; a missing file is no state, a damaged one is reported (the server tells the mode again). */
export function loadModeState(stateDir: string): { readonly state: ModeState | undefined; readonly problem?: string } {
  const file = modeFile(stateDir);
  if (!existsSync(file)) return { state: undefined };
  try {
    const parsed = ModeStateSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (parsed.success) return { state: parsed.data };
    return { state: undefined, problem: `${file} is damaged (${parsed.error.issues[0]?.message ?? 'schema'}); ignoring it` };
  } catch (err) {
    return { state: undefined, problem: `${file} is not readable JSON (${(err as Error).message}); ignoring it` };
  }
}

/** Writes the mode via a temporary file, fsync and rename, so a crash leaves the old file or the new one. */
export function saveModeState(stateDir: string, state: ModeState): void {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const file = modeFile(stateDir);
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, `${JSON.stringify({ ...state, updatedAt: new Date().toISOString() }, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  // The rename itself is durable only once the directory is synced.
  const dir = openSync(stateDir, 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

/** What the agent knows about its mode at start. */
export interface ModeFacts {
  /** The mode the enrolment answer named (only on the start that enrolled). */
  readonly enrolled?: AgentMode | undefined;
  /** --mode, when given. */
  readonly flag?: AgentMode | undefined;
  /** mode.json. */
  readonly stored?: ModeState | undefined;
}

/**
 * The mode to start in: the enrolment answer, else an explicit --mode (a guess the server corrects),
 * else the stored mode, else standard. Intervals: the stored ones, else the protocol default. Pure.
 */
export function initialModeState(facts: ModeFacts): ModeState {
  return {
    mode: facts.enrolled ?? facts.flag ?? facts.stored?.mode ?? 'standard',
    intervals: facts.stored?.intervals ?? pollIntervals(POLL_INTERVAL_SECONDS.default),
  };
}

/** True when two mode states say the same. */
export function sameModeState(a: ModeState, b: ModeState): boolean {
  return a.mode === b.mode && a.intervals.pollIntervalMs === b.intervals.pollIntervalMs && a.intervals.jitterMs === b.intervals.jitterMs;
}
