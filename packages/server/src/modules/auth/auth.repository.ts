import type { Kysely, Transaction } from 'kysely';
import type { MainDatabase } from '../../db/schema.ts';

type Db = Kysely<MainDatabase> | Transaction<MainDatabase>;

/** What authentication needs to know about a session or key and its user, in one read. */
export interface CredentialRow {
  userId: number;
  username: string;
  isAdmin: number;
  disabled: number;
  expiresAt: string | null;
  revokedAt?: string | null;
  readOnly?: number;
  keyId?: number;
}

/** Sessions and settings storage for authentication. */
export class AuthRepository {
  private readonly db: Kysely<MainDatabase>;

  constructor(db: Kysely<MainDatabase>) {
    this.db = db;
  }

  /** Reads a setting, creating it with `make()` on first use; concurrent creators agree on one value. */
  async setting(key: string, make: () => string): Promise<string> {
    await this.db
      .insertInto('settings')
      .values({ key, value: make() })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    const row = await this.db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirstOrThrow();
    return row.value;
  }

  async createSession(
    trx: Db,
    s: { id: string; userId: number; expiresAt: string; sourceIp: string; userAgent: string },
  ): Promise<void> {
    await trx
      .insertInto('sessions')
      .values({ ...s, createdAt: new Date().toISOString(), revokedAt: null })
      .execute();
  }

  session(id: string): Promise<CredentialRow | undefined> {
    return this.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.userId')
      .select([
        'sessions.userId',
        'users.username',
        'users.isAdmin',
        'users.disabled',
        'sessions.expiresAt',
        'sessions.revokedAt',
      ])
      .where('sessions.id', '=', id)
      .executeTakeFirst();
  }

  async revokeSession(trx: Db, id: string): Promise<void> {
    await trx.updateTable('sessions').set({ revokedAt: new Date().toISOString() }).where('id', '=', id).execute();
  }

  /** Revokes every live session of a user (password change, disable). */
  async revokeUserSessions(trx: Db, userId: number): Promise<void> {
    await trx
      .updateTable('sessions')
      .set({ revokedAt: new Date().toISOString() })
      .where('userId', '=', userId)
      .where('revokedAt', 'is', null)
      .execute();
  }

  apiKeyByHash(keyHash: string): Promise<CredentialRow | undefined> {
    return this.db
      .selectFrom('apiKeys')
      .innerJoin('users', 'users.id', 'apiKeys.userId')
      .select([
        'apiKeys.id as keyId',
        'apiKeys.userId',
        'users.username',
        'users.isAdmin',
        'users.disabled',
        'apiKeys.expiresAt',
        'apiKeys.readOnly',
      ])
      .where('apiKeys.keyHash', '=', keyHash)
      .executeTakeFirst();
  }

  async touchApiKey(id: number): Promise<void> {
    await this.db.updateTable('apiKeys').set({ lastUsedAt: new Date().toISOString() }).where('id', '=', id).execute();
  }

  /** Drops sessions that ended more than a day ago. */
  async pruneSessions(): Promise<void> {
    const cutoff = new Date(Date.now() - 86_400_000).toISOString();
    await this.db.deleteFrom('sessions').where('expiresAt', '<', cutoff).execute();
  }
}
