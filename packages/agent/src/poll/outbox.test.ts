import type { CommandAcceptedFrame, CommandResultFrame } from '@capstan/protocol';
import { describe, expect, it } from 'vitest';
import { CompletionTracker, Outbox } from './outbox.ts';

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const accepted = (seq: number): CommandAcceptedFrame => ({ type: 'command-accepted', id: id(seq), seq });
const result = (seq: number, output: unknown = null): CommandResultFrame => ({
  type: 'command-result',
  id: id(seq),
  seq,
  status: 'succeeded',
  output,
  startedAt: null,
  finishedAt: '2026-01-01T00:00:00.000Z',
});

describe('Outbox', () => {
  it('keeps reports in seq order and drops a repeated report for an id already waiting', () => {
    const box = new Outbox();
    expect(box.add(result(3))).toBe(true);
    expect(box.add(result(1))).toBe(true);
    expect(box.add(accepted(2))).toBe(true);
    expect(box.add(result(3))).toBe(false);
    expect(box.add(accepted(2))).toBe(false);
    const batch = box.take();
    expect(batch.results.map((r) => r.seq)).toEqual([1, 3]);
    expect(batch.accepted.map((a) => a.seq)).toEqual([2]);
    expect(box.size).toBe(3);
  });

  it('removes only the reports of an answered batch; later ones wait for the next poll', () => {
    const box = new Outbox();
    box.add(accepted(1));
    box.add(result(1));
    const first = box.take();
    // Arrives while the poll is in flight.
    box.add(result(2));
    box.confirm(first);
    expect(box.size).toBe(1);
    expect(box.take().results.map((r) => r.seq)).toEqual([2]);
  });

  it('keeps everything when a poll fails (nothing confirmed), so the same reports go again', () => {
    const box = new Outbox();
    box.add(result(1));
    const a = box.take();
    const b = box.take();
    expect(b).toEqual(a);
    box.confirm(b);
    expect(box.size).toBe(0);
    // A result sent again after it reached the server is a new report (the server ignores repeats).
    expect(box.add(result(1))).toBe(true);
  });

  it('caps a batch by count and by result bytes, taking at least one result', () => {
    const box = new Outbox();
    for (let seq = 1; seq <= 5; seq++) box.add(accepted(seq));
    for (let seq = 1; seq <= 5; seq++) box.add(result(seq, 'x'.repeat(1000)));
    const counted = box.take(3);
    expect(counted.accepted.map((a) => a.seq)).toEqual([1, 2, 3]);
    expect(counted.results.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(box.take(200, 2500).results.map((r) => r.seq)).toEqual([1, 2]);
    expect(box.take(200, 10).results.map((r) => r.seq)).toEqual([1]);
  });

  it('reports lastCompletedSeq from what the runner finished', () => {
    const box = new Outbox();
    expect(box.lastCompletedSeq).toBe(0);
    box.delivered(1);
    box.delivered(2);
    box.add(result(1));
    expect(box.lastCompletedSeq).toBe(1);
  });
});

describe('CompletionTracker', () => {
  it('answers the highest finished seq below the lowest one still pending', () => {
    const t = new CompletionTracker();
    for (const seq of [4, 5, 6, 7]) t.delivered(seq);
    t.finished(4);
    t.finished(6);
    expect(t.lastCompletedSeq()).toBe(4);
    t.finished(5);
    expect(t.lastCompletedSeq()).toBe(6);
    t.finished(7);
    expect(t.lastCompletedSeq()).toBe(7);
    // Handed over again after it finished (a repeated delivery): nothing goes back.
    t.delivered(7);
    t.delivered(8);
    expect(t.lastCompletedSeq()).toBe(7);
  });

  it('counts results for commands it never saw delivered (a result sent again after a restart)', () => {
    const t = new CompletionTracker();
    t.finished(9);
    expect(t.lastCompletedSeq()).toBe(9);
  });
});

describe('CompletionTracker.heldUpTo', () => {
  it('holds every seq handed over while the runner works, and resends what an idle runner dropped', () => {
    const t = new CompletionTracker();
    expect(t.heldUpTo(true)).toBe(0);
    for (const seq of [1, 2, 3, 4]) t.delivered(seq);
    expect(t.heldUpTo(false)).toBe(4);
    t.finished(1);
    t.finished(2);
    t.finished(4);
    // Idle with 3 still pending: it was dropped, so the server must send 3 (and 4, harmlessly) again.
    expect(t.heldUpTo(true)).toBe(2);
    t.finished(3);
    expect(t.heldUpTo(true)).toBe(4);
  });
});
