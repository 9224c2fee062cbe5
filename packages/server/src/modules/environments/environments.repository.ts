import type { ExpressionBuilder, Kysely, Selectable, Transaction } from 'kysely';
import type { Environment, EnvironmentListQuery, Tag } from '@capstan/protocol';
import { likeLiteral, likeMatch } from '../../db/like.ts';
import type { EnvironmentsTable, MainDatabase } from '../../db/schema.ts';
import type { Visibility } from '../access/access.service.ts';
import { UNFINISHED } from '../commands/commands.repository.ts';

type Db = Kysely<MainDatabase> | Transaction<MainDatabase>;

/** An environment row with its unfinished command count (a subquery of the same select). */
type EnvironmentRow = Selectable<EnvironmentsTable> & { queueLength: number | string | bigint | null };

/** The environment's unfinished commands (queued, sent or accepted), as a subquery of the environment select. */
function queueLength(eb: ExpressionBuilder<MainDatabase, 'environments'>) {
  return eb
    .selectFrom('commands')
    .select((c) => c.fn.countAll().as('n'))
    .whereRef('commands.environmentId', '=', 'environments.id')
    .where('commands.status', 'in', UNFINISHED)
    .as('queueLength');
}

/** Environments with their tags. */
export class EnvironmentsRepository {
  private readonly db: Kysely<MainDatabase>;

  constructor(db: Kysely<MainDatabase>) {
    this.db = db;
  }

  private async withTags(rows: EnvironmentRow[], db: Db = this.db): Promise<Environment[]> {
    const ids = rows.map((r) => Number(r.id));
    const tags = ids.length
      ? await db
          .selectFrom('environmentTags')
          .innerJoin('tags', 'tags.id', 'environmentTags.tagId')
          .select(['environmentTags.environmentId', 'tags.id', 'tags.name'])
          .where('environmentTags.environmentId', 'in', ids)
          .orderBy('tags.name')
          .execute()
      : [];
    const byEnv = new Map<number, Tag[]>();
    for (const t of tags) {
      const list = byEnv.get(Number(t.environmentId)) ?? [];
      list.push({ id: Number(t.id), name: t.name });
      byEnv.set(Number(t.environmentId), list);
    }
    // Counts and age of each environment's latest snapshot (snapshots module), without its JSON.
    const counts = ids.length
      ? await db
          .selectFrom('environmentSnapshots')
          .select(['environmentId', 'takenAt', 'containersTotal', 'containersRunning', 'containersStopped', 'containersUnhealthy'])
          .where('environmentId', 'in', ids)
          .execute()
      : [];
    const containers = new Map(
      counts.map((c) => [
        Number(c.environmentId),
        { total: Number(c.containersTotal), running: Number(c.containersRunning), stopped: Number(c.containersStopped), unhealthy: Number(c.containersUnhealthy) },
      ]),
    );
    const takenAt = new Map(counts.map((c) => [Number(c.environmentId), c.takenAt]));
    return rows.map((r) => ({
      id: Number(r.id),
      name: r.name,
      groupId: r.groupId === null ? null : Number(r.groupId),
      tags: byEnv.get(Number(r.id)) ?? [],
      mode: r.mode,
      status: r.status,
      lastSeenAt: r.lastSeenAt,
      agentVersion: r.agentVersion,
      engineVersion: r.engineVersion,
      containers: containers.get(Number(r.id)) ?? null,
      stateAsOf: takenAt.get(Number(r.id)) ?? null,
      pollIntervalSeconds: Number(r.pollIntervalSeconds),
      lastPollAt: r.lastPollAt,
      nextPollAt: r.nextPollAt,
      queueLength: Number(r.queueLength ?? 0),
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
    }));
  }

  async get(id: number, db: Db = this.db): Promise<Environment | undefined> {
    const row = await db.selectFrom('environments').selectAll().select(queueLength).where('id', '=', id).executeTakeFirst();
    return row ? (await this.withTags([row], db))[0] : undefined;
  }

  /** A page of environments matching the filter, limited to `visible` (null: all). */
  async list(q: EnvironmentListQuery, visible: Visibility | null): Promise<{ items: Environment[]; total: number }> {
    if (visible && visible.environmentIds.length === 0 && visible.groupIds.length === 0) return { items: [], total: 0 };
    let base = this.db.selectFrom('environments');
    if (visible) {
      base = base.where((eb) =>
        eb.or([
          ...(visible.environmentIds.length ? [eb('id', 'in', visible.environmentIds)] : []),
          ...(visible.groupIds.length ? [eb('groupId', 'in', visible.groupIds)] : []),
        ]),
      );
    }
    if (q.search) base = base.where(likeMatch('nameKey', `%${likeLiteral(q.search.toLowerCase())}%`));
    if (q.groupId !== undefined) base = base.where('groupId', '=', q.groupId);
    if (q.tagId !== undefined) {
      const tagId = q.tagId;
      base = base.where('id', 'in', (eb) => eb.selectFrom('environmentTags').select('environmentId').where('tagId', '=', tagId));
    }
    const [rows, count] = await Promise.all([
      base.selectAll().select(queueLength).orderBy('id').limit(q.limit).offset(q.offset).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
    ]);
    return { items: await this.withTags(rows), total: Number(count?.n ?? 0) };
  }

  async nameTaken(name: string, exceptId?: number): Promise<boolean> {
    let q = this.db.selectFrom('environments').select('id').where('nameKey', '=', name.toLowerCase());
    if (exceptId !== undefined) q = q.where('id', '!=', exceptId);
    return (await q.executeTakeFirst()) !== undefined;
  }

  async insert(trx: Db, e: { name: string; groupId: number | null; mode: 'standard' | 'async'; pollIntervalSeconds?: number }): Promise<number> {
    const now = new Date().toISOString();
    const row = await trx
      .insertInto('environments')
      .values({
        name: e.name,
        nameKey: e.name.toLowerCase(),
        groupId: e.groupId,
        mode: e.mode,
        ...(e.pollIntervalSeconds !== undefined ? { pollIntervalSeconds: e.pollIntervalSeconds } : {}),
        status: 'pending',
        createdAt: now,
        updatedAt: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(row.id);
  }

  async update(trx: Db, id: number, patch: { name?: string; groupId?: number | null; mode?: 'standard' | 'async'; pollIntervalSeconds?: number }): Promise<void> {
    await trx
      .updateTable('environments')
      .set({
        ...patch,
        ...(patch.name !== undefined ? { nameKey: patch.name.toLowerCase() } : {}),
        updatedAt: new Date().toISOString(),
      })
      .where('id', '=', id)
      .execute();
  }

  async setTags(trx: Db, id: number, tagIds: number[]): Promise<void> {
    await trx.deleteFrom('environmentTags').where('environmentId', '=', id).execute();
    if (tagIds.length > 0) {
      await trx.insertInto('environmentTags').values(tagIds.map((tagId) => ({ environmentId: id, tagId }))).execute();
    }
  }

  async delete(trx: Db, id: number): Promise<void> {
    await trx.deleteFrom('environments').where('id', '=', id).execute();
  }

  /** Which of `ids` are not tags. */
  async missingTags(ids: number[]): Promise<number[]> {
    if (ids.length === 0) return [];
    const found = new Set((await this.db.selectFrom('tags').select('id').where('id', 'in', ids).execute()).map((r) => Number(r.id)));
    return ids.filter((id) => !found.has(id));
  }

  async groupExists(id: number): Promise<boolean> {
    return (await this.db.selectFrom('environmentGroups').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
  }
}
