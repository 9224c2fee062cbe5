import type { Generated, Insertable, Kysely, Selectable, Transaction, Updateable } from 'kysely';
import type { MainDatabase } from '../../db/schema.ts';

/** Table git_sources (migration 009); typed here so the feature stays in its own folder. */
export interface GitSourcesTable {
  id: Generated<number>;
  stackId: number;
  url: string;
  ref: string;
  composePath: string;
  /** JSON string[]. */
  extraPaths: string;
  authKind: 'none' | 'token' | 'ssh';
  authUsername: string | null;
  /** SecretBox text (context `git-source:<stackId>:auth`): the token or the private key. */
  authSecret: string | null;
  pollIntervalSeconds: number;
  /** SecretBox text (context `git-source:<stackId>:webhook`); null: no webhook. */
  webhookSecret: string | null;
  actorId: number | null;
  lastFetchAt: string | null;
  lastSeenCommit: string | null;
  lastSeenAt: string | null;
  lastDeployedCommit: string | null;
  lastDeployedAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
  consecutiveFailures: number;
  createdBy: number | null;
  createdAt: string;
  updatedAt: string;
}

type GitDatabase = MainDatabase & { gitSources: GitSourcesTable };
type Db = Kysely<MainDatabase> | Transaction<MainDatabase>;
export type GitSourceRow = Selectable<GitSourcesTable>;
export type GitSourceChanges = Updateable<GitSourcesTable>;

/** The stack facts a Git source needs (which environment authorizes it, whether it is being removed). */
export interface StackRef {
  id: number;
  environmentId: number;
  state: string;
}

/** The account automatic redeploys act as. */
export interface ActorRow {
  id: number;
  username: string;
  isAdmin: boolean;
  disabled: boolean;
}

const git = (db: Db): Kysely<GitDatabase> => db.withTables<{ gitSources: GitSourcesTable }>();

/** SQL for git_sources, plus the few reads of stacks and users the feature needs. */
export class GitSourcesRepository {
  readonly #db: Kysely<MainDatabase>;

  constructor(db: Kysely<MainDatabase>) {
    this.#db = db;
  }

  async get(id: number, db: Db = this.#db): Promise<GitSourceRow | undefined> {
    return git(db).selectFrom('gitSources').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async byStack(stackId: number, db: Db = this.#db): Promise<GitSourceRow | undefined> {
    return git(db).selectFrom('gitSources').selectAll().where('stackId', '=', stackId).executeTakeFirst();
  }

  /** Every source that polls (interval > 0), for the poller at start. */
  async polled(): Promise<GitSourceRow[]> {
    return git(this.#db).selectFrom('gitSources').selectAll().where('pollIntervalSeconds', '>', 0).orderBy('id').execute();
  }

  async insert(trx: Db, row: Insertable<GitSourcesTable>): Promise<GitSourceRow> {
    return git(trx).insertInto('gitSources').values(row).returningAll().executeTakeFirstOrThrow();
  }

  async update(id: number, changes: GitSourceChanges, db: Db = this.#db): Promise<GitSourceRow | undefined> {
    return git(db).updateTable('gitSources').set(changes).where('id', '=', id).returningAll().executeTakeFirst();
  }

  /** Records a failed fetch or redeploy: the message, when, and one more consecutive failure. */
  async recordFailure(id: number, message: string, at: string): Promise<void> {
    await git(this.#db)
      .updateTable('gitSources')
      .set((eb) => ({ lastError: message.slice(0, 2000), lastErrorAt: at, consecutiveFailures: eb('consecutiveFailures', '+', 1) }))
      .where('id', '=', id)
      .execute();
  }

  /** Marks where the stack's content comes from: 'git' while a source is attached, 'editor' after. */
  async setStackSource(trx: Db, stackId: number, source: 'git' | 'editor'): Promise<void> {
    await trx.updateTable('stacks').set({ source }).where('id', '=', stackId).execute();
  }

  async delete(trx: Db, id: number): Promise<void> {
    await git(trx).deleteFrom('gitSources').where('id', '=', id).execute();
  }

  async stack(id: number): Promise<StackRef | undefined> {
    const row = await this.#db.selectFrom('stacks').select(['id', 'environmentId', 'state']).where('id', '=', id).executeTakeFirst();
    return row ? { id: Number(row.id), environmentId: Number(row.environmentId), state: row.state } : undefined;
  }

  async actor(userId: number): Promise<ActorRow | undefined> {
    const row = await this.#db.selectFrom('users').select(['id', 'username', 'isAdmin', 'disabled']).where('id', '=', userId).executeTakeFirst();
    return row ? { id: Number(row.id), username: row.username, isAdmin: Number(row.isAdmin) === 1, disabled: Number(row.disabled) === 1 } : undefined;
  }
}
