const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `90s`, `15m`, `12h`, `7d`, `250ms` or a bare number of seconds into milliseconds; null if malformed. */
export function parseDuration(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!m) return null;
  const value = Number(m[1]);
  const unit = UNITS[m[2] ?? 's'] ?? 1000;
  return Math.round(value * unit);
}
