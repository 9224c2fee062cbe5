// Compose issues (from the reader run in the browser, or from a server Problem) as editor
// diagnostics: 1-based line/column → document offsets, spanning the word at that spot so the
// underline is visible. Pure: no editor import, so it is unit-tested in node.
import type { ComposeIssue, Problem } from '@capstan/protocol';

/** The file name the server reads a stack's compose text under (issues in it map into the editor). */
export const MAIN_FILE = 'compose.yaml';

/** One problem shown in the editor and the list under it. */
export interface EditorIssue {
  severity: 'error' | 'warning';
  file: string;
  line: number | null;
  column: number | null;
  message: string;
  /** local: the reader in the browser; server: a failed plan, create or deploy. */
  origin: 'local' | 'server';
}

/** The Problem the server answered for one exact text (its issues are dropped once the text changes). */
export interface ServerIssues {
  text: string;
  problem: Problem;
}

/** What CodeMirror's Diagnostic needs (structurally the same type). */
export interface DiagnosticLike {
  from: number;
  to: number;
  severity: 'error' | 'warning';
  message: string;
  source: string;
}

/** Offset of 1-based `line`/`column` in `text`, clamped into the document (and into the line). */
export function offsetOf(text: string, line: number, column: number): number {
  let start = 0;
  for (let l = 1; l < line; l++) {
    const next = text.indexOf('\n', start);
    if (next < 0) return text.length;
    start = next + 1;
  }
  const end = text.indexOf('\n', start);
  const lineEnd = end < 0 ? text.length : end;
  return Math.min(start + Math.max(column, 1) - 1, lineEnd);
}

/** The diagnostic of an issue in the main file (null for other files); no line: the first character. */
export function issueToDiagnostic(text: string, issue: EditorIssue): DiagnosticLike | null {
  if (issue.file !== MAIN_FILE) return null;
  const from = issue.line === null ? 0 : offsetOf(text, issue.line, issue.column ?? 1);
  const word = /^[^\s:,\]}]+/.exec(text.slice(from, from + 200))?.[0].length ?? 0;
  const to = Math.min(text.length, from + Math.max(word, text.charAt(from) === '\n' || from >= text.length ? 0 : 1));
  return { from, to, severity: issue.severity, message: issue.message, source: issue.origin === 'server' ? 'server' : 'compose' };
}

/** Reader issues as editor issues. */
export function fromComposeIssues(issues: readonly ComposeIssue[]): EditorIssue[] {
  return issues.map((i) => ({ severity: i.severity, file: i.file, line: i.line, column: i.column, message: i.message, origin: 'local' }));
}

/**
 * The compose issues of a failed call (compose_invalid carries file/line/column per issue). The
 * server does not say which are warnings: those the local reader also reports as warnings stay
 * warnings, the rest are errors.
 */
export function fromProblem(problem: Problem | null | undefined, localWarnings: readonly EditorIssue[] = []): EditorIssue[] {
  if (!problem?.issues) return [];
  const warned = new Set(localWarnings.filter((w) => w.severity === 'warning').map((w) => `${w.line}:${w.column}:${w.message}`));
  return problem.issues
    .filter((i) => i.file !== undefined)
    .map((i) => ({
      severity: warned.has(`${i.line ?? null}:${i.column ?? null}:${i.message}`) ? 'warning' : 'error',
      file: i.file ?? MAIN_FILE,
      line: i.line ?? null,
      column: i.column ?? null,
      message: i.message,
      origin: 'server',
    }));
}

/** "line 3, column 5: message" (other files named first; no position: the message alone). */
export function issueLabel(issue: EditorIssue): string {
  const where = issue.line === null ? '' : `line ${issue.line}${issue.column === null ? '' : `, column ${issue.column}`}: `;
  return `${issue.file === MAIN_FILE ? '' : `${issue.file}, `}${where}${issue.message}`;
}

/** Local and server issues, without repeating the same problem, errors first, then by position. */
export function mergeIssues(local: readonly EditorIssue[], server: readonly EditorIssue[]): EditorIssue[] {
  const seen = new Set<string>();
  const out: EditorIssue[] = [];
  for (const issue of [...server, ...local]) {
    const key = `${issue.file}:${issue.line}:${issue.column}:${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(issue);
  }
  const rank = (i: EditorIssue): number => (i.severity === 'error' ? 0 : 1);
  return out.sort((a, b) => rank(a) - rank(b) || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}
