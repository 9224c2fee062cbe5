import type { Migration } from '../types.ts';
import { withId } from '../types.ts';

/** The per-environment command log: commands, their history, and each environment's last seq. */
export const commands: Migration = {
  version: 4,
  name: 'commands',
  async up(db, dialect) {
    // One row per environment; an upsert that bumps it hands out seq numbers. Row-locked on
    // PostgreSQL, so concurrent enqueues get distinct seqs and commit in seq order.
    await db.schema
      .createTable('command_sequences')
      .addColumn('environment_id', 'integer', (c) => c.primaryKey().references('environments.id').onDelete('cascade'))
      .addColumn('last_seq', 'integer', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('commands')
      // A UUID chosen by the server: the idempotency key the agent journals.
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('environment_id', 'integer', (c) => c.notNull().references('environments.id').onDelete('cascade'))
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('sent_at', 'text')
      .addColumn('accepted_at', 'text')
      .addColumn('started_at', 'text')
      .addColumn('finished_at', 'text')
      .addColumn('expires_at', 'text')
      .addColumn('output', 'text')
      .addColumn('error', 'text')
      .addUniqueConstraint('commands_environment_seq_unique', ['environment_id', 'seq'])
      .execute();
    await db.schema.createIndex('commands_environment_status_idx').on('commands').columns(['environment_id', 'status', 'seq']).execute();

    await withId(db.schema.createTable('command_history'), dialect)
      .addColumn('command_id', 'text', (c) => c.notNull().references('commands.id').onDelete('cascade'))
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('event', 'text', (c) => c.notNull())
      .addColumn('detail', 'text')
      .execute();
    await db.schema.createIndex('command_history_command_idx').on('command_history').column('command_id').execute();
  },
};
