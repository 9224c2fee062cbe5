// How a stored command becomes what its agent receives (any transport): the sealed payload opened,
// the retry policy in effect; and how a sealed payload is bound to its command (and copied to another).
import type { CommandFrame, RegistryAuth } from '@capstan/protocol';
import type { SecretBox } from '../../lib/secret-box.ts';
import { effectiveRetry } from './commands.policy.ts';
import { presentCommand, type CommandRow } from './commands.repository.ts';

/** The key of a stored payload that holds the real payload sealed (see enqueueInternal). */
export const SEALED_PAYLOAD_KEY = '$sealed';
/** The key of a stored payload that holds the values to redact from results, sealed. */
export const REDACT_KEY = '$redact';

/** Sealing contexts bind a sealed payload to its command id: it cannot be moved to another command. */
export const sealContext = (commandId: string): string => `command:${commandId}:payload`;
export const redactContext = (commandId: string): string => `command:${commandId}:redact`;

/** The frame that delivers a stored command to its agent; `open` unseals a sealed payload. */
export function commandFrame(row: CommandRow, open?: (sealed: string, context: string) => string): CommandFrame {
  const c = presentCommand(row);
  let payload = c.payload;
  const sealed = (JSON.parse(row.payload) as Record<string, unknown>)[SEALED_PAYLOAD_KEY];
  if (typeof sealed === 'string' && open) payload = JSON.parse(open(sealed, sealContext(row.id))) as Record<string, unknown>;
  return { type: 'command', id: c.id, seq: c.seq, kind: c.kind, payload, queuedAt: c.createdAt, expiresAt: c.expiresAt, retry: effectiveRetry(row) };
}

/**
 * A stored payload copied for another command (retry): the same text, its sealed parts opened
 * under the original id and sealed again under `toId` (contexts name the command).
 */
export function copyStoredPayload(stored: string, fromId: string, toId: string, box: SecretBox | null): string {
  const parsed = JSON.parse(stored) as Record<string, unknown>;
  const sealed = parsed[SEALED_PAYLOAD_KEY];
  const redact = parsed[REDACT_KEY];
  if (typeof sealed !== 'string' && typeof redact !== 'string') return stored;
  if (!box) throw new Error('sealed command payloads need the secret box');
  if (typeof sealed === 'string') parsed[SEALED_PAYLOAD_KEY] = box.seal(box.open(sealed, sealContext(fromId)), sealContext(toId));
  if (typeof redact === 'string') parsed[REDACT_KEY] = box.seal(box.open(redact, redactContext(fromId)), redactContext(toId));
  return JSON.stringify(parsed);
}

/**
 * The stored payload of a server-queued command: `summary` for the log, the real payload (and the
 * values to redact from its result, when any) sealed to command `id`.
 */
export function sealInternalPayload(id: string, payload: string, summary: Record<string, unknown>, redact: readonly string[] | undefined, box: SecretBox): string {
  const redacted = redact?.length ? { [REDACT_KEY]: box.seal(JSON.stringify(redact), redactContext(id)) } : {};
  return JSON.stringify({ ...summary, ...redacted, [SEALED_PAYLOAD_KEY]: box.seal(payload, sealContext(id)) });
}

/** The values a command's stored result must not show (sealed by sealInternalPayload); none without a box. */
export function redactionsOf(row: Pick<CommandRow, 'id' | 'payload'>, box: SecretBox | null): string[] {
  const sealed = (JSON.parse(row.payload) as Record<string, unknown>)[REDACT_KEY];
  if (typeof sealed !== 'string' || !box) return [];
  return JSON.parse(box.open(sealed, redactContext(row.id))) as string[];
}

/** An image.pull payload as stored for command `id`: plain, or with the registry credentials sealed in when there are any. */
export function storedPullPayload(id: string, payload: { image: string }, registryAuth: readonly RegistryAuth[], box: SecretBox | null): string {
  if (registryAuth.length === 0 || !box) return JSON.stringify(payload);
  return JSON.stringify({ ...payload, [SEALED_PAYLOAD_KEY]: box.seal(JSON.stringify({ ...payload, registryAuth }), sealContext(id)) });
}
