import type { Migration } from '../types.ts';
import { withId } from '../types.ts';

/**
 * Custom app templates: compose text, extra files and typed variable definitions (JSON columns).
 * The catalogue is not stored here; the last good copy fetched from --templates-url is kept in
 * `settings` so a restart while the URL is down still serves it.
 */
export const templates: Migration = {
  version: 10,
  name: 'templates',
  async up(db, dialect) {
    await withId(db.schema.createTable('templates'), dialect)
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('title_key', 'text', (c) => c.notNull().unique())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('categories', 'text', (c) => c.notNull())
      .addColumn('logo', 'text')
      .addColumn('compose', 'text', (c) => c.notNull())
      .addColumn('files', 'text', (c) => c.notNull())
      .addColumn('variables', 'text', (c) => c.notNull())
      .addColumn('created_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
  },
};
