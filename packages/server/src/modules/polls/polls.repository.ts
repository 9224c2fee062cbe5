import type { Kysely } from 'kysely';
import type { MainDatabase } from '../../db/schema.ts';
import type { PollContact } from './polls.policy.ts';

/** An environment as a poll needs it. */
export interface PollEnvironment {
  mode: 'standard' | 'async';
  pollIntervalSeconds: number;
}

/** SQL of polls: the environment's mode, and recording contacts in batches. */
export class PollsRepository {
  readonly #db: Kysely<MainDatabase>;

  constructor(db: Kysely<MainDatabase>) {
    this.#db = db;
  }

  async environment(id: number): Promise<PollEnvironment | undefined> {
    const row = await this.#db.selectFrom('environments').select(['mode', 'pollIntervalSeconds']).where('id', '=', id).executeTakeFirst();
    return row ? { mode: row.mode, pollIntervalSeconds: Number(row.pollIntervalSeconds) } : undefined;
  }

  /** Writes polls' contacts (environment poll times, status, versions; agent last seen) in one transaction. */
  async recordContacts(contacts: readonly PollContact[]): Promise<void> {
    if (contacts.length === 0) return;
    await this.#db.transaction().execute(async (trx) => {
      for (const c of contacts) {
        await trx
          .updateTable('environments')
          .set({
            lastPollAt: c.at,
            nextPollAt: c.nextPollAt,
            lastSeenAt: c.at,
            agentVersion: c.agentVersion,
            ...(c.engineVersion !== undefined ? { engineVersion: c.engineVersion } : {}),
            ...(c.async ? { status: 'up' as const } : {}),
          })
          .where('id', '=', c.environmentId)
          .execute();
        await trx.updateTable('agents').set({ lastSeenAt: c.at }).where('id', '=', c.agentId).execute();
      }
    });
  }
}
