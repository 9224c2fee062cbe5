import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { SchemaTooNewError } from '../src/db/migrator.ts';
import { MAIN_MIGRATIONS } from '../src/db/migrations/main/index.ts';
import type { Migration } from '../src/db/migrations/types.ts';
import { openStore, type Store } from '../src/db/store.ts';
import { DIALECTS, freshPgDatabase } from './helpers/databases.ts';

// A future migration, as a newer release would ship it.
const addNotes: Migration = {
  version: MAIN_MIGRATIONS.length + 1,
  name: 'test-notes',
  async up(db) {
    await db.schema.createTable('notes').addColumn('id', 'integer', (c) => c.primaryKey()).addColumn('body', 'text').execute();
  },
};

describe.each(DIALECTS)('store (%s)', (dialect) => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function target(): Promise<{ dataDir: string; databaseUrl?: string }> {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'capstan-store-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    if (dialect === 'sqlite') return { dataDir };
    const pgDb = await freshPgDatabase();
    cleanups.push(() => pgDb.drop());
    return { dataDir, databaseUrl: pgDb.url };
  }

  async function open(t: { dataDir: string; databaseUrl?: string }, mainMigrations?: readonly Migration[]): Promise<Store> {
    const store = await openStore({ ...t, ...(mainMigrations ? { mainMigrations } : {}) });
    cleanups.push(() => store.close());
    return store;
  }

  async function addUser(store: Store, name: string): Promise<void> {
    const now = new Date().toISOString();
    await store.db
      .insertInto('users')
      .values({ username: name, usernameKey: name, passwordHash: 'x', isAdmin: 0, disabled: 0, failedLogins: 0, lockedUntil: null, createdAt: now, updatedAt: now })
      .execute();
  }

  it('migrates a fresh database and records the schema version of both databases', async () => {
    const t = await target();
    const store = await open(t);
    expect(store.dialect).toBe(dialect);
    expect(store.migrations.main).toEqual({ from: 0, to: MAIN_MIGRATIONS.length, applied: MAIN_MIGRATIONS.map((m) => m.version), backup: null });
    expect(store.migrations.audit.to).toBe(1);
    await addUser(store, 'kept');
    await store.close();
    cleanups.pop();
    const again = await open(t);
    expect(again.migrations.main.applied).toEqual([]);
    const users = await again.db.selectFrom('users').select('username').execute();
    expect(users.map((u) => u.username)).toEqual(['kept']);
  });

  it('keeps the audit log in its own database', async () => {
    const t = await target();
    const store = await open(t);
    if (dialect === 'sqlite') {
      expect(existsSync(path.join(t.dataDir, 'audit.db'))).toBe(true);
      const main = new Database(path.join(t.dataDir, 'capstan.db'), { readonly: true });
      const tables = main.prepare("select name from sqlite_master where type='table'").all() as Array<{ name: string }>;
      main.close();
      expect(tables.map((x) => x.name)).not.toContain('audit_log');
    } else {
      const r = await sql<{ schema: string }>`select table_schema as schema from information_schema.tables where table_name = 'audit_log'`.execute(store.db);
      expect(r.rows.map((x) => x.schema)).toEqual(['audit']);
    }
  });

  it('copies the database before migrating it, and refuses a schema newer than it knows', async () => {
    const t = await target();
    const v1 = await open(t);
    await addUser(v1, 'before-upgrade');
    await v1.close();
    cleanups.pop();

    const v2 = await open(t, [...MAIN_MIGRATIONS, addNotes]);
    expect(v2.migrations.main.applied).toEqual([addNotes.version]);
    const backup = v2.migrations.main.backup;
    expect(backup).not.toBeNull();
    if (dialect === 'sqlite') {
      const copy = new Database(backup!, { readonly: true });
      const rows = copy.prepare('select username from users').all();
      const version = copy.prepare('select max(version) as v from schema_migrations').get() as { v: number };
      copy.close();
      expect(rows).toEqual([{ username: 'before-upgrade' }]);
      expect(version.v).toBe(MAIN_MIGRATIONS.length);
    } else {
      const schema = /schema (\S+)/.exec(backup!)?.[1];
      const rows = await sql<{ username: string }>`select username from ${sql.id(schema!, 'users')}`.execute(v2.db);
      expect(rows.rows).toEqual([{ username: 'before-upgrade' }]);
    }
    await v2.close();
    cleanups.pop();

    // The older binary must not touch what the newer one wrote.
    const err = await openStore(t).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SchemaTooNewError);
    expect(String((err as Error).message)).toMatch(
      new RegExp(`schema version ${MAIN_MIGRATIONS.length + 1}, but this Capstan only knows up to ${MAIN_MIGRATIONS.length}`),
    );
  });

  it('rolls a failed migration back entirely', async () => {
    const t = await target();
    const v1 = await open(t);
    await v1.close();
    cleanups.pop();
    const broken: Migration = {
      version: MAIN_MIGRATIONS.length + 1,
      name: 'broken',
      async up(db) {
        await db.schema.createTable('half_done').addColumn('id', 'integer').execute();
        throw new Error('boom');
      },
    };
    await expect(openStore({ ...t, mainMigrations: [...MAIN_MIGRATIONS, broken] })).rejects.toThrow('boom');
    const store = await open(t);
    expect(store.migrations.main.from).toBe(MAIN_MIGRATIONS.length);
    const tables = await store.db.introspection.getTables();
    expect(tables.map((x) => x.name)).not.toContain('half_done');
  });

  it('rolls a failed transaction back with its audit record', async () => {
    const t = await target();
    const store = await open(t);
    await expect(
      store.db.transaction().execute(async (trx) => {
        await trx.insertInto('auditOutbox').values({ id: 'r1', record: '{}', createdAt: new Date().toISOString() }).execute();
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await store.db.selectFrom('auditOutbox').selectAll().execute()).toEqual([]);
  });
});

describe('store on PostgreSQL', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('survives PostgreSQL terminating its connections', async () => {
    const pgDb = await freshPgDatabase();
    cleanups.push(() => pgDb.drop());
    const dataDir = mkdtempSync(path.join(tmpdir(), 'capstan-store-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const t = { dataDir, databaseUrl: pgDb.url };
    const errors: Error[] = [];
    const store = await openStore({ ...t, onConnectionError: (e) => errors.push(e) });
    cleanups.push(() => store.close());
    const addUser = (name: string) => {
      const now = new Date().toISOString();
      return store.db
        .insertInto('users')
        .values({ username: name, usernameKey: name, passwordHash: 'x', isAdmin: 0, disabled: 0, failedLogins: 0, lockedUntil: null, createdAt: now, updatedAt: now })
        .execute();
    };
    await addUser('before');
    const dbName = new URL(t.databaseUrl).pathname.slice(1);
    const { default: pg } = await import('pg');
    const admin = new pg.Client({ connectionString: t.databaseUrl });
    await admin.connect();
    const killed = await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [dbName]);
    await admin.end();
    expect(killed.rowCount).toBeGreaterThan(0);
    // Every killed backend was an idle pool client; each reports its error on its own schedule,
    // so wait for all of them before expecting the pools to hand out only live connections.
    const killedCount = killed.rowCount ?? 0;
    for (let i = 0; i < 250 && errors.length < killedCount; i++) await new Promise((r) => setTimeout(r, 20));
    expect(errors.length).toBe(killedCount);
    await addUser('after');
    const names = (await store.db.selectFrom('users').select('username').orderBy('id').execute()).map((u) => u.username);
    expect(names).toEqual(['before', 'after']);
  });
});
