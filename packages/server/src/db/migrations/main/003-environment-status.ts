import type { Migration } from '../types.ts';

/** What the tunnel learns about an environment: when its agent was last seen, and its versions. */
export const environmentStatus: Migration = {
  version: 3,
  name: 'environment-status',
  async up(db) {
    await db.schema.alterTable('environments').addColumn('last_seen_at', 'text').execute();
    await db.schema.alterTable('environments').addColumn('agent_version', 'text').execute();
    await db.schema.alterTable('environments').addColumn('engine_version', 'text').execute();
  },
};
