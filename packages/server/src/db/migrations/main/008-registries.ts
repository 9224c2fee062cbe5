import type { Migration } from '../types.ts';
import { withId } from '../types.ts';

/**
 * Private image registries: credentials agents get for authenticated pulls. The password is sealed
 * with the data directory's key (lib/secret-box.ts). A registry is open to every environment unless
 * `restricted`, then only to the environments and groups listed; deleting one of those narrows it,
 * never widens it.
 */
export const registries: Migration = {
  version: 8,
  name: 'registries',
  async up(db, dialect) {
    await withId(db.schema.createTable('registries'), dialect)
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('name_key', 'text', (c) => c.notNull().unique())
      // Canonical host[:port] (parseRegistryAddress): what image references are matched against.
      .addColumn('host', 'text', (c) => c.notNull().unique())
      .addColumn('username', 'text', (c) => c.notNull())
      // SecretBox text sealed with the context `registry:<id>:password`.
      .addColumn('password_sealed', 'text', (c) => c.notNull())
      .addColumn('insecure', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('restricted', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('registry_environments')
      .addColumn('registry_id', 'integer', (c) => c.notNull().references('registries.id').onDelete('cascade'))
      .addColumn('environment_id', 'integer', (c) => c.notNull().references('environments.id').onDelete('cascade'))
      .addPrimaryKeyConstraint('registry_environments_pk', ['registry_id', 'environment_id'])
      .execute();
    await db.schema
      .createTable('registry_groups')
      .addColumn('registry_id', 'integer', (c) => c.notNull().references('registries.id').onDelete('cascade'))
      .addColumn('group_id', 'integer', (c) => c.notNull().references('environment_groups.id').onDelete('cascade'))
      .addPrimaryKeyConstraint('registry_groups_pk', ['registry_id', 'group_id'])
      .execute();
  },
};
