import type { Migration } from '../types.ts';
import { initial } from './001-initial.ts';

/** Audit database migrations, in order. Append only. */
export const AUDIT_MIGRATIONS: readonly Migration[] = [initial];
