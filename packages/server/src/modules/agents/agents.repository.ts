import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Agent, AgentMode } from '@capstan/protocol';
import type { AgentsTable, JoinTokensTable, MainDatabase } from '../../db/schema.ts';

type Db = Kysely<MainDatabase> | Transaction<MainDatabase>;

export type AgentRow = Selectable<AgentsTable>;
export type JoinTokenRow = Selectable<JoinTokensTable>;

/** The API view of an agent row (never the key itself). */
export function presentAgent(row: AgentRow): Agent {
  return {
    id: Number(row.id),
    environmentId: Number(row.environmentId),
    hostname: row.hostname,
    agentVersion: row.agentVersion,
    fingerprint: row.fingerprint,
    credentialVersion: Number(row.credentialVersion),
    createdAt: row.createdAt,
    lastSeenAt: row.lastSeenAt,
    revokedAt: row.revokedAt,
  };
}

/** Agents and their join tokens; tokens are stored as hashes only. */
export class AgentsRepository {
  private readonly db: Kysely<MainDatabase>;

  constructor(db: Kysely<MainDatabase>) {
    this.db = db;
  }

  async environmentExists(id: number): Promise<boolean> {
    return (await this.db.selectFrom('environments').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
  }

  /** The environment's mode (standard when it does not exist). */
  async environmentMode(id: number, db: Db = this.db): Promise<AgentMode> {
    return (await db.selectFrom('environments').select('mode').where('id', '=', id).executeTakeFirst())?.mode ?? 'standard';
  }

  /** Sets the environment's mode when `mode` is given (enrolment with --mode); answers the mode it has now. */
  async applyMode(trx: Db, id: number, mode: AgentMode | undefined): Promise<AgentMode> {
    if (mode === undefined) return this.environmentMode(id, trx);
    await trx.updateTable('environments').set({ mode, updatedAt: new Date().toISOString() }).where('id', '=', id).where('mode', '!=', mode).execute();
    return mode;
  }

  async insertJoinToken(
    trx: Db,
    t: { environmentId: number; agentId: number | null; tokenHash: string; expiresAt: string; createdBy: number | null },
  ): Promise<number> {
    const row = await trx
      .insertInto('joinTokens')
      .values({ ...t, usedAt: null, createdAt: new Date().toISOString() })
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(row.id);
  }

  async findJoinToken(trx: Db, tokenHash: string): Promise<JoinTokenRow | undefined> {
    return trx.selectFrom('joinTokens').selectAll().where('tokenHash', '=', tokenHash).executeTakeFirst();
  }

  /** Marks the token used; false when another enrolment used it first. */
  async useJoinToken(trx: Db, id: number, at: string): Promise<boolean> {
    const r = await trx.updateTable('joinTokens').set({ usedAt: at }).where('id', '=', id).where('usedAt', 'is', null).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Drops the unused rotation tokens of an agent (a newer rotation or a revocation supersedes them). */
  async dropAgentTokens(trx: Db, agentId: number): Promise<void> {
    await trx.deleteFrom('joinTokens').where('agentId', '=', agentId).where('usedAt', 'is', null).execute();
  }

  async get(id: number, db: Db = this.db): Promise<AgentRow | undefined> {
    return db.selectFrom('agents').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async listForEnvironment(environmentId: number): Promise<AgentRow[]> {
    return this.db.selectFrom('agents').selectAll().where('environmentId', '=', environmentId).orderBy('id').execute();
  }

  /** The environment's agent that is not revoked, if any. */
  async activeInEnvironment(trx: Db, environmentId: number): Promise<AgentRow | undefined> {
    return trx.selectFrom('agents').selectAll().where('environmentId', '=', environmentId).where('revokedAt', 'is', null).executeTakeFirst();
  }

  async insert(
    trx: Db,
    a: { environmentId: number; publicKey: string; fingerprint: string; hostname: string; agentVersion: string },
  ): Promise<AgentRow> {
    return trx
      .insertInto('agents')
      .values({ ...a, createdAt: new Date().toISOString(), lastSeenAt: null, revokedAt: null, credentialVersion: 1 })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  /** Registers a new key on an agent awaiting re-enrolment; false when it was revoked meanwhile. */
  async rekey(trx: Db, id: number, a: { publicKey: string; fingerprint: string; hostname: string; agentVersion: string }): Promise<boolean> {
    const r = await trx
      .updateTable('agents')
      .set((eb) => ({ ...a, credentialVersion: eb('credentialVersion', '+', 1) }))
      .where('id', '=', id)
      .where('revokedAt', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Forgets the agent's key: nothing verifies until it enrols a new one. */
  async clearKey(trx: Db, id: number): Promise<void> {
    await trx.updateTable('agents').set({ publicKey: null, fingerprint: null }).where('id', '=', id).execute();
  }

  async revoke(trx: Db, id: number, at: string): Promise<void> {
    await trx.updateTable('agents').set({ revokedAt: at }).where('id', '=', id).where('revokedAt', 'is', null).execute();
  }

  /** Records the serial of the client certificate issued at this enrolment. */
  async setClientCertSerial(trx: Db, id: number, serial: string): Promise<void> {
    await trx.updateTable('agents').set({ clientCertSerial: serial }).where('id', '=', id).execute();
  }

  async touch(id: number, at: string): Promise<void> {
    await this.db.updateTable('agents').set({ lastSeenAt: at }).where('id', '=', id).execute();
  }
}
