// Log search: which buffered lines match what the person typed (case-insensitive substring).

/** The lines whose text contains `query`, ignoring case; every line for a blank query. */
export function filterLogLines<T extends { text: string }>(lines: readonly T[], query: string): T[] {
  const needle = query.trim().toLowerCase();
  if (needle === '') return [...lines];
  return lines.filter((l) => l.text.toLowerCase().includes(needle));
}
