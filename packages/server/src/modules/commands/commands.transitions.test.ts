import type { LiveEvent } from '@capstan/protocol';
import type { Transaction } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { MainDatabase } from '../../db/schema.ts';
import { queuedRow, type CommandRow } from './commands.repository.ts';
import { CommandTransitions } from './commands.transitions.ts';

const row = (id: string): CommandRow => ({
  ...queuedRow({ id, environmentId: 7, seq: 1, kind: 'container.start', payload: '{}', createdBy: null, createdAt: '2030-01-01T00:00:00.000Z', expiresAt: null }),
  status: 'succeeded',
});
// The hooks here never touch the transaction.
const trx = null as unknown as Transaction<MainDatabase>;

describe('command transitions', () => {
  it('publishes each row, then the notices its hooks answered, once', async () => {
    const published: LiveEvent[] = [];
    const t = new CommandTransitions((e) => published.push(e));
    t.addHook((_trx, r) => Promise.resolve([{ type: 'stack', environmentId: Number(r.environmentId), stackId: 3 }]));
    t.addHook(() => Promise.resolve(undefined));
    const a = row('a');
    await t.runHooks(trx, a);
    t.published([a]);
    t.published([a]); // the notices went with the first publish
    expect(published).toEqual([
      { type: 'command', environmentId: 7, commandId: 'a', status: 'succeeded' },
      { type: 'stack', environmentId: 7, stackId: 3 },
      { type: 'command', environmentId: 7, commandId: 'a', status: 'succeeded' },
    ]);
  });

  it('tells queued and finished listeners until they unsubscribe', () => {
    const t = new CommandTransitions(() => undefined);
    const queued: number[] = [];
    const finished: string[] = [];
    const offQueued = t.onQueued((id) => queued.push(id));
    const offFinished = t.onFinished((r) => finished.push(r.id));
    t.queued(7);
    t.finished([row('a'), row('b')]);
    offQueued();
    offFinished();
    t.queued(8);
    t.finished([row('c')]);
    expect(queued).toEqual([7]);
    expect(finished).toEqual(['a', 'b']);
  });
});
