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

/** Kinds only the server queues (the stacks module); cancelling one needs the stack permission behind it. */
export const INTERNAL_KIND_PERMISSIONS: Readonly<Record<string, Permission>> = {
  'stack.deploy': 'stacks.deploy',
  'stack.plan': 'stacks.deploy',
  'stack.remove': 'stacks.delete',
};

/** The permission a stored kind needs; a kind this server does not know needs the broadest one. */
export function permissionForKind(kind: string): Permission {
  if (Object.hasOwn(KIND_PERMISSIONS, kind)) return KIND_PERMISSIONS[kind as CommandKind];
  return Object.hasOwn(INTERNAL_KIND_PERMISSIONS, kind) ? (INTERNAL_KIND_PERMISSIONS[kind] ?? 'environment.update') : 'environment.update';
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

/** What replaces a redacted value. */
export const REDACTED = '••••••';

/** `value` with every occurrence of each of `secrets` in any string (object keys too) replaced by REDACTED. */
export function redactSecrets<T>(value: T, secrets: readonly string[]): T {
  const list = [...new Set(secrets.filter((s) => s !== ''))].sort((a, b) => b.length - a.length);
  if (list.length === 0) return value;
  // Longest first: a secret that contains another is replaced whole.
  const text = (s: string): string => list.reduce((acc, secret) => acc.split(secret).join(REDACTED), s);
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') return text(v);
    if (depth > 64 || v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [text(k), walk(x, depth + 1)]));
  };
  return walk(value, 0) as T;
}
