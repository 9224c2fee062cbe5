import type { Migration } from '../types.ts';
import { withId } from '../types.ts';

/**
 * Git sources: a stack whose compose file comes from a Git repository, kept up to date by polling
 * and webhooks. Credentials and the webhook secret are sealed with the secret box (contexts
 * `git-source:<stackId>:auth` and `git-source:<stackId>:webhook`). The fetched objects live in
 * `<dataDir>/git/<id>`, not here.
 */
export const gitSources: Migration = {
  version: 9,
  name: 'git-sources',
  async up(db, dialect) {
    await withId(db.schema.createTable('git_sources'), dialect)
      // One source per stack; the source goes with its stack.
      .addColumn('stack_id', 'integer', (c) => c.notNull().unique().references('stacks.id').onDelete('cascade'))
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('ref', 'text', (c) => c.notNull())
      .addColumn('compose_path', 'text', (c) => c.notNull())
      // JSON array of repository paths the stack also reads.
      .addColumn('extra_paths', 'text', (c) => c.notNull())
      // none | token | ssh
      .addColumn('auth_kind', 'text', (c) => c.notNull())
      .addColumn('auth_username', 'text')
      .addColumn('auth_secret', 'text')
      // 0: no polling (webhook or manual sync only).
      .addColumn('poll_interval_seconds', 'integer', (c) => c.notNull())
      .addColumn('webhook_secret', 'text')
      // Automatic redeploys act as this user (who configured the source last).
      .addColumn('actor_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
      .addColumn('last_fetch_at', 'text')
      .addColumn('last_seen_commit', 'text')
      .addColumn('last_seen_at', 'text')
      .addColumn('last_deployed_commit', 'text')
      .addColumn('last_deployed_at', 'text')
      .addColumn('last_error', 'text')
      .addColumn('last_error_at', 'text')
      .addColumn('consecutive_failures', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
  },
};
