import type { Kysely, Transaction } from 'kysely';
import type { Team } from '@capstan/protocol';
import type { MainDatabase } from '../../db/schema.ts';

type Db = Kysely<MainDatabase> | Transaction<MainDatabase>;

/** Teams and their members. */
export class TeamsRepository {
  private readonly db: Kysely<MainDatabase>;

  constructor(db: Kysely<MainDatabase>) {
    this.db = db;
  }

  async nameTaken(name: string, exceptId?: number): Promise<boolean> {
    let q = this.db.selectFrom('teams').select('id').where('nameKey', '=', name.toLowerCase());
    if (exceptId !== undefined) q = q.where('id', '!=', exceptId);
    return (await q.executeTakeFirst()) !== undefined;
  }

  async get(id: number, db: Db = this.db): Promise<Team | undefined> {
    const row = await db.selectFrom('teams').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    const members = await db.selectFrom('teamMembers').select('userId').where('teamId', '=', id).orderBy('userId').execute();
    return { id: Number(row.id), name: row.name, createdAt: row.createdAt, memberIds: members.map((m) => Number(m.userId)) };
  }

  async list(limit: number, offset: number): Promise<{ items: Team[]; total: number }> {
    const rows = await this.db.selectFrom('teams').selectAll().orderBy('id').limit(limit).offset(offset).execute();
    const ids = rows.map((r) => Number(r.id));
    const members = ids.length
      ? await this.db.selectFrom('teamMembers').select(['teamId', 'userId']).where('teamId', 'in', ids).orderBy('userId').execute()
      : [];
    const count = await this.db.selectFrom('teams').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
    return {
      items: rows.map((r) => ({
        id: Number(r.id),
        name: r.name,
        createdAt: r.createdAt,
        memberIds: members.filter((m) => Number(m.teamId) === Number(r.id)).map((m) => Number(m.userId)),
      })),
      total: Number(count?.n ?? 0),
    };
  }

  async insert(trx: Db, name: string): Promise<number> {
    const row = await trx
      .insertInto('teams')
      .values({ name, nameKey: name.toLowerCase(), createdAt: new Date().toISOString() })
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(row.id);
  }

  async rename(trx: Db, id: number, name: string): Promise<void> {
    await trx.updateTable('teams').set({ name, nameKey: name.toLowerCase() }).where('id', '=', id).execute();
  }

  async delete(trx: Db, id: number): Promise<void> {
    await trx.deleteFrom('teams').where('id', '=', id).execute();
  }

  async addMembers(trx: Db, teamId: number, userIds: number[]): Promise<void> {
    if (userIds.length === 0) return;
    await trx
      .insertInto('teamMembers')
      .values(userIds.map((userId) => ({ teamId, userId })))
      .onConflict((oc) => oc.columns(['teamId', 'userId']).doNothing())
      .execute();
  }

  async removeMember(trx: Db, teamId: number, userId: number): Promise<boolean> {
    const r = await trx.deleteFrom('teamMembers').where('teamId', '=', teamId).where('userId', '=', userId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /** Which of `ids` are not users. */
  async missingUsers(ids: number[]): Promise<number[]> {
    if (ids.length === 0) return [];
    const found = new Set(
      (await this.db.selectFrom('users').select('id').where('id', 'in', ids).execute()).map((r) => Number(r.id)),
    );
    return ids.filter((id) => !found.has(id));
  }
}
