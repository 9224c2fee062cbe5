// Flag parsing on top of node:util parseArgs: typed accessors that turn bad input into UsageError.
import { parseArgs } from 'node:util';
import { IdSchema } from '@capstan/protocol';
import { UsageError } from './errors.ts';

export interface OptionDescriptor {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
}
export type OptionTable = Readonly<Record<string, OptionDescriptor>>;
export type OptionValues = Readonly<Record<string, string | boolean | Array<string | boolean> | undefined>>;

/** Options every command accepts, wherever they appear on the line. */
export const GLOBAL_OPTIONS = {
  json: { type: 'boolean' },
  config: { type: 'string' },
  url: { type: 'string' },
  'api-key': { type: 'string' },
  insecure: { type: 'boolean' },
  'ca-file': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies OptionTable;

export interface GlobalOptions {
  json: boolean;
  help: boolean;
  config: string | undefined;
  url: string | undefined;
  apiKey: string | undefined;
  insecure: boolean;
  caFile: string | undefined;
}

/** The global options found in parsed values. */
export function globalOptions(values: OptionValues): GlobalOptions {
  return {
    json: flag(values, 'json'),
    help: flag(values, 'help'),
    config: str(values, 'config'),
    url: str(values, 'url'),
    apiKey: str(values, 'api-key'),
    insecure: flag(values, 'insecure'),
    caFile: str(values, 'ca-file'),
  };
}

export interface Located {
  /** Positional words in order, with their index in argv. */
  words: Array<{ index: number; value: string }>;
  values: OptionValues;
}

/** A lenient first pass: finds the command words without knowing the command's own options yet. */
export function locateWords(argv: readonly string[]): Located {
  const { tokens, values } = parseArgs({
    args: [...argv],
    options: GLOBAL_OPTIONS,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const words = tokens.flatMap((t) => (t.kind === 'positional' ? [{ index: t.index, value: t.value }] : []));
  return { words, values };
}

/** Strict parse of one command's flags and positionals; unknown or malformed flags become UsageError. */
export function parseCommandLine(
  argv: readonly string[],
  options: OptionTable,
  usage: string,
): { positionals: string[]; values: OptionValues } {
  try {
    const { positionals, values } = parseArgs({
      args: [...argv],
      options: { ...GLOBAL_OPTIONS, ...options },
      strict: true,
      allowPositionals: true,
    });
    return { positionals, values };
  } catch (err) {
    // Node's messages carry a long hint about `--`; the first sentence is the useful part.
    const first = err instanceof Error ? (err.message.split(/\.\s/)[0] ?? err.message) : String(err);
    throw new UsageError(first.charAt(0).toLowerCase() + first.slice(1), usage);
  }
}

/** The string value of an option, or undefined when absent. */
export function str(values: OptionValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

/** All string values of a repeatable option. */
export function strs(values: OptionValues, name: string): string[] {
  const v = values[name];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return typeof v === 'string' ? [v] : [];
}

/** True when a boolean option was given. */
export function flag(values: OptionValues, name: string): boolean {
  return values[name] === true;
}

/** A positive database id typed by the user; UsageError naming `label` otherwise. */
export function parseId(raw: string, label: string, usage: string | null = null): number {
  const parsed = /^\d+$/.test(raw) ? IdSchema.safeParse(raw) : null;
  if (!parsed?.success) throw new UsageError(`${label} must be a positive whole number, got "${raw}"`, usage);
  return parsed.data;
}

/** A whole-number option within [min, max], or undefined when absent; UsageError otherwise. */
export function intOption(
  values: OptionValues,
  name: string,
  min: number,
  max: number,
  usage: string,
): number | undefined {
  const raw = str(values, name);
  if (raw === undefined) return undefined;
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got "${raw}"`, usage);
  }
  return n;
}
