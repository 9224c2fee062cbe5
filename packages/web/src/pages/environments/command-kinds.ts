// What the web needs to know about command-log entries: which permission cancelling or retrying
// one needs (the server's rule, by kind), what it acts on, and which statuses are final.
import type { Command, CommandStatus, Permission } from '@capstan/protocol';

const KIND_PERMISSION: Readonly<Record<string, Permission>> = {
  'container.start': 'containers.operate',
  'container.stop': 'containers.operate',
  'container.restart': 'containers.operate',
  'container.kill': 'containers.operate',
  'container.remove': 'containers.manage',
  'container.exec': 'containers.exec',
  'image.pull': 'images.manage',
  'stack.deploy': 'stacks.deploy',
  'stack.plan': 'stacks.deploy',
  'stack.remove': 'stacks.delete',
};

/** The environment permission a kind needs (an unknown kind: environment administrators only). */
export function permissionForKind(kind: string): Permission {
  return KIND_PERMISSION[kind] ?? 'environment.update';
}

/** Statuses after which a command changes no more. */
export const FINAL_STATUSES: readonly CommandStatus[] = ['succeeded', 'failed', 'expired', 'cancelled', 'superseded'];

/** Whether the command is done (successfully or not). */
export function isFinal(status: CommandStatus): boolean {
  return FINAL_STATUSES.includes(status);
}

/** Only a command the agent has not been sent yet can be cancelled. */
export function canCancel(status: CommandStatus): boolean {
  return status === 'queued';
}

/** Container and image commands that failed or expired can be queued again (stack ones go through their stack). */
export function canRetry(kind: string, status: CommandStatus): boolean {
  return (kind.startsWith('container.') || kind.startsWith('image.')) && (status === 'failed' || status === 'expired');
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const rec = (v: unknown): Record<string, unknown> => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/** What the command acts on, for a table cell: a container, an image, a stack's project. */
export function commandTarget(cmd: Pick<Command, 'kind' | 'payload'>): string {
  const p = cmd.payload;
  // stack.deploy / stack.plan carry the project inside their target
  const project = str(rec(rec(p.target).project).name);
  return str(p.containerId) ?? str(p.image) ?? str(p.projectName) ?? project ?? '—';
}

/** The outcome in a few words: the error, an exec's exit code, or nothing. */
export function commandOutcome(cmd: Pick<Command, 'error' | 'output'>): string | null {
  if (cmd.error) return `${cmd.error.code}: ${cmd.error.message}`;
  const out = cmd.output;
  if (out && typeof out === 'object' && 'exitCode' in out && typeof out.exitCode === 'number') return `exit code ${out.exitCode}`;
  return null;
}

/** Badge colour of a status. */
export function statusColor(status: CommandStatus): string {
  switch (status) {
    case 'succeeded':
      return 'teal';
    case 'failed':
      return 'red';
    case 'queued':
      return 'gray';
    case 'sent':
    case 'accepted':
      return 'blue';
    default:
      return 'yellow';
  }
}
