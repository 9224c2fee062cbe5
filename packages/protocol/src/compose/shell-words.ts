// Splits a string command into words the way docker-compose 1.29 does (Python's shlex.split in
// POSIX mode): whitespace separates words, single quotes are literal, double quotes keep a backslash
// unless it escapes `"` or `\`, a backslash outside quotes escapes the next character, `#` is an
// ordinary character and `''` is an empty word. No variables, globs or operators: exec form only.

export type ShellWords = { ok: true; words: string[] } | { ok: false; offset: number; message: string };

/** Splits `text` into words, or says where the quoting is broken. */
export function splitShellWords(text: string): ShellWords {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
      continue;
    }
    inWord = true;
    if (ch === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0)
        return { ok: false, offset: i, message: 'this single quote is never closed: add the closing quote' };
      word += text.slice(i + 1, end);
      i = end + 1;
      continue;
    }
    if (ch === '"') {
      let j = i + 1;
      let closed = false;
      while (j < text.length) {
        const c = text[j] as string;
        if (c === '"') {
          closed = true;
          break;
        }
        if (c === '\\' && j + 1 < text.length) {
          const n = text[j + 1] as string;
          word += n === '"' || n === '\\' ? n : c + n;
          j += 2;
          continue;
        }
        word += c;
        j++;
      }
      if (!closed)
        return { ok: false, offset: i, message: 'this double quote is never closed: add the closing quote' };
      i = j + 1;
      continue;
    }
    if (ch === '\\') {
      if (i + 1 >= text.length)
        return { ok: false, offset: i, message: 'a backslash at the end escapes nothing: remove it' };
      word += text[i + 1];
      i += 2;
      continue;
    }
    word += ch;
    i++;
  }
  if (inWord) words.push(word);
  return { ok: true, words };
}
