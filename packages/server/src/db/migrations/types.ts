import type { CreateTableBuilder, Kysely } from 'kysely';

export type Dialect = 'sqlite' | 'postgres';

/** Migrations work on the schema; the only typed table is the version record itself. */
export type SchemaDb = Kysely<{ schema_migrations: { version: number; name: string; applied_at: string } }>;

/** One numbered, forward-only schema change. Versions are dense and never reused. */
export interface Migration {
  version: number;
  name: string;
  up(db: SchemaDb, dialect: Dialect): Promise<void>;
}

/** Adds an auto-increment integer primary key named `id`, in each dialect's idiom. */
export function withId<T extends string>(tb: CreateTableBuilder<T, never>, dialect: Dialect): CreateTableBuilder<T, 'id'> {
  return dialect === 'sqlite'
    ? tb.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    : tb.addColumn('id', 'integer', (c) => c.primaryKey().generatedByDefaultAsIdentity());
}
