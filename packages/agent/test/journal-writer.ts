// Child process for the kill -9 test: runs commands forever, journalling around each effect.
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { CommandJournal } from '../src/journal/journal.ts';

const dir = process.argv[2] ?? '';
const journal = CommandJournal.open(dir);
const effects = path.join(dir, 'effects.txt');
let seq = journal.lastCompletedSeq();
for (;;) {
  seq++;
  const id = `cmd-${seq}`;
  if (!journal.accept({ id, seq, kind: 'append' })) continue;
  appendFileSync(effects, `${id}\n`);
  journal.complete(id, 'succeeded', { line: id });
}
