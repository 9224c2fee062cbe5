import type { Kysely } from 'kysely';
import type { ContainerSummary } from '@capstan/protocol';
import type { MainDatabase } from '../../db/schema.ts';

/** One environment's stored snapshot: its canonical JSON and what was derived from it. */
export interface StoredSnapshot {
  environmentId: number;
  takenAt: string;
  receivedAt: string;
  hash: string;
  /** Canonical JSON (canonicalSnapshot). */
  data: string;
  containers: ContainerSummary;
}

/** The latest snapshot per environment (table environment_snapshots). */
export class SnapshotsRepository {
  readonly #db: Kysely<MainDatabase>;

  constructor(db: Kysely<MainDatabase>) {
    this.#db = db;
  }

  /** The environment's stored snapshot, or undefined when its agent never sent one. */
  async get(environmentId: number): Promise<StoredSnapshot | undefined> {
    const row = await this.#db.selectFrom('environmentSnapshots').selectAll().where('environmentId', '=', environmentId).executeTakeFirst();
    if (!row) return undefined;
    return {
      environmentId: Number(row.environmentId),
      takenAt: row.takenAt,
      receivedAt: row.receivedAt,
      hash: row.hash,
      data: row.data,
      containers: {
        total: Number(row.containersTotal),
        running: Number(row.containersRunning),
        stopped: Number(row.containersStopped),
        paused: Number(row.containersPaused),
        unhealthy: Number(row.containersUnhealthy),
      },
    };
  }

  /** The hash of the environment's stored snapshot, or undefined before the first one. */
  async hash(environmentId: number): Promise<string | undefined> {
    return (await this.#db.selectFrom('environmentSnapshots').select('hash').where('environmentId', '=', environmentId).executeTakeFirst())?.hash;
  }

  /** Whether the environment exists (to tell "no such environment" from "no snapshot yet"). */
  async environmentExists(environmentId: number): Promise<boolean> {
    return (await this.#db.selectFrom('environments').select('id').where('id', '=', environmentId).executeTakeFirst()) !== undefined;
  }

  /** Replaces the environment's snapshot (insert or update in one statement). */
  async put(s: StoredSnapshot): Promise<void> {
    const values = {
      takenAt: s.takenAt,
      receivedAt: s.receivedAt,
      hash: s.hash,
      data: s.data,
      containersTotal: s.containers.total,
      containersRunning: s.containers.running,
      containersStopped: s.containers.stopped,
      containersPaused: s.containers.paused,
      containersUnhealthy: s.containers.unhealthy,
    };
    await this.#db
      .insertInto('environmentSnapshots')
      .values({ environmentId: s.environmentId, ...values })
      .onConflict((oc) => oc.column('environmentId').doUpdateSet(values))
      .execute();
  }
}
