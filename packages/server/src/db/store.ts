import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { CamelCasePlugin, Kysely, PostgresDialect, SqliteDialect, sql, type LogEvent } from 'kysely';
import type pg from 'pg';
import type { AuditDatabase, MainDatabase } from './schema.ts';
import type { Dialect, Migration, SchemaDb } from './migrations/types.ts';
import { migrate, type MigrationOutcome } from './migrator.ts';
import { MAIN_MIGRATIONS } from './migrations/main/index.ts';
import { cachingSqlite } from './statement-cache.ts';
import { AUDIT_MIGRATIONS } from './migrations/audit/index.ts';

export interface StoreOptions {
  dataDir: string;
  /** `postgres://…` selects PostgreSQL; absent means embedded SQLite in `dataDir`. */
  databaseUrl?: string | undefined;
  /** Called after every query, for metrics. */
  onQuery?: (database: 'main' | 'audit', millis: number) => void;
  /**
   * Errors of idle PostgreSQL connections (server restart, admin termination). The pool replaces
   * the connection; without a listener such an error would crash the process.
   */
  onConnectionError?: (err: Error) => void;
  /** Main-database migrations; defaults to this release's. Tests pass longer or shorter lists. */
  mainMigrations?: readonly Migration[];
}

/** The two databases: main state, and the audit log kept apart from it. */
export interface Store {
  dialect: Dialect;
  db: Kysely<MainDatabase>;
  audit: Kysely<AuditDatabase>;
  migrations: { main: MigrationOutcome; audit: MigrationOutcome };
  close(): Promise<void>;
}

/** Loaded only when PostgreSQL is configured: the embedded default starts faster without it. */
async function loadPg(): Promise<typeof pg> {
  const mod = (await import('pg')).default;
  // COUNT(*) and other int8 values fit in a JS number for our sizes; strings would leak into types.
  mod.types.setTypeParser(20, (v: string) => Number(v));
  return mod;
}

function logger(database: 'main' | 'audit', onQuery: StoreOptions['onQuery']) {
  if (!onQuery) return undefined;
  return (e: LogEvent) => onQuery(database, e.queryDurationMillis);
}

function openSqliteFile(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // FULL fsyncs the WAL at every commit: an acknowledged write survives power loss.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  return db;
}

function stamp(): string {
  return new Date().toISOString().replace(/[:.]/g, '-');
}

async function openSqlite(opts: StoreOptions): Promise<Store> {
  mkdirSync(opts.dataDir, { recursive: true });
  const backupDir = path.join(opts.dataDir, 'backups');
  const mainFile = openSqliteFile(path.join(opts.dataDir, 'capstan.db'));
  const auditFile = openSqliteFile(path.join(opts.dataDir, 'audit.db'));
  const plugins = [new CamelCasePlugin()];
  const db = new Kysely<MainDatabase>({
    dialect: new SqliteDialect({ database: cachingSqlite(mainFile) }),
    plugins,
    log: logger('main', opts.onQuery),
  });
  const audit = new Kysely<AuditDatabase>({
    dialect: new SqliteDialect({ database: cachingSqlite(auditFile) }),
    plugins,
    log: logger('audit', opts.onQuery),
  });
  const backupOf = (file: Database.Database, name: string) => async (from: number) => {
    mkdirSync(backupDir, { recursive: true });
    const target = path.join(backupDir, `${name}-v${from}-${stamp()}.db`);
    await file.backup(target);
    return target;
  };
  try {
    const main = await migrate(db as unknown as SchemaDb, 'sqlite', 'main', opts.mainMigrations ?? MAIN_MIGRATIONS, backupOf(mainFile, 'capstan'));
    const aud = await migrate(audit as unknown as SchemaDb, 'sqlite', 'audit', AUDIT_MIGRATIONS, backupOf(auditFile, 'audit'));
    return {
      dialect: 'sqlite',
      db,
      audit,
      migrations: { main, audit: aud },
      close: async () => {
        await db.destroy();
        await audit.destroy();
      },
    };
  } catch (err) {
    await db.destroy();
    await audit.destroy();
    throw err;
  }
}

/** Copies every table of a PostgreSQL schema into a fresh backup schema; returns its name. */
async function backupPgSchema(db: SchemaDb, schema: string, from: number): Promise<string> {
  const target = `capstan_backup_${schema}_v${from}_${Date.now()}`;
  await db.transaction().execute(async (trx) => {
    await sql`create schema ${sql.id(target)}`.execute(trx);
    const tables = await sql<{ name: string }>`
      select table_name as name from information_schema.tables
      where table_schema = ${schema} and table_type = 'BASE TABLE'`.execute(trx);
    for (const t of tables.rows) {
      await sql`create table ${sql.id(target, t.name)} as table ${sql.id(schema, t.name)}`.execute(trx);
    }
  });
  return `postgres schema ${target}`;
}

async function openPostgres(opts: StoreOptions & { databaseUrl: string }): Promise<Store> {
  const { Pool } = await loadPg();
  const pool = new Pool({ connectionString: opts.databaseUrl, max: 10 });
  const auditPool = new Pool({ connectionString: opts.databaseUrl, max: 4 });
  const onError = opts.onConnectionError ?? (() => undefined);
  pool.on('error', onError);
  auditPool.on('error', onError);
  const plugins = [new CamelCasePlugin()];
  const db = new Kysely<MainDatabase>({
    dialect: new PostgresDialect({ pool }),
    plugins,
    log: logger('main', opts.onQuery),
  });
  const auditRoot = new Kysely<AuditDatabase>({
    dialect: new PostgresDialect({ pool: auditPool }),
    plugins,
    log: logger('audit', opts.onQuery),
  });
  try {
    const mainSchema = (await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0]?.s ?? 'public';
    await sql`create schema if not exists audit`.execute(auditRoot);
    const audit = auditRoot.withSchema('audit');
    const main = await migrate(db as unknown as SchemaDb, 'postgres', 'main', opts.mainMigrations ?? MAIN_MIGRATIONS, (from) =>
      backupPgSchema(db as unknown as SchemaDb, mainSchema, from),
    );
    const aud = await migrate(audit as unknown as SchemaDb, 'postgres', 'audit', AUDIT_MIGRATIONS, (from) =>
      backupPgSchema(auditRoot as unknown as SchemaDb, 'audit', from),
    );
    return {
      dialect: 'postgres',
      db,
      audit,
      migrations: { main, audit: aud },
      close: async () => {
        await db.destroy();
        await auditRoot.destroy();
      },
    };
  } catch (err) {
    await db.destroy();
    await auditRoot.destroy();
    throw err;
  }
}

/** Opens (and migrates) the store the options select. */
export async function openStore(opts: StoreOptions): Promise<Store> {
  if (opts.databaseUrl) return openPostgres({ ...opts, databaseUrl: opts.databaseUrl });
  return openSqlite(opts);
}
