import type { Kysely, Selectable, Transaction } from 'kysely';
import type { RoleAssignment, RoleAssignmentQuery, RoleName } from '@capstan/protocol';
import type { MainDatabase, RoleAssignmentsTable } from '../../db/schema.ts';

type Db = Kysely<MainDatabase> | Transaction<MainDatabase>;
type Row = Selectable<RoleAssignmentsTable>;

function present(row: Row): RoleAssignment {
  return {
    id: Number(row.id),
    principal: { type: row.principalType, id: Number(row.principalId) },
    scope: { type: row.scopeType, id: Number(row.scopeId) },
    role: row.role as RoleName,
    createdAt: row.createdAt,
  };
}

/** Role assignments and the lookups authorization needs. */
export class AccessRepository {
  private readonly db: Kysely<MainDatabase>;

  constructor(db: Kysely<MainDatabase>) {
    this.db = db;
  }

  /** Assignments that apply to a user: its own and its teams'. */
  async assignmentsForUser(userId: number): Promise<Array<{ scopeType: 'environment' | 'group'; scopeId: number; role: string }>> {
    const rows = await this.db
      .selectFrom('roleAssignments')
      .select(['scopeType', 'scopeId', 'role'])
      .where((eb) =>
        eb.or([
          eb.and([eb('principalType', '=', 'user'), eb('principalId', '=', userId)]),
          eb.and([
            eb('principalType', '=', 'team'),
            eb('principalId', 'in', eb.selectFrom('teamMembers').select('teamId').where('userId', '=', userId)),
          ]),
        ]),
      )
      .execute();
    return rows.map((r) => ({ ...r, scopeId: Number(r.scopeId) }));
  }

  async environmentGroup(envId: number): Promise<{ groupId: number | null } | undefined> {
    const row = await this.db.selectFrom('environments').select('groupId').where('id', '=', envId).executeTakeFirst();
    return row ? { groupId: row.groupId === null ? null : Number(row.groupId) } : undefined;
  }

  async list(q: RoleAssignmentQuery): Promise<RoleAssignment[]> {
    let base = this.db.selectFrom('roleAssignments').selectAll();
    if (q.scopeType) base = base.where('scopeType', '=', q.scopeType);
    if (q.scopeId !== undefined) base = base.where('scopeId', '=', q.scopeId);
    if (q.principalType) base = base.where('principalType', '=', q.principalType);
    if (q.principalId !== undefined) base = base.where('principalId', '=', q.principalId);
    return (await base.orderBy('id').limit(10_000).execute()).map(present);
  }

  async findById(id: number): Promise<RoleAssignment | undefined> {
    const row = await this.db.selectFrom('roleAssignments').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? present(row) : undefined;
  }

  /** Grants `role`, replacing any role the principal already holds on that scope. */
  async upsert(trx: Db, a: Omit<RoleAssignment, 'id' | 'createdAt'>): Promise<RoleAssignment> {
    const row = await trx
      .insertInto('roleAssignments')
      .values({
        principalType: a.principal.type,
        principalId: a.principal.id,
        scopeType: a.scope.type,
        scopeId: a.scope.id,
        role: a.role,
        createdAt: new Date().toISOString(),
      })
      .onConflict((oc) =>
        oc.columns(['principalType', 'principalId', 'scopeType', 'scopeId']).doUpdateSet({ role: a.role }),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    return present(row);
  }

  async delete(trx: Db, id: number): Promise<void> {
    await trx.deleteFrom('roleAssignments').where('id', '=', id).execute();
  }

  /** Removes assignments naming a deleted principal or scope. */
  async deleteFor(trx: Db, kind: 'principal' | 'scope', type: string, id: number): Promise<void> {
    const [typeCol, idCol] = kind === 'principal' ? (['principalType', 'principalId'] as const) : (['scopeType', 'scopeId'] as const);
    await trx.deleteFrom('roleAssignments').where(typeCol, '=', type as never).where(idCol, '=', id).execute();
  }

  async principalExists(type: 'user' | 'team', id: number): Promise<boolean> {
    const table = type === 'user' ? 'users' : 'teams';
    return (await this.db.selectFrom(table).select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
  }

  async scopeExists(type: 'environment' | 'group', id: number): Promise<boolean> {
    const table = type === 'environment' ? 'environments' : 'environmentGroups';
    return (await this.db.selectFrom(table).select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
  }
}
