import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CommandJournal, JournalCorruptError } from '../src/journal/journal.ts';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'capstan-journal-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('CommandJournal (real files)', () => {
  it('remembers accepted and completed commands across reopen, and never accepts an id twice', () => {
    const dir = tmp();
    const j = CommandJournal.open(dir);
    expect(j.accept({ id: 'a', seq: 1, kind: 'restart' })).toBe(true);
    j.complete('a', 'succeeded', { ok: 1 });
    expect(j.accept({ id: 'b', seq: 2, kind: 'stop' })).toBe(true);
    expect(j.accept({ id: 'a', seq: 1, kind: 'restart' })).toBe(false);
    j.close();

    const again = CommandJournal.open(dir);
    expect(again.state('a')).toEqual({ state: 'done', seq: 1, kind: 'restart', status: 'succeeded', result: { ok: 1 } });
    expect(again.state('b')).toEqual({ state: 'accepted', seq: 2, kind: 'stop' });
    expect(again.interrupted()).toEqual([{ id: 'b', seq: 2, kind: 'stop' }]);
    expect(again.lastCompletedSeq()).toBe(1);
    expect(again.accept({ id: 'b', seq: 2, kind: 'stop' })).toBe(false);
    again.complete('b', 'failed', { error: 'interrupted' });
    expect(again.state('b')).toMatchObject({ state: 'done', status: 'failed' });
    again.close();
  });

  it('keeps the last checkpoint of an accepted command across reopen, and refuses one for a command not running', () => {
    const dir = tmp();
    const j = CommandJournal.open(dir);
    j.accept({ id: 'r', seq: 1, kind: 'container.exec' });
    j.checkpoint('r', { execId: 'first' });
    j.checkpoint('r', { execId: 'second' });
    expect(() => j.checkpoint('unknown', {})).toThrow(/not running/);
    j.close();
    // A torn checkpoint (crash mid-append) is dropped like any torn line.
    appendFileSync(path.join(dir, 'commands.journal'), '{"t":"checkpoint","id":"r","data":{"execId":"thi');

    const again = CommandJournal.open(dir);
    expect(again.state('r')).toEqual({ state: 'accepted', seq: 1, kind: 'container.exec', checkpoint: { execId: 'second' } });
    again.complete('r', 'succeeded', null);
    expect(() => again.checkpoint('r', {})).toThrow(/not running/);
    expect(again.state('r')).toMatchObject({ state: 'done' });
    again.close();
  });

  it('drops a torn last line and keeps appending cleanly', () => {
    const dir = tmp();
    const j = CommandJournal.open(dir);
    j.accept({ id: 'x', seq: 1, kind: 'k' });
    j.close();
    appendFileSync(path.join(dir, 'commands.journal'), '{"t":"result","id":"x","sta');
    const again = CommandJournal.open(dir);
    expect(again.state('x').state).toBe('accepted');
    again.complete('x', 'succeeded', null);
    again.close();
    const lines = readFileSync(path.join(dir, 'commands.journal'), 'utf8').trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { t: string }).t)).toEqual(['accepted', 'result']);
  });

  it('refuses a journal damaged in the middle rather than forgetting what ran', () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'commands.journal'), 'garbage\n{"t":"accepted","id":"a","seq":1,"kind":"k","at":"x"}\n');
    expect(() => CommandJournal.open(dir)).toThrow(JournalCorruptError);
  });

  it('kill -9 at any moment: every effect happened at most once, and every journalled result has its effect', async () => {
    const dir = tmp();
    const readEffects = () =>
      existsSync(path.join(dir, 'effects.txt')) ? readFileSync(path.join(dir, 'effects.txt'), 'utf8').trim().split('\n') : [];
    // At least 4 crashes; more while the machine is too busy (fsync contention) for the writer to get far.
    let rounds = 0;
    while (rounds < 4 || (readEffects().length <= 10 && rounds < 20)) {
      const child = spawn(process.execPath, [path.join(import.meta.dirname, 'journal-writer.ts'), dir], { stdio: 'ignore' });
      await new Promise((r) => setTimeout(r, 150 + (rounds % 4) * 50));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      rounds++;
    }
    const effects = readEffects();
    expect(effects.length).toBeGreaterThan(10);
    expect(new Set(effects).size).toBe(effects.length); // no effect twice
    const j = CommandJournal.open(dir);
    for (const id of effects) expect(['accepted', 'done']).toContain(j.state(id).state);
    const done = [...Array(j.lastCompletedSeq()).keys()].map((i) => `cmd-${i + 1}`).filter((id) => j.state(id).state === 'done');
    for (const id of done) expect(effects).toContain(id);
    // At most one command per crash can be caught between its effect and its result.
    expect(j.interrupted().length).toBeLessThanOrEqual(rounds);
    j.close();
  });
});
