import { closeSync, existsSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { parseJournal, type CommandState, type JournalRecord } from './records.ts';

export class JournalCorruptError extends Error {
  constructor(file: string, line: number) {
    super(`the command journal ${file} is damaged at line ${line}; move it aside to start over (executed ids will be forgotten)`);
    this.name = 'JournalCorruptError';
  }
}

/**
 * The agent's durable record of commands: each command is journalled (and fsynced) before it
 * runs, checkpoints before the steps recovery must be able to check, and its result before it is
 * acknowledged. Replayed at start, it tells the runner what ran: a finished id is never run again,
 * an accepted one is recovered from its checkpoint and the engine (commands/recover.ts).
 */
export class CommandJournal {
  private readonly fd: number;
  private readonly states = new Map<string, CommandState>();
  private highestDone = 0;
  readonly file: string;

  private constructor(file: string, fd: number, records: JournalRecord[]) {
    this.file = file;
    this.fd = fd;
    for (const r of records) this.apply(r);
  }

  /** Opens (creating if needed) the journal in `dir`, replaying what is there. */
  static open(dir: string): CommandJournal {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const file = path.join(dir, 'commands.journal');
    const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
    const { records, validBytes, corruptLine } = parseJournal(text);
    if (corruptLine !== null) throw new JournalCorruptError(file, corruptLine);
    const fd = openSync(file, 'a+', 0o600);
    // Cut a torn tail so the next append starts on a fresh line.
    if (validBytes < Buffer.byteLength(text)) {
      ftruncateSync(fd, validBytes);
      fsyncSync(fd);
    }
    return new CommandJournal(file, fd, records);
  }

  private apply(r: JournalRecord): void {
    if (r.t === 'accepted') {
      if (!this.states.has(r.id)) this.states.set(r.id, { state: 'accepted', seq: r.seq, kind: r.kind });
      return;
    }
    if (r.t === 'checkpoint') {
      const prior = this.states.get(r.id);
      if (prior?.state === 'accepted') this.states.set(r.id, { ...prior, checkpoint: r.data });
      return;
    }
    const prior = this.states.get(r.id);
    if (prior && prior.state !== 'unknown') {
      this.states.set(r.id, { state: 'done', seq: prior.seq, kind: prior.kind, status: r.status, result: r.result });
      this.highestDone = Math.max(this.highestDone, prior.seq);
    }
  }

  private append(r: JournalRecord): void {
    writeSync(this.fd, `${JSON.stringify(r)}\n`);
    fsyncSync(this.fd);
    this.apply(r);
  }

  /** What is known about `id`. */
  state(id: string): CommandState {
    return this.states.get(id) ?? { state: 'unknown' };
  }

  /**
   * Records that `id` is about to run. Returns false (and records nothing) when the id was
   * seen before: the caller must then not execute it, only re-report what `state` says.
   */
  accept(cmd: { id: string; seq: number; kind: string }): boolean {
    if (this.states.has(cmd.id)) return false;
    this.append({ t: 'accepted', id: cmd.id, seq: cmd.seq, kind: cmd.kind, at: new Date().toISOString() });
    return true;
  }

  /**
   * Records progress of an accepted, unfinished command that recovery needs (the last one wins);
   * durable when this returns, so the step it guards may follow.
   */
  checkpoint(id: string, data: unknown): void {
    const s = this.states.get(id);
    if (s?.state !== 'accepted') throw new Error(`command ${id} is not running: no checkpoint for it`);
    this.append({ t: 'checkpoint', id, data: data ?? null, at: new Date().toISOString() });
  }

  /** Records the outcome of an accepted command; durable when this returns, so it may be acknowledged. */
  complete(id: string, status: 'succeeded' | 'failed', result: unknown): void {
    const s = this.states.get(id);
    if (!s || s.state === 'unknown') throw new Error(`command ${id} was never accepted`);
    if (s.state === 'done') return;
    this.append({ t: 'result', id, status, result: result ?? null, at: new Date().toISOString() });
  }

  /** Commands accepted but without a result: they were running when the agent stopped. */
  interrupted(): Array<{ id: string; seq: number; kind: string }> {
    const out: Array<{ id: string; seq: number; kind: string }> = [];
    for (const [id, s] of this.states) if (s.state === 'accepted') out.push({ id, seq: s.seq, kind: s.kind });
    return out.sort((a, b) => a.seq - b.seq);
  }

  /** Highest sequence number with a journalled result. */
  lastCompletedSeq(): number {
    return this.highestDone;
  }

  close(): void {
    closeSync(this.fd);
  }
}
