// Typed template variables: whether a template's definitions make sense, and whether the values a
// caller gives pass them. Pure: plain data in, plain data out.
import type { RenderedVariable, TemplateValue, TemplateVariable } from '@capstan/protocol';

/** One thing to fix, with its path inside the request or catalogue entry (`variables.2.default`). */
export interface FieldProblem {
  path: string;
  message: string;
}

/** A `${NAME}` or `$NAME` reference in compose text; `fallback`: written with its own default (`${NAME:-x}`, `${NAME-x}`). */
export interface ComposeReference {
  name: string;
  fallback: boolean;
}

const REFERENCE = /\$(?:\$|\{([A-Za-z_][A-Za-z0-9_]*)(:?[-?+])?|([A-Za-z_][A-Za-z0-9_]*))/g;

/** Every variable the compose text interpolates, in order of first use (`$$` is a literal dollar). */
export function composeReferences(compose: string): ComposeReference[] {
  const seen = new Map<string, ComposeReference>();
  for (const m of compose.matchAll(REFERENCE)) {
    const name = m[1] ?? m[3];
    if (name === undefined) continue;
    const fallback = m[2] === '-' || m[2] === ':-';
    const known = seen.get(name);
    if (!known) seen.set(name, { name, fallback });
    else if (!fallback) known.fallback = false;
  }
  return [...seen.values()];
}

const LENGTH_TYPES = new Set<TemplateVariable['type']>(['string', 'secret']);
const NUMBER_TYPES = new Set<TemplateVariable['type']>(['number', 'port']);

/** Compiles a definition's pattern so it must match the whole value; null when it is not a valid expression. */
export function wholeValuePattern(pattern: string): RegExp | null {
  try {
    return new RegExp(`^(?:${pattern})$`, 'u');
  } catch {
    return null;
  }
}

/** Checks one value against its definition; answers the value as a stack variable holds it (a string). */
export function checkValue(def: TemplateVariable, raw: TemplateValue): { value: string } | { error: string } {
  switch (def.type) {
    case 'string':
    case 'secret': {
      if (typeof raw !== 'string') return { error: `must be a string, got ${typeof raw}` };
      const length = [...raw].length;
      if (def.min !== undefined && length < def.min) return { error: `must be at least ${def.min} characters` };
      if (def.max !== undefined && length > def.max) return { error: `must be at most ${def.max} characters` };
      if (def.pattern !== undefined) {
        const re = wholeValuePattern(def.pattern);
        if (re && !re.test(raw)) return { error: `must match the pattern ${def.pattern}` };
      }
      return { value: raw };
    }
    case 'number':
    case 'port': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw.trim()) : Number.NaN;
      if (typeof raw === 'boolean' || !Number.isFinite(n)) return { error: `must be a number, got ${JSON.stringify(raw)}` };
      if (def.type === 'port' && (!Number.isInteger(n) || n < 1 || n > 65535)) return { error: `must be a port number from 1 to 65535, got ${JSON.stringify(raw)}` };
      if (def.min !== undefined && n < def.min) return { error: `must be at least ${def.min}` };
      if (def.max !== undefined && n > def.max) return { error: `must be at most ${def.max}` };
      return { value: String(n) };
    }
    case 'boolean':
      if (raw === true || raw === 'true') return { value: 'true' };
      if (raw === false || raw === 'false') return { value: 'false' };
      return { error: `must be true or false, got ${JSON.stringify(raw)}` };
    case 'select': {
      const given = typeof raw === 'number' ? String(raw) : raw;
      const values = (def.options ?? []).map((o) => o.value);
      if (typeof given === 'string' && values.includes(given)) return { value: given };
      return { error: `must be one of ${values.map((v) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(raw)}` };
    }
  }
}

function checkBounds(def: TemplateVariable, at: string, problems: FieldProblem[]): void {
  const { min, max } = def;
  if (min === undefined && max === undefined) return;
  if (!LENGTH_TYPES.has(def.type) && !NUMBER_TYPES.has(def.type)) {
    problems.push({ path: `${at}.${min !== undefined ? 'min' : 'max'}`, message: `min and max apply to string, secret, number and port variables, not ${def.type}: remove them` });
    return;
  }
  for (const [key, bound] of [['min', min], ['max', max]] as const) {
    if (bound === undefined) continue;
    if (LENGTH_TYPES.has(def.type) && (!Number.isInteger(bound) || bound < 0)) {
      problems.push({ path: `${at}.${key}`, message: `is a length for ${def.type} variables: must be a whole number of at least 0` });
    } else if (def.type === 'port' && (!Number.isInteger(bound) || bound < 1 || bound > 65535)) {
      problems.push({ path: `${at}.${key}`, message: 'must be a port number from 1 to 65535' });
    }
  }
  if (min !== undefined && max !== undefined && min > max) problems.push({ path: `${at}.max`, message: `must not be less than min (${min})` });
}

