// A user's account state as one label: disabled beats locked, a lockout in the past is over.
import type { User } from '@capstan/protocol';

export interface UserStatus {
  kind: 'active' | 'locked' | 'disabled';
  label: string;
  color: string;
}

/** True while a temporary login lockout is still running. */
export function isLocked(user: Pick<User, 'lockedUntil'>, now = Date.now()): boolean {
  return user.lockedUntil !== null && Date.parse(user.lockedUntil) > now;
}

/** The account's state for a badge. */
export function userStatus(user: Pick<User, 'disabled' | 'lockedUntil'>, now = Date.now()): UserStatus {
  if (user.disabled) return { kind: 'disabled', label: 'Disabled', color: 'gray' };
  if (isLocked(user, now)) return { kind: 'locked', label: 'Locked', color: 'orange' };
  return { kind: 'active', label: 'Active', color: 'teal' };
}
