// Group join tokens (one token onboards many hosts of a fleet) and the environments they create.
import type { Kysely, Selectable, Transaction } from 'kysely';
import { likeLiteral, likeMatch } from '../../db/like.ts';
import type { GroupJoinTokensTable, MainDatabase } from '../../db/schema.ts';

type Db = Kysely<MainDatabase> | Transaction<MainDatabase>;

export type GroupJoinTokenRow = Selectable<GroupJoinTokensTable>;

/** Group join tokens, stored as hashes only. */
export class GroupJoinRepository {
  private readonly db: Kysely<MainDatabase>;

  constructor(db: Kysely<MainDatabase>) {
    this.db = db;
  }

  /** Whether the group exists. */
  async groupExists(id: number): Promise<boolean> {
    return (await this.db.selectFrom('environmentGroups').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
  }

  /** Stores a new token hash for the group; returns its id. */
  async insert(trx: Db, t: { groupId: number; tokenHash: string; expiresAt: string; maxUses: number | null; createdBy: number | null }): Promise<number> {
    const row = await trx
      .insertInto('groupJoinTokens')
      .values({ ...t, revokedAt: null, createdAt: new Date().toISOString() })
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(row.id);
  }

  /** The token with this hash, if any. */
  async find(trx: Db, tokenHash: string): Promise<GroupJoinTokenRow | undefined> {
    return trx.selectFrom('groupJoinTokens').selectAll().where('tokenHash', '=', tokenHash).executeTakeFirst();
  }

  /** Counts one use; false when the token ran out meanwhile (another host took the last use). */
  async use(trx: Db, row: GroupJoinTokenRow): Promise<boolean> {
    let q = trx
      .updateTable('groupJoinTokens')
      .set((eb) => ({ uses: eb('uses', '+', 1) }))
      .where('id', '=', row.id);
    if (row.maxUses !== null) q = q.where('uses', '<', row.maxUses);
    const r = await q.executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /**
   * Creates the environment a group enrolment joins: named after the host, with `-2`, `-3`, … when
   * that name is taken, so re-imaged hosts and duplicates never collide.
   */
  async createEnvironment(trx: Db, groupId: number, hostname: string, mode: 'standard' | 'async' = 'standard'): Promise<{ id: number; name: string }> {
    const base = hostname.slice(0, 90);
    const taken = await trx
      .selectFrom('environments')
      .select('nameKey')
      .where((eb) => eb.or([eb('nameKey', '=', base.toLowerCase()), likeMatch('nameKey', `${likeLiteral(base.toLowerCase())}-%`)]))
      .execute();
    const used = new Set(taken.map((r) => r.nameKey));
    let name = base;
    for (let n = 2; used.has(name.toLowerCase()); n++) name = `${base}-${n}`;
    const now = new Date().toISOString();
    const row = await trx
      .insertInto('environments')
      .values({ name, nameKey: name.toLowerCase(), groupId, mode, status: 'pending', createdAt: now, updatedAt: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { id: Number(row.id), name };
  }
}
