// The runner's decisions as pure functions of plain data: what to do with a command given what the
// journal knows, how to read a command off the wire, and the frames that report outcomes.
import {
  COMMAND_KINDS,
  CommandErrorSchema,
  CommandSpecSchema,
  type CommandError,
  type CommandFrame,
  type CommandResultFrame,
  type CommandSpec,
} from '@capstan/protocol';
import * as z from 'zod/mini';
import type { CommandState } from '../journal/records.ts';

/** What an executor reports. */
export interface ExecutionOutcome {
  readonly status: 'succeeded' | 'failed';
  readonly output?: unknown;
  readonly error?: CommandError;
  /** The failure is the engine's or the network's, not the command's: another attempt may succeed (see retry.ts). */
  readonly retryable?: boolean;
}

/** What the journal keeps as a command's result, enough to report it again without running it. */
export const StoredResultSchema = z.object({
  output: z.optional(z.unknown()),
  error: z.optional(CommandErrorSchema),
  startedAt: z.nullable(z.string()),
  finishedAt: z.string(),
  /** Attempts made (absent: one). */
  attempts: z.optional(z.int().check(z.minimum(1), z.maximum(100))),
  /** The agent restarted mid-command and established this outcome by recovery. */
  recovered: z.optional(z.boolean()),
});
export type StoredResult = z.infer<typeof StoredResultSchema>;

/** What to do with a command when its turn comes. */
export type Decision =
  | { readonly action: 'resend'; readonly frame: CommandResultFrame }
  | { readonly action: 'recover' }
  | { readonly action: 'expired' }
  | { readonly action: 'run' };

/**
 * The exactly-once rule. An id the journal finished is reported again from the journal; one it
 * accepted without a result was running when the agent died and is recovered (its effect checked
 * on the engine, finished, or run if it never happened; never a second effect), even past its
 * deadline since it had started; an unknown one runs unless its deadline passed.
 */
export function decide(state: CommandState, command: Pick<CommandFrame, 'id' | 'seq' | 'expiresAt'>, now: Date): Decision {
  if (state.state === 'done') return { action: 'resend', frame: storedResultFrame(command, state.status, state.result, now) };
  if (state.state === 'accepted') return { action: 'recover' };
  if (command.expiresAt !== null) {
    const deadline = Date.parse(command.expiresAt);
    if (Number.isFinite(deadline) && deadline <= now.getTime()) return { action: 'expired' };
  }
  return { action: 'run' };
}

/** The result frame for a journalled outcome (an unreadable record still reports its status). */
export function storedResultFrame(
  command: Pick<CommandFrame, 'id' | 'seq'>,
  status: 'succeeded' | 'failed',
  stored: unknown,
  now: Date,
): CommandResultFrame {
  const parsed = StoredResultSchema.safeParse(stored);
  const r: StoredResult = parsed.success ? parsed.data : { startedAt: null, finishedAt: now.toISOString() };
  return {
    type: 'command-result',
    id: command.id,
    seq: command.seq,
    status,
    ...(r.output !== undefined ? { output: r.output } : {}),
    ...(r.error ? { error: r.error } : {}),
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    ...(r.attempts !== undefined ? { attempts: r.attempts } : {}),
    ...(r.recovered ? { recovered: true } : {}),
  };
}

/** The frame for a command whose deadline passed before it could start. */
export function expiredFrame(command: Pick<CommandFrame, 'id' | 'seq' | 'expiresAt'>, now: Date): CommandResultFrame {
  return {
    type: 'command-result',
    id: command.id,
    seq: command.seq,
    status: 'expired',
    error: { code: 'expired', message: `not started before its deadline ${command.expiresAt ?? ''}`.trim() },
    startedAt: null,
    finishedAt: now.toISOString(),
  };
}

const KNOWN_KINDS: ReadonlySet<string> = new Set(COMMAND_KINDS);

/** Reads a command off the wire: a kind this agent does not know, or a payload its kind refuses, is a failed outcome. */
export function parseCommand(command: Pick<CommandFrame, 'kind' | 'payload'>): { ok: true; spec: CommandSpec } | { ok: false; outcome: ExecutionOutcome } {
  if (!KNOWN_KINDS.has(command.kind)) {
    return {
      ok: false,
      outcome: {
        status: 'failed',
        error: { code: 'unsupported_command', message: `this agent does not support command kind "${command.kind}": upgrade the agent` },
      },
    };
  }
  const parsed = CommandSpecSchema.safeParse({ kind: command.kind, payload: command.payload });
  if (parsed.success) return { ok: true, spec: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  return {
    ok: false,
    outcome: { status: 'failed', error: { code: 'invalid_command', message: `invalid ${command.kind} command: ${where}${issue?.message ?? 'bad payload'}`.slice(0, 4096) } },
  };
}
