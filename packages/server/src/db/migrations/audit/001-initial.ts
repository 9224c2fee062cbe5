import type { Migration } from '../types.ts';

/** The audit log: append-only records of every mutating call. */
export const initial: Migration = {
  version: 1,
  name: 'initial',
  async up(db) {
    await db.schema
      .createTable('audit_log')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('actor_id', 'integer')
      .addColumn('actor_name', 'text')
      .addColumn('auth_method', 'text', (c) => c.notNull())
      .addColumn('source_ip', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('target_type', 'text')
      .addColumn('target_id', 'text')
      .addColumn('outcome', 'text', (c) => c.notNull())
      .addColumn('status_code', 'integer', (c) => c.notNull())
      .addColumn('request_id', 'text', (c) => c.notNull())
      .addColumn('details', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('audit_log_at_idx').on('audit_log').column('at').execute();
    await db.schema.createIndex('audit_log_actor_idx').on('audit_log').columns(['actor_id', 'at']).execute();
    await db.schema.createIndex('audit_log_action_idx').on('audit_log').columns(['action', 'at']).execute();
    await db.schema
      .createIndex('audit_log_target_idx')
      .on('audit_log')
      .columns(['target_type', 'target_id', 'at'])
      .execute();
    await db.schema.createIndex('audit_log_request_idx').on('audit_log').column('request_id').execute();
  },
};
