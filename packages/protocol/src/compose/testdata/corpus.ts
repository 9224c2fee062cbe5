// Loads the compose corpus for tests: valid/<case>/ folders (compose.yml plus the files it refers
// to, as a stack would carry them) and invalid/<case>.yml files whose first line says what the
// reader must report: "# expect: LINE:COLUMN text in the message". Test-only (reads the disk).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const here = new URL('.', import.meta.url).pathname;

export const VALID_DIR = join(here, 'valid');
export const INVALID_DIR = join(here, 'invalid');

/** The valid case names (folder names), sorted. */
export function validCaseNames(): string[] {
  return readdirSync(VALID_DIR)
    .filter((d) => statSync(join(VALID_DIR, d)).isDirectory())
    .sort();
}

/** Every file of a valid case, keyed by its path relative to the case folder (compose.yml is the main file). */
export function loadValidCase(name: string): Record<string, string> {
  const root = join(VALID_DIR, name);
  const files: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else files[relative(root, path)] = readFileSync(path, 'utf8');
    }
  };
  walk(root);
  return files;
}

export interface InvalidCase {
  name: string;
  text: string;
  line: number;
  column: number;
  /** Text the error's message must contain. */
  contains: string;
}

/** The invalid cases with their expectation parsed from the first line. */
export function invalidCases(): InvalidCase[] {
  return readdirSync(INVALID_DIR)
    .filter((f) => f.endsWith('.yml'))
    .sort()
    .map((f) => {
      const text = readFileSync(join(INVALID_DIR, f), 'utf8');
      const m = /^# expect: (\d+):(\d+) (.+)$/m.exec(text.split('\n')[0] ?? '');
      if (m === null) throw new Error(`${f}: first line must be "# expect: LINE:COLUMN message text"`);
      return {
        name: f.replace(/\.yml$/, ''),
        text,
        line: Number(m[1]),
        column: Number(m[2]),
        contains: m[3] ?? '',
      };
    });
}
