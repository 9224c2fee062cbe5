// What the command log tells stacks: runs inside the transaction that accepts or ends a stack
// command, so a version's outcome commits with its command's (nothing is lost across a crash).
import type { LiveEvent } from '@capstan/protocol';
import type { Transaction } from 'kysely';
import type { MainDatabase } from '../../db/schema.ts';
import type { CommandRow } from '../commands/commands.repository.ts';
import type { TransitionHook } from '../commands/commands.service.ts';
import { isFinished } from '../commands/commands.policy.ts';
import { versionOutcome } from './stacks.policy.ts';
import type { StacksRepository } from './stacks.repository.ts';

/** The hook stacks register on the command log; answers a `stack` notice for the stack it changed. */
export function stackCommandHook(repo: StacksRepository, now: () => Date): TransitionHook {
  return async (trx, row) => {
    const stackId =
      row.kind === 'stack.deploy' ? await deployTransition(repo, trx, row, now) : row.kind === 'stack.remove' ? await removeTransition(repo, trx, row, now) : null;
    const notices: LiveEvent[] = stackId === null ? [] : [{ type: 'stack', environmentId: Number(row.environmentId), stackId }];
    return notices;
  };
}

/** accepted → the version is deploying; an end → its outcome (and the stack's current version when deployed). Answers the stack's id. */
async function deployTransition(repo: StacksRepository, trx: Transaction<MainDatabase>, row: CommandRow, now: () => Date): Promise<number | null> {
  const version = await repo.versionByCommand(trx, row.id);
  if (!version) return null;
  const outcome = versionOutcome(row);
  if (!outcome) return null;
  if (outcome.status === 'deploying') {
    await repo.setOutcome(trx, Number(version.id), ['queued'], { status: 'deploying' });
    return Number(version.stackId);
  }
  const updated = await repo.setOutcome(trx, Number(version.id), ['queued', 'deploying'], {
    status: outcome.status,
    reason: outcome.reason,
    // The command's output was redacted on arrival (secret values masked), so is the plan.
    ...(outcome.imageDigests ? { imageDigests: JSON.stringify(outcome.imageDigests) } : {}),
    ...(outcome.plan ? { plan: JSON.stringify(outcome.plan) } : {}),
    finishedAt: row.finishedAt ?? now().toISOString(),
  });
  if (updated && outcome.status === 'deployed') {
    await repo.update(trx, Number(version.stackId), { currentVersionId: Number(version.id), updatedAt: now().toISOString() });
  }
  return Number(version.stackId);
}

/** Removed → the stack and its versions go; any other end → the stack stays, with the reason. Answers the stack's id. */
async function removeTransition(repo: StacksRepository, trx: Transaction<MainDatabase>, row: CommandRow, now: () => Date): Promise<number | null> {
  if (!isFinished(row.status)) return null;
  const stack = await repo.byRemoveCommand(trx, row.id);
  if (!stack) return null;
  if (row.status === 'succeeded') {
    await repo.delete(trx, Number(stack.id));
    return Number(stack.id);
  }
  let reason = `the remove command ended ${row.status}`;
  try {
    const e = JSON.parse(row.error ?? 'null') as { message?: unknown } | null;
    if (typeof e?.message === 'string') reason = `${reason}: ${e.message}`;
  } catch {
    // keep the plain reason
  }
  await repo.update(trx, Number(stack.id), { state: 'active', removeCommandId: null, removeError: reason, updatedAt: now().toISOString() });
  return Number(stack.id);
}
