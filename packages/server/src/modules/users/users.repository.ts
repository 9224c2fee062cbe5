import type { Kysely, Selectable, Transaction } from 'kysely';
import type { User, UserListQuery } from '@capstan/protocol';
import { likeLiteral, likeMatch } from '../../db/like.ts';
import type { MainDatabase, UsersTable } from '../../db/schema.ts';

export type UserRow = Selectable<UsersTable>;
type Db = Kysely<MainDatabase> | Transaction<MainDatabase>;

/** The API shape of a user row (never the hash). */
export function presentUser(row: UserRow): User {
  return {
    id: Number(row.id),
    username: row.username,
    isAdmin: row.isAdmin === 1,
    disabled: row.disabled === 1,
    lockedUntil: row.lockedUntil && Date.parse(row.lockedUntil) > Date.now() ? row.lockedUntil : null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** Users table access. */
export class UsersRepository {
  private readonly db: Kysely<MainDatabase>;

  constructor(db: Kysely<MainDatabase>) {
    this.db = db;
  }

  findById(id: number, db: Db = this.db): Promise<UserRow | undefined> {
    return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  findByUsername(username: string): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('usernameKey', '=', username.toLowerCase()).executeTakeFirst();
  }

  async usernameTaken(username: string, db: Db = this.db): Promise<boolean> {
    const row = await db.selectFrom('users').select('id').where('usernameKey', '=', username.toLowerCase()).executeTakeFirst();
    return row !== undefined;
  }

  async insert(trx: Db, u: { username: string; passwordHash: string; isAdmin: boolean }): Promise<UserRow> {
    const now = new Date().toISOString();
    return trx
      .insertInto('users')
      .values({
        username: u.username,
        usernameKey: u.username.toLowerCase(),
        passwordHash: u.passwordHash,
        isAdmin: u.isAdmin ? 1 : 0,
        disabled: 0,
        failedLogins: 0,
        lockedUntil: null,
        createdAt: now,
        updatedAt: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async update(trx: Db, id: number, patch: Partial<Pick<UserRow, 'isAdmin' | 'disabled' | 'passwordHash' | 'failedLogins' | 'lockedUntil'>>): Promise<void> {
    await trx
      .updateTable('users')
      .set({ ...patch, updatedAt: new Date().toISOString() })
      .where('id', '=', id)
      .execute();
  }

  async delete(trx: Db, id: number): Promise<void> {
    await trx.deleteFrom('users').where('id', '=', id).execute();
  }

  async countActiveAdmins(db: Db = this.db): Promise<number> {
    const row = await db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('isAdmin', '=', 1)
      .where('disabled', '=', 0)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async anyAdmin(): Promise<boolean> {
    const row = await this.db.selectFrom('users').select('id').where('isAdmin', '=', 1).limit(1).executeTakeFirst();
    return row !== undefined;
  }

  /** Counts a failed login; locks the account once `max` failures in a row are reached. */
  async recordFailedLogin(id: number, max: number, lockMs: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('users').select('failedLogins').where('id', '=', id).executeTakeFirst();
      const count = Number(row?.failedLogins ?? 0) + 1;
      const lock = count >= max;
      await trx
        .updateTable('users')
        .set({
          failedLogins: lock ? 0 : count,
          ...(lock ? { lockedUntil: new Date(Date.now() + lockMs).toISOString() } : {}),
        })
        .where('id', '=', id)
        .execute();
    });
  }

  async list(q: UserListQuery): Promise<{ items: UserRow[]; total: number }> {
    let base = this.db.selectFrom('users');
    if (q.search) base = base.where(likeMatch('usernameKey', `%${likeLiteral(q.search.toLowerCase())}%`));
    const [items, count] = await Promise.all([
      base.selectAll().orderBy('id').limit(q.limit).offset(q.offset).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
    ]);
    return { items, total: Number(count?.n ?? 0) };
  }
}
