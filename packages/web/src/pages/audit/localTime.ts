// Native `datetime-local` inputs speak local wall time without a zone ("2026-03-01T14:30");
// the API speaks ISO-8601 UTC. These convert between the two in the viewer's time zone.

/** "2026-03-01T14:30" (local) → ISO UTC; null when empty or not a date. */
export function localInputToIso(value: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/.test(value)) return null;
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** ISO → "2026-03-01T14:30" in local time, for the input's value; '' when not a date. */
export function isoToLocalInput(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
