// API key expiry: a few presets or a chosen moment, turned into the ISO time the API expects.
import type { ApiKey } from '@capstan/protocol';
import { localInputToIso } from '../audit/localTime.ts';

/** The choices of the "Expires" select (days, never, or a chosen moment). */
export const EXPIRY_PRESETS = [
  { value: '7', label: '7 days' },
  { value: '30', label: '30 days' },
  { value: '90', label: '90 days' },
  { value: '365', label: '1 year' },
  { value: 'never', label: 'Never' },
  { value: 'custom', label: 'Choose a date' },
] as const;

export type ExpiryPreset = (typeof EXPIRY_PRESETS)[number]['value'];

const DAY = 86_400_000;

/**
 * The `expiresAt` to send: undefined for "never", an error message when the custom moment is
 * missing or not in the future.
 */
export function expiryIso(preset: ExpiryPreset, custom: string, now = Date.now()): { expiresAt?: string } | { error: string } {
  if (preset === 'never') return {};
  if (preset === 'custom') {
    const iso = localInputToIso(custom);
    if (!iso) return { error: 'Choose a date and time' };
    if (Date.parse(iso) <= now) return { error: 'Must be in the future' };
    return { expiresAt: iso };
  }
  return { expiresAt: new Date(now + Number(preset) * DAY).toISOString() };
}

/** Whether a key has expired (the server refuses it from then on). */
export function isExpired(key: Pick<ApiKey, 'expiresAt'>, now = Date.now()): boolean {
  return key.expiresAt !== null && Date.parse(key.expiresAt) <= now;
}
