import type { Insertable, Kysely, Selectable, Transaction, Updateable } from 'kysely';
import type { MainDatabase, StacksTable, StackVersionsTable } from '../../db/schema.ts';
import type { Visibility } from '../access/access.service.ts';

type Db = Kysely<MainDatabase> | Transaction<MainDatabase>;
export type StackRow = Selectable<StacksTable>;
export type VersionRow = Selectable<StackVersionsTable>;

/** The outcome columns of a version: the only ones written after it was inserted. */
export type VersionOutcomeChanges = Pick<Updateable<StackVersionsTable>, 'status' | 'reason' | 'imageDigests' | 'plan' | 'finishedAt'>;

/** SQL for stacks and their versions. Versions are inserted whole; later only their outcome is set, once. */
export class StacksRepository {
  private readonly db: Kysely<MainDatabase>;

  constructor(db: Kysely<MainDatabase>) {
    this.db = db;
  }

  async environmentExists(id: number): Promise<boolean> {
    return (await this.db.selectFrom('environments').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
  }

  async insertStack(trx: Db, row: Insertable<StacksTable>): Promise<StackRow> {
    return trx.insertInto('stacks').values(row).returningAll().executeTakeFirstOrThrow();
  }

  async get(id: number, db: Db = this.db): Promise<StackRow | undefined> {
    return db.selectFrom('stacks').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async byProject(environmentId: number, projectName: string, db: Db = this.db): Promise<StackRow | undefined> {
    return db.selectFrom('stacks').selectAll().where('environmentId', '=', environmentId).where('projectName', '=', projectName).executeTakeFirst();
  }

  /**
   * The stack, its row locked until the transaction ends (PostgreSQL; SQLite runs one writer at a
   * time anyway): concurrent deploys of one stack number their versions one after the other.
   */
  async lock(trx: Transaction<MainDatabase>, id: number, at: string): Promise<StackRow | undefined> {
    return trx.updateTable('stacks').set({ updatedAt: at }).where('id', '=', id).returningAll().executeTakeFirst();
  }

  async update(trx: Db, id: number, changes: Updateable<StacksTable>): Promise<StackRow | undefined> {
    return trx.updateTable('stacks').set(changes).where('id', '=', id).returningAll().executeTakeFirst();
  }

  async delete(trx: Db, id: number): Promise<void> {
    await trx.deleteFrom('stacks').where('id', '=', id).execute();
  }

  /** A page of stacks (optionally of one environment), limited to `visible` (null: all). */
  async list(q: { environmentId?: number | undefined; limit: number; offset: number }, visible: Visibility | null): Promise<{ items: StackRow[]; total: number }> {
    if (visible && visible.environmentIds.length === 0 && visible.groupIds.length === 0) return { items: [], total: 0 };
    let base = this.db.selectFrom('stacks').innerJoin('environments', 'environments.id', 'stacks.environmentId');
    if (q.environmentId !== undefined) base = base.where('stacks.environmentId', '=', q.environmentId);
    if (visible) {
      base = base.where((eb) =>
        eb.or([
          ...(visible.environmentIds.length ? [eb('stacks.environmentId', 'in', visible.environmentIds)] : []),
          ...(visible.groupIds.length ? [eb('environments.groupId', 'in', visible.groupIds)] : []),
        ]),
      );
    }
    const total = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
    const items = await base.selectAll('stacks').orderBy('stacks.environmentId').orderBy('stacks.name').limit(q.limit).offset(q.offset).execute();
    return { items, total: Number(total?.n ?? 0) };
  }

  async nextVersionNumber(trx: Db, stackId: number): Promise<number> {
    const row = await trx
      .selectFrom('stackVersions')
      .select((eb) => eb.fn.max('number').as('n'))
      .where('stackId', '=', stackId)
      .executeTakeFirst();
    return Number(row?.n ?? 0) + 1;
  }

  async insertVersion(trx: Db, row: Insertable<StackVersionsTable>): Promise<VersionRow> {
    return trx.insertInto('stackVersions').values(row).returningAll().executeTakeFirstOrThrow();
  }

  async version(stackId: number, versionId: number, db: Db = this.db): Promise<VersionRow | undefined> {
    return db.selectFrom('stackVersions').selectAll().where('stackId', '=', stackId).where('id', '=', versionId).executeTakeFirst();
  }

  /** A stack's versions, newest first. */
  async versions(stackId: number): Promise<VersionRow[]> {
    return this.db.selectFrom('stackVersions').selectAll().where('stackId', '=', stackId).orderBy('number', 'desc').execute();
  }

  /** The newest version of each stack given. */
  async latestVersions(stackIds: readonly number[], db: Db = this.db): Promise<Map<number, VersionRow>> {
    if (stackIds.length === 0) return new Map();
    const rows = await db
      .selectFrom('stackVersions as v')
      .selectAll('v')
      .where('v.stackId', 'in', [...stackIds])
      .where((eb) =>
        eb(
          'v.number',
          '=',
          eb
            .selectFrom('stackVersions as w')
            .select((e) => e.fn.max('w.number').as('m'))
            .whereRef('w.stackId', '=', 'v.stackId'),
        ),
      )
      .execute();
    return new Map(rows.map((r) => [Number(r.stackId), r]));
  }

  async versionByCommand(trx: Db, commandId: string): Promise<VersionRow | undefined> {
    return trx.selectFrom('stackVersions').selectAll().where('commandId', '=', commandId).executeTakeFirst();
  }

  /** Versions of the stack still waiting for their command to be sent. */
  async queuedVersions(trx: Db, stackId: number): Promise<VersionRow[]> {
    return trx.selectFrom('stackVersions').selectAll().where('stackId', '=', stackId).where('status', '=', 'queued').where('commandId', 'is not', null).execute();
  }

  /** Links a version to its stack.deploy command, in the transaction that created both. */
  async attachCommand(trx: Db, id: number, commandId: string): Promise<VersionRow> {
    return trx.updateTable('stackVersions').set({ commandId }).where('id', '=', id).where('commandId', 'is', null).returningAll().executeTakeFirstOrThrow();
  }

  /** Writes a version's outcome while it is in one of `from`; undefined when it is not (already decided). */
  async setOutcome(trx: Db, id: number, from: readonly VersionRow['status'][], changes: VersionOutcomeChanges): Promise<VersionRow | undefined> {
    return trx.updateTable('stackVersions').set(changes).where('id', '=', id).where('status', 'in', [...from]).returningAll().executeTakeFirst();
  }

  async byRemoveCommand(trx: Db, commandId: string): Promise<StackRow | undefined> {
    return trx.selectFrom('stacks').selectAll().where('removeCommandId', '=', commandId).executeTakeFirst();
  }
}