/** Problems of one definition, each with its path below `at` (e.g. `variables.3`). */
export function checkDefinition(def: TemplateVariable, at: string): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (def.type === 'select') {
    const values = (def.options ?? []).map((o) => o.value);
    if (values.length === 0) problems.push({ path: `${at}.options`, message: 'a select variable needs at least one option' });
    const dup = values.find((v, i) => values.indexOf(v) !== i);
    if (dup !== undefined) problems.push({ path: `${at}.options`, message: `option ${JSON.stringify(dup)} is listed twice` });
  } else if (def.options !== undefined) {
    problems.push({ path: `${at}.options`, message: `options apply to select variables only, not ${def.type}: remove them or make the type select` });
  }
  if (def.pattern !== undefined) {
    if (!LENGTH_TYPES.has(def.type)) problems.push({ path: `${at}.pattern`, message: `pattern applies to string and secret variables only, not ${def.type}` });
    else if (!wholeValuePattern(def.pattern)) problems.push({ path: `${at}.pattern`, message: 'is not a valid regular expression' });
  }
  checkBounds(def, at, problems);
  if (def.default !== undefined && problems.length === 0) {
    if (def.type === 'secret') {
      problems.push({ path: `${at}.default`, message: 'a secret variable cannot have a default: its value must be given when the template is used' });
    } else {
      const checked = checkValue(def, def.default);
      if ('error' in checked) problems.push({ path: `${at}.default`, message: `the default ${checked.error}` });
    }
  }
  return problems;
}

/**
 * Problems of a template's variables as a whole: each definition, duplicate names, and compose
 * references to variables the template does not declare (unless written with a fallback).
 */
export function checkTemplateVariables(variables: readonly TemplateVariable[], compose: string): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const names = new Set<string>();
  variables.forEach((def, i) => {
    if (names.has(def.name)) problems.push({ path: `variables.${i}.name`, message: `variable ${def.name} is declared twice` });
    names.add(def.name);
    problems.push(...checkDefinition(def, `variables.${i}`));
  });
  const undeclared = composeReferences(compose).filter((r) => !r.fallback && !names.has(r.name));
  if (undeclared.length > 0) {
    const list = undeclared.map((r) => `\${${r.name}}`).join(', ');
    problems.push({
      path: 'compose',
      message: `uses ${list} but the template declares no such variable: add it to variables, write \${NAME:-default}, or escape the dollar as $$`,
    });
  }
  return problems;
}

/**
 * The values for a new stack: each given value checked against its definition, defaults filled in,
 * required ones enforced; an optional variable with no value and no default gets ''. Values for
 * names the template does not declare are problems too (a typo would otherwise be silently lost).
 */
export function resolveValues(
  variables: readonly TemplateVariable[],
  given: Readonly<Record<string, TemplateValue>>,
): { values: RenderedVariable[] } | { problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const declared = new Set(variables.map((v) => v.name));
  for (const name of Object.keys(given)) {
    if (!declared.has(name)) problems.push({ path: `variables.${name}`, message: `the template has no variable ${name}${declared.size ? ` (it has ${[...declared].join(', ')})` : ''}` });
  }
  const values: RenderedVariable[] = [];
  for (const def of variables) {
    const raw = Object.hasOwn(given, def.name) ? given[def.name] : undefined;
    const path = `variables.${def.name}`;
    const value = raw === undefined || raw === '' ? def.default : raw;
    if (value === undefined) {
      if (def.required) problems.push({ path, message: `is required${def.label && def.label !== def.name ? ` (${def.label})` : ''}: give a value` });
      else values.push({ name: def.name, value: '', secret: def.type === 'secret' });
      continue;
    }
    const checked = checkValue(def, value);
    if ('error' in checked) problems.push({ path, message: checked.error });
    else values.push({ name: def.name, value: checked.value, secret: def.type === 'secret' });
  }
  return problems.length > 0 ? { problems } : { values };
}
