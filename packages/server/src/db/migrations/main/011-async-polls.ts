import type { Migration } from '../types.ts';

/**
 * Async mode: each environment's poll interval, and when its agent last polled and must poll next
 * (the environment shows "next poll due" and turns down when a poll is overdue).
 */
export const asyncPolls: Migration = {
  version: 11,
  name: 'async-polls',
  async up(db) {
    await db.schema.alterTable('environments').addColumn('poll_interval_seconds', 'integer', (c) => c.notNull().defaultTo(60)).execute();
    await db.schema.alterTable('environments').addColumn('last_poll_at', 'text').execute();
    await db.schema.alterTable('environments').addColumn('next_poll_at', 'text').execute();
  },
};
