import type { Kysely, Transaction } from 'kysely';
import type { EnvironmentGroup, Tag } from '@capstan/protocol';
import type { MainDatabase } from '../../db/schema.ts';

type Db = Kysely<MainDatabase> | Transaction<MainDatabase>;

/** Environment groups and tags: the two ways environments are organised. */
export class GroupsRepository {
  private readonly db: Kysely<MainDatabase>;

  constructor(db: Kysely<MainDatabase>) {
    this.db = db;
  }

  private groupsQuery(db: Db) {
    return db
      .selectFrom('environmentGroups as g')
      .select((eb) => [
        'g.id',
        'g.name',
        'g.description',
        'g.createdAt',
        eb
          .selectFrom('environments as e')
          .select((e) => e.fn.countAll<number>().as('n'))
          .whereRef('e.groupId', '=', 'g.id')
          .as('environmentCount'),
      ]);
  }

  async listGroups(): Promise<EnvironmentGroup[]> {
    const rows = await this.groupsQuery(this.db).orderBy('g.id').execute();
    return rows.map((r) => ({ ...r, id: Number(r.id), environmentCount: Number(r.environmentCount ?? 0) }));
  }

  async getGroup(id: number, db: Db = this.db): Promise<EnvironmentGroup | undefined> {
    const r = await this.groupsQuery(db).where('g.id', '=', id).executeTakeFirst();
    return r ? { ...r, id: Number(r.id), environmentCount: Number(r.environmentCount ?? 0) } : undefined;
  }

  async groupNameTaken(name: string, exceptId?: number): Promise<boolean> {
    let q = this.db.selectFrom('environmentGroups').select('id').where('nameKey', '=', name.toLowerCase());
    if (exceptId !== undefined) q = q.where('id', '!=', exceptId);
    return (await q.executeTakeFirst()) !== undefined;
  }

  async insertGroup(trx: Db, name: string, description: string): Promise<number> {
    const row = await trx
      .insertInto('environmentGroups')
      .values({ name, nameKey: name.toLowerCase(), description, createdAt: new Date().toISOString() })
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(row.id);
  }

  async updateGroup(trx: Db, id: number, patch: { name?: string; description?: string }): Promise<void> {
    await trx
      .updateTable('environmentGroups')
      .set({ ...patch, ...(patch.name !== undefined ? { nameKey: patch.name.toLowerCase() } : {}) })
      .where('id', '=', id)
      .execute();
  }

  /** Deletes a group; its environments become ungrouped. Returns their ids. */
  async deleteGroup(trx: Db, id: number): Promise<number[]> {
    const envs = await trx.selectFrom('environments').select('id').where('groupId', '=', id).execute();
    await trx.updateTable('environments').set({ groupId: null }).where('groupId', '=', id).execute();
    await trx.deleteFrom('environmentGroups').where('id', '=', id).execute();
    return envs.map((e) => Number(e.id));
  }

  async listTags(): Promise<Tag[]> {
    const rows = await this.db.selectFrom('tags').select(['id', 'name']).orderBy('name').execute();
    return rows.map((r) => ({ id: Number(r.id), name: r.name }));
  }

  async getTag(id: number): Promise<Tag | undefined> {
    const r = await this.db.selectFrom('tags').select(['id', 'name']).where('id', '=', id).executeTakeFirst();
    return r ? { id: Number(r.id), name: r.name } : undefined;
  }

  async tagNameTaken(name: string): Promise<boolean> {
    return (await this.db.selectFrom('tags').select('id').where('nameKey', '=', name.toLowerCase()).executeTakeFirst()) !== undefined;
  }

  async insertTag(trx: Db, name: string): Promise<Tag> {
    const row = await trx.insertInto('tags').values({ name, nameKey: name.toLowerCase() }).returning(['id', 'name']).executeTakeFirstOrThrow();
    return { id: Number(row.id), name: row.name };
  }

  async deleteTag(trx: Db, id: number): Promise<void> {
    await trx.deleteFrom('tags').where('id', '=', id).execute();
  }
}
