// Stack variables as editable rows and back: a stored secret comes masked (value null) and stays
// stored unless a new value is typed; names are checked as the API checks them. Pure.
import type { StackVariable, StackVariableInput } from '@capstan/protocol';

/** One row of the variables editor. */
export interface VariableRow {
  /** Stable React key. */
  key: string;
  name: string;
  value: string;
  secret: boolean;
  /** A secret whose value is stored on the server: an empty value keeps it. */
  stored: boolean;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
let counter = 0;

/** A fresh row key. */
export function rowKey(): string {
  counter += 1;
  return `v${counter}`;
}

/** An empty row. */
export function emptyRow(): VariableRow {
  return { key: rowKey(), name: '', value: '', secret: false, stored: false };
}

/** Rows of the variables the API answered (masked secrets become stored rows). */
export function rowsFromVariables(variables: readonly { name: string; value: string | null; secret: boolean }[]): VariableRow[] {
  return variables.map((v) => ({ key: rowKey(), name: v.name, value: v.value ?? '', secret: v.secret, stored: v.secret && v.value === null }));
}

/** What the API takes: empty rows dropped; a stored secret left empty keeps its value (no `value`). */
export function rowsToInput(rows: readonly VariableRow[]): StackVariableInput[] {
  return rows
    .filter((r) => r.name.trim() !== '' || r.value !== '')
    .map((r) => (r.stored && r.value === '' ? { name: r.name.trim(), secret: true } : { name: r.name.trim(), value: r.value, secret: r.secret }));
}

/** Per row key, what is wrong with its name (empty when all are fine). */
export function rowErrors(rows: readonly VariableRow[]): Record<string, string> {
  const errors: Record<string, string> = {};
  const seen = new Set<string>();
  for (const r of rows) {
    const name = r.name.trim();
    if (name === '' && r.value === '') continue;
    if (name === '') errors[r.key] = 'Give the variable a name';
    else if (!NAME.test(name)) errors[r.key] = 'Letters, digits and _, not starting with a digit';
    else if (seen.has(name)) errors[r.key] = `${name} is given twice`;
    seen.add(name);
  }
  return errors;
}

/** Stands in for a stored secret when the compose file is checked in the browser. */
export const SECRET_PLACEHOLDER = 'secret-value';

/** The interpolation values for checking the compose file in the browser (stored secrets: a placeholder). */
export function interpolationValues(rows: readonly { name: string; value: string | null; secret: boolean; stored?: boolean }[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of rows) {
    const name = r.name.trim();
    if (!NAME.test(name)) continue;
    out[name] = r.value === null || (r.stored === true && r.value === '') ? SECRET_PLACEHOLDER : r.value;
  }
  return out;
}

/** The variables an API answer holds, as interpolation values. */
export function valuesOfStack(variables: readonly StackVariable[]): Record<string, string> {
  return interpolationValues(variables);
}
