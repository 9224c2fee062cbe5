// The stack.* command kinds: payload validation (zod/mini schemas of the protocol), then deploy,
// plan or remove. Every problem is a failed outcome, never a throw.
import { StackDeployPayloadSchema, StackPlanPayloadSchema, StackRemovePayloadSchema, type CommandFrame } from '@capstan/protocol';
import type { ExecutionOutcome } from '../commands/decide.ts';
import { isConnectionError, retryableStatus } from '../commands/retry.ts';
import { EngineCallError } from './engine-client.ts';
import { deployStack, type StackRuntime } from './deploy.ts';
import { planLive } from './plan.ts';
import { removeStack } from './remove.ts';

/** Command kinds this module runs. */
export const STACK_COMMAND_KINDS: readonly string[] = ['stack.deploy', 'stack.plan', 'stack.remove'];

/** Whether `kind` is a stack command. */
export function isStackCommand(kind: string): boolean {
  return STACK_COMMAND_KINDS.includes(kind);
}

interface Parser<T> {
  safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string }> } };
}

function parse<T>(kind: string, schema: Parser<T>, payload: unknown): { ok: true; value: T } | { ok: false; outcome: ExecutionOutcome } {
  const parsed = schema.safeParse(payload);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ` : '';
  return { ok: false, outcome: { status: 'failed', error: { code: 'invalid_command', message: `invalid ${kind} command: ${where}${issue?.message ?? 'bad payload'}`.slice(0, 4096) } } };
}

async function run(rt: StackRuntime, command: Pick<CommandFrame, 'kind' | 'payload'>): Promise<ExecutionOutcome> {
  switch (command.kind) {
    case 'stack.deploy': {
      const p = parse(command.kind, StackDeployPayloadSchema, command.payload);
      if (!p.ok) return p.outcome;
      const result = await deployStack(rt, p.value);
      if (result.outcome === 'deployed') return { status: 'succeeded', output: result };
      const code = result.outcome === 'rolled_back' ? 'stack_rolled_back' : 'stack_deploy_failed';
      return { status: 'failed', output: result, error: { code, message: (result.failure?.reason ?? 'the deploy failed').slice(0, 4096) } };
    }
    case 'stack.plan': {
      const p = parse(command.kind, StackPlanPayloadSchema, command.payload);
      if (!p.ok) return p.outcome;
      return { status: 'succeeded', output: await planLive(rt, p.value) };
    }
    case 'stack.remove': {
      const p = parse(command.kind, StackRemovePayloadSchema, command.payload);
      if (!p.ok) return p.outcome;
      return { status: 'succeeded', output: await removeStack(rt, p.value) };
    }
    default:
      return { status: 'failed', error: { code: 'unsupported_command', message: `this agent does not support command kind "${command.kind}": upgrade the agent` } };
  }
}

/** Runs a stack command; an engine that fails or cannot be reached is a failed outcome (retryable: 5xx or no connection). */
export async function executeStackCommand(rt: StackRuntime, command: Pick<CommandFrame, 'kind' | 'payload'>): Promise<ExecutionOutcome> {
  try {
    return await run(rt, command);
  } catch (err) {
    const retryable = err instanceof EngineCallError ? retryableStatus(err.status) : isConnectionError(err);
    return { status: 'failed', error: { code: 'stack_error', message: `${command.kind} failed: ${(err as Error).message}`.slice(0, 4096) }, ...(retryable ? { retryable: true } : {}) };
  }
}
