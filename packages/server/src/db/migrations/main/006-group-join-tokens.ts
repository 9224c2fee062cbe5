import type { Migration } from '../types.ts';
import { withId } from '../types.ts';

/**
 * Join tokens for an environment group (fleet onboarding: one token, many hosts, each enrolment
 * creating an environment in the group), and the serial of the client certificate each agent got.
 */
export const groupJoinTokens: Migration = {
  version: 6,
  name: 'group-join-tokens',
  async up(db, dialect) {
    await withId(db.schema.createTable('group_join_tokens'), dialect)
      .addColumn('group_id', 'integer', (c) => c.notNull().references('environment_groups.id').onDelete('cascade'))
      // SHA-256 of the token; the token itself is never stored.
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      // null: any number of hosts until it expires.
      .addColumn('max_uses', 'integer')
      .addColumn('uses', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('revoked_at', 'text')
      .addColumn('created_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('group_join_tokens_group_idx').on('group_join_tokens').column('group_id').execute();
    // Serial of the mTLS client certificate issued at the latest enrolment (null: none issued).
    await db.schema.alterTable('agents').addColumn('client_cert_serial', 'text').execute();
  },
};
