import type { Migration } from '../types.ts';
import { withId } from '../types.ts';

/**
 * Stacks (a compose project Capstan manages on one environment) and their versions (one immutable
 * record per deploy, rollback or adoption). Secret variable values are sealed with the secret box
 * before they reach either table.
 */
export const stacks: Migration = {
  version: 7,
  name: 'stacks',
  async up(db, dialect) {
    await withId(db.schema.createTable('stacks'), dialect)
      .addColumn('environment_id', 'integer', (c) => c.notNull().references('environments.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      // Lower-case name: the compose project on the host, so unique per environment.
      .addColumn('project_name', 'text', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      // null: adopted, no compose file known yet.
      .addColumn('compose', 'text')
      // JSON [{ name, content }].
      .addColumn('files', 'text', (c) => c.notNull())
      // JSON [{ name, secret, value }], secret values sealed.
      .addColumn('variables', 'text', (c) => c.notNull())
      .addColumn('health_window_seconds', 'integer', (c) => c.notNull())
      .addColumn('on_failure', 'text', (c) => c.notNull())
      .addColumn('current_version_id', 'integer')
      // active | removing (a stack.remove command is on its way).
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('remove_command_id', 'text')
      .addColumn('remove_error', 'text')
      .addColumn('created_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('stacks_environment_project_unique', ['environment_id', 'project_name'])
      .execute();
    await db.schema.createIndex('stacks_remove_command_idx').on('stacks').column('remove_command_id').execute();

    await withId(db.schema.createTable('stack_versions'), dialect)
      .addColumn('stack_id', 'integer', (c) => c.notNull().references('stacks.id').onDelete('cascade'))
      .addColumn('number', 'integer', (c) => c.notNull())
      // deploy | rollback | adopt
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('rollback_of', 'integer')
      .addColumn('compose', 'text')
      .addColumn('files', 'text', (c) => c.notNull())
      .addColumn('variables', 'text', (c) => c.notNull())
      // JSON service → repo@sha256 the deploy must use; and those the agent resolved.
      .addColumn('image_pins', 'text', (c) => c.notNull())
      .addColumn('image_digests', 'text', (c) => c.notNull())
      .addColumn('pull', 'text')
      .addColumn('git_commit', 'text')
      .addColumn('created_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
      // Kept as written: the author's name outlives the account.
      .addColumn('created_by_name', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('reason', 'text')
      .addColumn('command_id', 'text', (c) => c.references('commands.id').onDelete('set null'))
      .addColumn('plan', 'text')
      .addColumn('adopted', 'text')
      .addColumn('finished_at', 'text')
      .addUniqueConstraint('stack_versions_stack_number_unique', ['stack_id', 'number'])
      .execute();
    await db.schema.createIndex('stack_versions_command_idx').on('stack_versions').column('command_id').execute();
  },
};
