import type { Migration } from '../types.ts';

/**
 * The latest engine snapshot per environment, as its agent reported it. One row per environment:
 * only the newest state is kept. Container counts sit in columns so environment lists need not
 * parse the JSON.
 */
export const snapshots: Migration = {
  version: 5,
  name: 'snapshots',
  async up(db) {
    await db.schema
      .createTable('environment_snapshots')
      .addColumn('environment_id', 'integer', (c) => c.primaryKey().references('environments.id').onDelete('cascade'))
      .addColumn('taken_at', 'text', (c) => c.notNull())
      .addColumn('received_at', 'text', (c) => c.notNull())
      // sha256 hex of `data`, which is the snapshot's canonical form.
      .addColumn('hash', 'text', (c) => c.notNull())
      .addColumn('data', 'text', (c) => c.notNull())
      .addColumn('containers_total', 'integer', (c) => c.notNull())
      .addColumn('containers_running', 'integer', (c) => c.notNull())
      .addColumn('containers_stopped', 'integer', (c) => c.notNull())
      .addColumn('containers_paused', 'integer', (c) => c.notNull())
      .addColumn('containers_unhealthy', 'integer', (c) => c.notNull())
      .execute();
  },
};
