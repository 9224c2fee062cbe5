// Pure rules of the command log: who may queue which kind, and what a frame from the agent may change.
import {
  defaultRetryPolicy,
  RetryPolicySchema,
  type CommandKind,
  type CommandResultFrame,
  type CommandStatus,
  type EnqueueCommand,
  type Permission,
  type RetryPolicy,
} from '@capstan/protocol';

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

/** The retry policy a command runs with: the stored one (JSON), else its kind's default. */
export function effectiveRetry(row: { kind: string; retry: string | null }): RetryPolicy {
  if (row.retry !== null) {
    try {
      const parsed = RetryPolicySchema.safeParse(JSON.parse(row.retry));
      if (parsed.success) return parsed.data;
    } catch {
      // a column that does not parse falls back to the kind's default
    }
  }
  return defaultRetryPolicy(row.kind);
}

/** The stored form (JSON RetryPolicy) of an enqueue body's retry option; null: the kind's default. */
export function storedRetry(retry: EnqueueCommand['retry']): string | null {
  if (!retry) return null;
  const policy: RetryPolicy = { attempts: retry.attempts, delayMs: retry.delaySeconds * 1000 };
  return JSON.stringify(policy);
}

/** Statuses a command may be re-queued from (POST …/commands/{id}/retry): it ran and failed, or never ran. */
export const RETRYABLE_STATUSES: readonly CommandStatus[] = ['failed', 'expired'];

/** Why a command cannot be re-queued, or null when it can (a container or image command that ended failed or expired). */
export function retryRefusal(row: { id: string; kind: string; status: CommandStatus }): string | null {
  if (!Object.hasOwn(KIND_PERMISSIONS, row.kind)) {
    return `command ${row.id} is a ${row.kind} command of a stack: re-run it through the stack (deploy, roll back or remove it again)`;
  }
  if (!RETRYABLE_STATUSES.includes(row.status)) {
    return `command ${row.id} is ${row.status}: only a command that ended failed or expired can be retried`;
  }
  return null;
}

/** The time to live a command was queued with (undefined: none), so a copy gets as long. */
export function ttlOf(row: { createdAt: string; expiresAt: string | null }): number | undefined {
  if (row.expiresAt === null) return undefined;
  return Math.max(1, Math.round((Date.parse(row.expiresAt) - Date.parse(row.createdAt)) / 1000));
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

/** The history detail of a result: the error code, and how many attempts it took or whether it was recovered. */
export function resultDetail(frame: Pick<CommandResultFrame, 'error' | 'attempts' | 'recovered'>): Record<string, unknown> | null {
  const detail = {
    ...(frame.error ? { code: frame.error.code } : {}),
    ...(frame.attempts !== undefined ? { attempts: frame.attempts } : {}),
    ...(frame.recovered !== undefined ? { recovered: frame.recovered } : {}),
  };
  return Object.keys(detail).length > 0 ? detail : null;
}
