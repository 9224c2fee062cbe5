// Pure rules of the command log: who may queue which kind, and what a frame from the agent may change.
import type { CommandKind, CommandStatus, Permission } from '@capstan/protocol';

/** The environment permission queueing (or cancelling) a command of each kind needs. */
export const KIND_PERMISSIONS: Record<CommandKind, Permission> = {
  'container.start': 'containers.operate',
  'container.stop': 'containers.operate',
  'container.restart': 'containers.operate',
  'container.kill': 'containers.operate',
  'container.remove': 'containers.manage',
  'container.exec': 'containers.exec',
  'image.pull': 'images.manage',
};

/** The permission a stored kind needs; a kind this server does not know needs the broadest one. */
export function permissionForKind(kind: string): Permission {
  return Object.hasOwn(KIND_PERMISSIONS, kind) ? KIND_PERMISSIONS[kind as CommandKind] : 'environment.update';
}

/** True once a command can change no more (its result arrived, or it never ran). */
export function isFinished(status: CommandStatus): boolean {
  return status !== 'queued' && status !== 'sent' && status !== 'accepted';
}

/** When a command queued at `now` with `ttlSeconds` expires (null: never). */
export function expiryOf(now: Date, ttlSeconds: number | undefined): string | null {
  return ttlSeconds === undefined ? null : new Date(now.getTime() + ttlSeconds * 1000).toISOString();
}

/** True when a command with this expiry must not start at `now`. */
export function isExpired(expiresAt: string | null, now: Date): boolean {
  return expiresAt !== null && Date.parse(expiresAt) <= now.getTime();
}

/**
 * A timestamp reported by the agent, normalised to the server's ISO-8601 UTC form; `fallback`
 * when it is absent or not a date (the agent's clock is its own, its format is not trusted).
 */
export function agentTime(value: string | null | undefined, fallback: string | null): string | null {
  if (!value) return fallback;
  const t = Date.parse(value);
  if (!Number.isFinite(t)) return fallback;
  const d = new Date(t);
  return d.getUTCFullYear() >= 1970 && d.getUTCFullYear() <= 9999 ? d.toISOString() : fallback;
}
