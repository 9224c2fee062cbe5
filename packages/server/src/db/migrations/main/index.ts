import type { Migration } from '../types.ts';
import { initial } from './001-initial.ts';
import { agents } from './002-agents.ts';
import { environmentStatus } from './003-environment-status.ts';

/** Main database migrations, in order. Append only. */
export const MAIN_MIGRATIONS: readonly Migration[] = [initial, agents, environmentStatus];
