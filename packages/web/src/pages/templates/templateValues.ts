// The "use a template" form: a typed value per template variable, checked here as the server
// checks it (so mistakes show before the request), and the render body made from it. Pure.
import type { Problem, Template, TemplateValue } from '@capstan/protocol';

export type TemplateVariableDef = Template['variables'][number];

/** Form values: booleans as booleans, everything else as typed text. */
export type FormValues = Record<string, string | boolean>;

/** Each variable's starting value: its default, else empty (false for booleans). */
export function initialValues(defs: readonly TemplateVariableDef[]): FormValues {
  const out: FormValues = {};
  for (const d of defs) out[d.name] = d.type === 'boolean' ? d.default === true || d.default === 'true' : d.default === undefined ? '' : String(d.default);
  return out;
}

function wholeMatch(pattern: string, value: string): boolean {
  try {
    return new RegExp(`^(?:${pattern})$`, 'u').test(value);
  } catch {
    return true; // the server reports a broken pattern on the template itself
  }
}

/** What is wrong with one value (null: fine); empty means "the default" (or nothing, when optional). */
export function checkOne(def: TemplateVariableDef, value: string | boolean): string | null {
  if (typeof value === 'boolean') return null;
  if (value === '') return def.required && def.default === undefined ? 'Required' : null;
  if (def.type === 'number' || def.type === 'port') {
    const n = Number(value.trim());
    if (value.trim() === '' || !Number.isFinite(n)) return 'Must be a number';
    if (def.type === 'port' && (!Number.isInteger(n) || n < 1 || n > 65535)) return 'Must be a port number from 1 to 65535';
    if (def.min !== undefined && n < def.min) return `Must be at least ${def.min}`;
    if (def.max !== undefined && n > def.max) return `Must be at most ${def.max}`;
    return null;
  }
  if (def.type === 'select') return (def.options ?? []).some((o) => o.value === value) ? null : 'Choose one of the options';
  const length = [...value].length;
  if (def.min !== undefined && length < def.min) return `Must be at least ${def.min} characters`;
  if (def.max !== undefined && length > def.max) return `Must be at most ${def.max} characters`;
  if (def.pattern !== undefined && !wholeMatch(def.pattern, value)) return `Must match ${def.pattern}`;
  return null;
}

/** Per variable name, what is wrong (empty: all fine). */
export function checkValues(defs: readonly TemplateVariableDef[], values: FormValues): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const d of defs) {
    const problem = checkOne(d, values[d.name] ?? '');
    if (problem) errors[d.name] = problem;
  }
  return errors;
}

/** The values to send: empty ones left out (the default applies). */
export function renderValues(defs: readonly TemplateVariableDef[], values: FormValues): Record<string, TemplateValue> {
  const out: Record<string, TemplateValue> = {};
  for (const d of defs) {
    const v = values[d.name];
    if (v === undefined || v === '') continue;
    out[d.name] = v;
  }
  return out;
}

/** The server's per-variable messages (issue paths `variables.NAME`, maybe under `body.`). */
export function errorsFromProblem(problem: Problem | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of problem?.issues ?? []) {
    const m = /^(?:body\.)?variables\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(issue.path);
    if (m?.[1]) out[m[1]] = issue.message;
  }
  return out;
}
