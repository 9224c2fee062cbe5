// Custom template editing: variable definitions as form rows (options typed as "value" or
// "value=Label" lines, bounds as text) and back to the API's typed definitions. Pure.
import type { CreateTemplate, Template, TemplateValue, TemplateVariable, TemplateVariableType } from '@capstan/protocol';

/** One variable definition row. */
export interface DefinitionRow {
  key: string;
  name: string;
  label: string;
  description: string;
  type: TemplateVariableType;
  /** As typed; converted to the type's value. */
  default: string;
  required: boolean;
  /** select only: one option a line, "value" or "value=Label". */
  options: string;
  pattern: string;
  min: string;
  max: string;
}

let counter = 0;

/** An empty string variable. */
export function emptyDefinition(): DefinitionRow {
  counter += 1;
  return { key: `d${counter}`, name: '', label: '', description: '', type: 'string', default: '', required: false, options: '', pattern: '', min: '', max: '' };
}

/** Rows of a template's definitions. */
export function rowsFromDefinitions(defs: Template['variables']): DefinitionRow[] {
  return defs.map((d) => ({
    ...emptyDefinition(),
    name: d.name,
    label: d.label === d.name ? '' : d.label,
    description: d.description,
    type: d.type,
    default: d.default === undefined ? '' : String(d.default),
    required: d.required,
    options: (d.options ?? []).map((o) => (o.label && o.label !== o.value ? `${o.value}=${o.label}` : o.value)).join('\n'),
    pattern: d.pattern ?? '',
    min: d.min === undefined ? '' : String(d.min),
    max: d.max === undefined ? '' : String(d.max),
  }));
}

function typedDefault(row: DefinitionRow): TemplateValue | undefined {
  const text = row.default.trim();
  if (text === '' || row.type === 'secret') return undefined;
  if (row.type === 'boolean') return text === 'true';
  if (row.type === 'number' || row.type === 'port') return Number.isFinite(Number(text)) ? Number(text) : text;
  return row.default;
}

const bound = (text: string): number | undefined => (text.trim() === '' || !Number.isFinite(Number(text)) ? undefined : Number(text));

/** The API's definition of a row (fields that do not apply to its type left out). */
export function definitionOf(row: DefinitionRow): TemplateVariable {
  const options = row.options
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const eq = l.indexOf('=');
      return eq > 0 ? { value: l.slice(0, eq).trim(), label: l.slice(eq + 1).trim() } : { value: l };
    });
  const lengthOrNumber = ['string', 'secret', 'number', 'port'].includes(row.type);
  const def: TemplateVariable = { name: row.name.trim(), description: row.description, type: row.type, required: row.required };
  if (row.label.trim()) def.label = row.label.trim();
  const d = typedDefault(row);
  if (d !== undefined) def.default = d;
  if (row.type === 'select') def.options = options;
  if ((row.type === 'string' || row.type === 'secret') && row.pattern.trim()) def.pattern = row.pattern.trim();
  const min = bound(row.min);
  const max = bound(row.max);
  if (lengthOrNumber && min !== undefined) def.min = min;
  if (lengthOrNumber && max !== undefined) def.max = max;
  return def;
}

/** The whole form's fields. */
export interface TemplateFormState {
  title: string;
  description: string;
  categories: string[];
  logo: string;
  compose: string;
  files: { name: string; content: string }[];
  rows: DefinitionRow[];
}

/** Body of POST /api/templates (PATCH takes the same fields). */
export function templateBody(form: TemplateFormState): CreateTemplate {
  return {
    title: form.title.trim(),
    description: form.description,
    categories: form.categories,
    logo: form.logo.trim() === '' ? null : form.logo.trim(),
    compose: form.compose,
    files: form.files,
    variables: form.rows.filter((r) => r.name.trim() !== '').map(definitionOf),
  };
}

/** The compose `${NAME}` references a template must declare (not those with a `:-`/`-` fallback). */
export function undeclaredReferences(compose: string, rows: readonly DefinitionRow[]): string[] {
  const declared = new Set(rows.map((r) => r.name.trim()));
  const found = new Set<string>();
  for (const m of compose.matchAll(/\$(?:\$|\{([A-Za-z_][A-Za-z0-9_]*)(:?[-?+])?|([A-Za-z_][A-Za-z0-9_]*))/g)) {
    const name = m[1] ?? m[3];
    if (name !== undefined && m[2] !== '-' && m[2] !== ':-' && !declared.has(name)) found.add(name);
  }
  return [...found];
}
