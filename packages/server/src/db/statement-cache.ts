import type Database from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';
import { BoundedCache } from '../lib/bounded-cache.ts';

/**
 * Gives Kysely a SQLite handle whose `prepare` reuses compiled statements. Kysely prepares on
 * every query; with the cache a hot route skips SQLite's parser. Bounded because `IN (…)` lists
 * of different lengths make distinct SQL texts.
 */
export function cachingSqlite(db: Database.Database, max = 500): SqliteDatabase {
  const cache = new BoundedCache<string, Database.Statement>(max);
  return {
    close: () => db.close(),
    prepare(sql: string): SqliteStatement {
      let stmt = cache.get(sql);
      if (!stmt) {
        stmt = db.prepare(sql);
        cache.set(sql, stmt);
      }
      return stmt;
    },
  };
}
