import type { Migration } from '../types.ts';
import { withId } from '../types.ts';

/** Edge Agent identity: enrolled agents (public keys only) and one-time join tokens (hashes only). */
export const agents: Migration = {
  version: 2,
  name: 'agents',
  async up(db, dialect) {
    await withId(db.schema.createTable('agents'), dialect)
      .addColumn('environment_id', 'integer', (c) => c.notNull().references('environments.id').onDelete('cascade'))
      // SPKI DER in base64; null while a rotation waits for the agent to enrol a new key.
      .addColumn('public_key', 'text')
      .addColumn('fingerprint', 'text')
      .addColumn('hostname', 'text', (c) => c.notNull())
      .addColumn('agent_version', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('last_seen_at', 'text')
      .addColumn('revoked_at', 'text')
      .addColumn('credential_version', 'integer', (c) => c.notNull().defaultTo(1))
      .execute();
    await db.schema.createIndex('agents_environment_idx').on('agents').column('environment_id').execute();

    await withId(db.schema.createTable('join_tokens'), dialect)
      .addColumn('environment_id', 'integer', (c) => c.notNull().references('environments.id').onDelete('cascade'))
      // Set for a rotation token: enrolling with it re-keys this agent instead of creating one.
      .addColumn('agent_id', 'integer', (c) => c.references('agents.id').onDelete('cascade'))
      // SHA-256 of the token; the token itself is never stored.
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('used_at', 'text')
      .addColumn('created_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('join_tokens_environment_idx').on('join_tokens').column('environment_id').execute();
    await db.schema.createIndex('join_tokens_agent_idx').on('join_tokens').column('agent_id').execute();
  },
};
