// Which mode each environment runs in, kept in memory: every interactive call asks (and must not
// wait for the database), and so does every tunnel connect. Loaded at start; services that change
// an environment's mode or poll interval report the committed state here.
import type { AgentMode } from '@capstan/protocol';
import type { Kysely } from 'kysely';
import type { MainDatabase } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';

/** What the tunnel needs to know about an environment's mode. */
export interface ModeView {
  mode: AgentMode;
  pollIntervalSeconds: number;
}

/** Told after an environment's view changed: `now` null once it was deleted, `before` null when it was new. */
export type ModeListener = (environmentId: number, now: ModeView | null, before: ModeView | null) => void;

/** The refusal of an interactive feature (console, live logs, Docker API) for an async environment. */
export function environmentAsyncError(environmentId: number): AppError {
  return new AppError(
    'environment_async',
    `environment ${environmentId} runs in Async mode; interactive features (console, live logs, Docker API) need Standard mode: ` +
      `PATCH /api/environments/${environmentId} {"mode":"standard"}`,
    { reason: 'environment_async', environmentId, mode: 'async' },
  );
}

/** The in-memory mode of every environment; unknown ids count as standard (nothing to refuse). */
export class EnvironmentModes {
  readonly #db: Kysely<MainDatabase>;
  readonly #views = new Map<number, ModeView>();
  readonly #listeners = new Set<ModeListener>();
  readonly #onError: (err: unknown, environmentId: number) => void;

  constructor(db: Kysely<MainDatabase>, onError: (err: unknown, environmentId: number) => void = () => undefined) {
    this.#db = db;
    this.#onError = onError;
  }

  /** Reads every environment's mode (at start). */
  async load(): Promise<void> {
    const rows = await this.#db.selectFrom('environments').select(['id', 'mode', 'pollIntervalSeconds']).execute();
    this.#views.clear();
    for (const r of rows) this.#views.set(Number(r.id), { mode: r.mode, pollIntervalSeconds: Number(r.pollIntervalSeconds) });
  }

  /** The environment's mode and poll interval, or null when it is not known. */
  view(environmentId: number): ModeView | null {
    return this.#views.get(environmentId) ?? null;
  }

  /** True when the environment runs in Async mode. */
  isAsync(environmentId: number): boolean {
    return this.#views.get(environmentId)?.mode === 'async';
  }

  /** Records an environment's committed view (null: deleted); listeners hear of actual changes only. */
  set(environmentId: number, now: ModeView | null): void {
    const before = this.view(environmentId);
    if (now) this.#views.set(environmentId, { mode: now.mode, pollIntervalSeconds: now.pollIntervalSeconds });
    else this.#views.delete(environmentId);
    if (before?.mode === now?.mode && before?.pollIntervalSeconds === now?.pollIntervalSeconds) return;
    for (const listener of this.#listeners) {
      try {
        listener(environmentId, now, before);
      } catch (err) {
        this.#onError(err, environmentId);
      }
    }
  }

  /** Re-reads one environment from the database (after a change made outside EnvironmentsService). */
  async refresh(environmentId: number): Promise<void> {
    const row = await this.#db.selectFrom('environments').select(['mode', 'pollIntervalSeconds']).where('id', '=', environmentId).executeTakeFirst();
    this.set(environmentId, row ? { mode: row.mode, pollIntervalSeconds: Number(row.pollIntervalSeconds) } : null);
  }

  /** Calls `listener` after each change; returns the unsubscribe function. */
  onChange(listener: ModeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
