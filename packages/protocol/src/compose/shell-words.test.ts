import { describe, expect, it } from 'vitest';
import { splitShellWords } from './shell-words.ts';

describe('splitShellWords (shlex.split, POSIX mode)', () => {
  it.each([
    ['sleep 3600', ['sleep', '3600']],
    ['  a   b\tc\nd ', ['a', 'b', 'c', 'd']],
    [`sh -c 'echo "hi" && exit 1'`, ['sh', '-c', 'echo "hi" && exit 1']],
    [`echo "a \\"b\\" \\$c \\\\ d"`, ['echo', 'a "b" \\$c \\ d']],
    [`one\\ word`, ['one word']],
    [`a '' "" b`, ['a', '', '', 'b']],
    [`x'y'"z"`, ['xyz']],
    ['echo # not a comment', ['echo', '#', 'not', 'a', 'comment']],
    ['', []],
  ])('%j', (text, words) => {
    expect(splitShellWords(text)).toEqual({ ok: true, words });
  });

  it.each([
    [`echo 'open`, 5],
    [`echo "open`, 5],
    ['echo \\', 5],
  ])('reports broken quoting in %j at offset %i', (text, offset) => {
    expect(splitShellWords(text)).toMatchObject({ ok: false, offset });
  });
});
