import { sql } from 'kysely';
import type { Dialect, Migration, SchemaDb } from './migrations/types.ts';
import { AppError } from '../errors.ts';

export interface MigrationOutcome {
  from: number;
  to: number;
  applied: number[];
  backup: string | null;
}

/** Thrown when the database was written by a newer Capstan; opening it would risk data. */
export class SchemaTooNewError extends Error {
  constructor(label: string, found: number, known: number) {
    super(
      `the ${label} database has schema version ${found}, but this Capstan only knows up to ${known}. ` +
        `Run the Capstan release that wrote it (or newer), or restore a backup taken before the upgrade.`,
    );
    this.name = 'SchemaTooNewError';
  }
}

async function ensureTable(db: SchemaDb): Promise<void> {
  await db.schema
    .createTable('schema_migrations')
    .ifNotExists()
    .addColumn('version', 'integer', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('applied_at', 'text', (c) => c.notNull())
    .execute();
}

async function currentVersion(db: SchemaDb): Promise<number> {
  // Query builder, not raw SQL: a schema-scoped Kysely (PostgreSQL audit schema) must prefix the table.
  const row = await db
    .selectFrom('schema_migrations')
    .select((eb) => eb.fn.max('version').as('v'))
    .executeTakeFirst();
  return Number(row?.v ?? 0);
}

/**
 * Brings a database to the newest schema this binary knows. Refuses a newer schema;
 * takes a backup (via `backup`) before changing a database that already holds data;
 * applies pending migrations in one transaction so a crash leaves the old version intact.
 */
export async function migrate(
  db: SchemaDb,
  dialect: Dialect,
  label: string,
  migrations: readonly Migration[],
  backup: (fromVersion: number) => Promise<string>,
): Promise<MigrationOutcome> {
  const known = migrations.at(-1)?.version ?? 0;
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new AppError('internal_error', `${label} migration ${m.name} is out of sequence`);
  });
  await ensureTable(db);
  const from = await currentVersion(db);
  if (from > known) throw new SchemaTooNewError(label, from, known);
  if (from === known) return { from, to: from, applied: [], backup: null };
  const backupPath = from > 0 ? await backup(from) : null;

  const applied: number[] = [];
  await db.transaction().execute(async (trx) => {
    // Replicas starting together: one migrates, the others wait and then find nothing to do.
    if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(7261001, hashtext(${label}))`.execute(trx);
    const start = await currentVersion(trx);
    if (start > known) throw new SchemaTooNewError(label, start, known);
    for (const m of migrations.filter((x) => x.version > start)) {
      await m.up(trx, dialect);
      await trx
        .insertInto('schema_migrations')
        .values({ version: m.version, name: m.name, applied_at: new Date().toISOString() })
        .execute();
      applied.push(m.version);
    }
  });
  return { from, to: known, applied, backup: backupPath };
}

/** The schema version recorded in a database (0 when none). */
export async function schemaVersion(db: SchemaDb): Promise<number> {
  await ensureTable(db);
  return currentVersion(db);
}
