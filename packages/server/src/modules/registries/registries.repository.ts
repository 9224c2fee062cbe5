import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Registry } from '@capstan/protocol';
import type { MainDatabase, RegistriesTable } from '../../db/schema.ts';

type Db = Kysely<MainDatabase> | Transaction<MainDatabase>;

/** A registry row with its scope lists: what the service needs, sealed password included. */
export interface StoredRegistry {
  id: number;
  name: string;
  host: string;
  username: string;
  passwordSealed: string;
  insecure: boolean;
  /** null: every environment. */
  scope: { environmentIds: number[]; groupIds: number[] } | null;
  createdAt: string;
  updatedAt: string;
}

/** The API shape: everything but the password. */
export function presentRegistry(r: StoredRegistry): Registry {
  const { passwordSealed: _sealed, ...rest } = r;
  return rest;
}

/** Registry definitions and the environments and groups they are restricted to. */
export class RegistriesRepository {
  private readonly db: Kysely<MainDatabase>;

  constructor(db: Kysely<MainDatabase>) {
    this.db = db;
  }

  /** Rows with their scopes; `filter` narrows the registries (all when absent). */
  private async load(db: Db, filter?: { id?: number; hosts?: readonly string[] }): Promise<StoredRegistry[]> {
    let q = db.selectFrom('registries').selectAll().orderBy('id');
    if (filter?.id !== undefined) q = q.where('id', '=', filter.id);
    if (filter?.hosts) {
      if (filter.hosts.length === 0) return [];
      q = q.where('host', 'in', filter.hosts);
    }
    const rows = await q.execute();
    if (rows.length === 0) return [];
    const ids = rows.map((r) => Number(r.id));
    const envs = await db.selectFrom('registryEnvironments').selectAll().where('registryId', 'in', ids).orderBy('environmentId').execute();
    const groups = await db.selectFrom('registryGroups').selectAll().where('registryId', 'in', ids).orderBy('groupId').execute();
    return rows.map((row) => toStored(row, envs, groups));
  }

  /** Every registry, in id order. */
  list(): Promise<StoredRegistry[]> {
    return this.load(this.db);
  }

  /** One registry, or undefined. */
  async get(id: number, db: Db = this.db): Promise<StoredRegistry | undefined> {
    return (await this.load(db, { id }))[0];
  }

  /** The registries whose host is one of `hosts`. */
  byHosts(hosts: readonly string[]): Promise<StoredRegistry[]> {
    return this.load(this.db, { hosts });
  }

  /** What already uses this name or host (another registry than `exceptId`). */
  async clash(name: string | undefined, host: string | undefined, exceptId?: number): Promise<{ name: boolean; host: boolean }> {
    const taken = async (column: 'nameKey' | 'host', value: string | undefined): Promise<boolean> => {
      if (value === undefined) return false;
      let q = this.db.selectFrom('registries').select('id').where(column, '=', value);
      if (exceptId !== undefined) q = q.where('id', '!=', exceptId);
      return (await q.executeTakeFirst()) !== undefined;
    };
    return { name: await taken('nameKey', name?.toLowerCase()), host: await taken('host', host) };
  }

  /** Ids among `ids` with no environment (or group) row. */
  async missing(table: 'environments' | 'environmentGroups', ids: readonly number[]): Promise<number[]> {
    if (ids.length === 0) return [];
    const found = await this.db.selectFrom(table).select('id').where('id', 'in', ids).execute();
    const have = new Set(found.map((r) => Number(r.id)));
    return ids.filter((id) => !have.has(id));
  }

  /** The group of an environment (null: none); undefined when the environment does not exist. */
  async environmentGroup(environmentId: number): Promise<number | null | undefined> {
    const row = await this.db.selectFrom('environments').select('groupId').where('id', '=', environmentId).executeTakeFirst();
    return row ? (row.groupId === null ? null : Number(row.groupId)) : undefined;
  }

  /** Inserts a registry with a placeholder password (its sealing context needs the id); answers the id. */
  async insert(trx: Db, r: { name: string; host: string; username: string; insecure: boolean; restricted: boolean; createdBy: number }): Promise<number> {
    const at = new Date().toISOString();
    const row = await trx
      .insertInto('registries')
      .values({
        name: r.name,
        nameKey: r.name.toLowerCase(),
        host: r.host,
        username: r.username,
        passwordSealed: '',
        insecure: r.insecure ? 1 : 0,
        restricted: r.restricted ? 1 : 0,
        createdBy: r.createdBy,
        createdAt: at,
        updatedAt: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(row.id);
  }

  /** Changes the given fields and bumps updatedAt. */
  async update(
    trx: Db,
    id: number,
    patch: { name?: string; host?: string; username?: string; passwordSealed?: string; insecure?: boolean; restricted?: boolean },
  ): Promise<void> {
    const { insecure, restricted, ...rest } = patch;
    await trx
      .updateTable('registries')
      .set({
        ...rest,
        ...(patch.name !== undefined ? { nameKey: patch.name.toLowerCase() } : {}),
        ...(insecure !== undefined ? { insecure: insecure ? 1 : 0 } : {}),
        ...(restricted !== undefined ? { restricted: restricted ? 1 : 0 } : {}),
        updatedAt: new Date().toISOString(),
      })
      .where('id', '=', id)
      .execute();
  }

  /** Replaces the scope lists. */
  async setScope(trx: Db, id: number, scope: { environmentIds: readonly number[]; groupIds: readonly number[] }): Promise<void> {
    await trx.deleteFrom('registryEnvironments').where('registryId', '=', id).execute();
    await trx.deleteFrom('registryGroups').where('registryId', '=', id).execute();
    if (scope.environmentIds.length > 0) {
      await trx.insertInto('registryEnvironments').values(scope.environmentIds.map((environmentId) => ({ registryId: id, environmentId }))).execute();
    }
    if (scope.groupIds.length > 0) {
      await trx.insertInto('registryGroups').values(scope.groupIds.map((groupId) => ({ registryId: id, groupId }))).execute();
    }
  }

  /** Deletes a registry (its scope rows go with it). */
  async delete(trx: Db, id: number): Promise<void> {
    await trx.deleteFrom('registryEnvironments').where('registryId', '=', id).execute();
    await trx.deleteFrom('registryGroups').where('registryId', '=', id).execute();
    await trx.deleteFrom('registries').where('id', '=', id).execute();
  }
}

function toStored(
  row: Selectable<RegistriesTable>,
  envs: ReadonlyArray<{ registryId: number; environmentId: number }>,
  groups: ReadonlyArray<{ registryId: number; groupId: number }>,
): StoredRegistry {
  const id = Number(row.id);
  return {
    id,
    name: row.name,
    host: row.host,
    username: row.username,
    passwordSealed: row.passwordSealed,
    insecure: row.insecure === 1,
    scope:
      row.restricted === 1
        ? {
            environmentIds: envs.filter((e) => Number(e.registryId) === id).map((e) => Number(e.environmentId)),
            groupIds: groups.filter((g) => Number(g.registryId) === id).map((g) => Number(g.groupId)),
          }
        : null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
