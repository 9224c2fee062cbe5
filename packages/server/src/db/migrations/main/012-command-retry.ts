import type { Migration } from '../types.ts';

/**
 * Commands carry the retry policy the agent applies (JSON RetryPolicy; null: the kind's default),
 * and a re-queued copy of a failed command points at the original.
 */
export const commandRetry: Migration = {
  version: 12,
  name: 'command-retry',
  async up(db) {
    await db.schema.alterTable('commands').addColumn('retry', 'text').execute();
    await db.schema.alterTable('commands').addColumn('retry_of', 'text').execute();
  },
};
