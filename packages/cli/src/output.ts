// Everything the CLI prints is built here as strings, so formatting is testable without a terminal.
import type { Problem } from '@capstan/protocol';

/** `text` with control characters replaced by `?`, so server-supplied text cannot drive the terminal. */
export function printable(text: string): string {
  return text.replace(/\p{Cc}/gu, '?');
}

/** Rows aligned in columns separated by two spaces, no trailing blanks; ends with a newline ('' for no rows). */
export function formatColumns(rows: ReadonlyArray<readonly string[]>): string {
  const columns = Math.max(0, ...rows.map((row) => row.length));
  const cells = rows.map((row) => Array.from({ length: columns }, (_, i) => printable(row[i] ?? '')));
  const widths = Array.from({ length: columns }, (_, i) =>
    Math.max(...cells.map((row) => [...(row[i] ?? '')].length)),
  );
  const lines = cells.map((row) =>
    row
      .map((cell, i) => cell + ' '.repeat((widths[i] ?? 0) - [...cell].length))
      .join('  ')
      .trimEnd(),
  );
  return lines.map((line) => `${line}\n`).join('');
}

/** A header row with the rows aligned under it (see formatColumns). */
export function formatTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  return formatColumns([headers, ...rows]);
}

/** Pretty JSON for `--json`, ending with a newline. */
export function formatJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** `error: <detail> (<code>)`, then one indented line per field issue; ends with a newline. */
export function formatProblem(problem: Problem): string {
  const lines = [`error: ${printable(problem.detail)} (${problem.code})`];
  for (const issue of problem.issues ?? []) {
    if (issue.file !== undefined) {
      // A problem inside a submitted file: `file:line:column: path: message`, as editors link it; the
      // path is left out when the message starts with it already (the compose reader's messages do).
      const at = `${issue.file}${issue.line == null ? '' : `:${issue.line}${issue.column == null ? '' : `:${issue.column}`}`}`;
      const named = issue.path === '' || issue.message.startsWith(issue.path);
      lines.push(`  ${printable(at)}: ${named ? '' : `${printable(issue.path)}: `}${printable(issue.message)}`);
      continue;
    }
    const where = issue.path === '(root)' ? issue.location : `${issue.location}.${issue.path}`;
    lines.push(`  ${printable(where)}: ${printable(issue.message)}`);
  }
  if (problem.retryAfterSeconds !== undefined) lines.push(`  retry after ${problem.retryAfterSeconds}s`);
  return `${lines.join('\n')}\n`;
}

/** A list cell: the values joined by commas, or `-` when there are none. */
export function listCell(values: ReadonlyArray<string | number>): string {
  return values.length > 0 ? values.join(',') : '-';
}

/** The footer shown under a partial page, or '' when the page holds everything. */
export function pageFooter(page: { items: readonly unknown[]; total: number; offset: number }): string {
  if (page.items.length >= page.total) return '';
  if (page.items.length === 0) return `(nothing at offset ${page.offset}; ${page.total} in total)\n`;
  return `(${page.offset + 1}-${page.offset + page.items.length} of ${page.total}; page with --limit and --offset)\n`;
}
