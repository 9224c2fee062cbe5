import type { Kysely, Selectable, Transaction } from 'kysely';
import type { ApiKey } from '@capstan/protocol';
import type { ApiKeysTable, MainDatabase } from '../../db/schema.ts';

type Db = Kysely<MainDatabase> | Transaction<MainDatabase>;

function present(row: Selectable<ApiKeysTable>): ApiKey {
  return {
    id: Number(row.id),
    userId: Number(row.userId),
    name: row.name,
    prefix: row.prefix,
    readOnly: row.readOnly === 1,
    expiresAt: row.expiresAt,
    lastUsedAt: row.lastUsedAt,
    createdAt: row.createdAt,
  };
}

/** API keys; only hashes are stored. */
export class ApiKeysRepository {
  private readonly db: Kysely<MainDatabase>;

  constructor(db: Kysely<MainDatabase>) {
    this.db = db;
  }

  async listForUser(userId: number): Promise<ApiKey[]> {
    const rows = await this.db.selectFrom('apiKeys').selectAll().where('userId', '=', userId).orderBy('id').execute();
    return rows.map(present);
  }

  async get(id: number): Promise<ApiKey | undefined> {
    const row = await this.db.selectFrom('apiKeys').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? present(row) : undefined;
  }

  async insert(
    trx: Db,
    k: { userId: number; name: string; prefix: string; keyHash: string; readOnly: boolean; expiresAt: string | null },
  ): Promise<ApiKey> {
    const row = await trx
      .insertInto('apiKeys')
      .values({ ...k, readOnly: k.readOnly ? 1 : 0, lastUsedAt: null, createdAt: new Date().toISOString() })
      .returningAll()
      .executeTakeFirstOrThrow();
    return present(row);
  }

  async delete(trx: Db, id: number): Promise<void> {
    await trx.deleteFrom('apiKeys').where('id', '=', id).execute();
  }
}
