// Reading a catalogue document: the envelope must be sound, each entry is checked on its own and a bad
// one is left out with a reason rather than failing the whole catalogue. Pure.
import { CatalogueEntrySchema, type CatalogueEntry, type SkippedCatalogueEntry } from '@capstan/protocol';
import type { z } from 'zod';
import { checkTemplateVariables } from './template-variables.ts';

/** Most entries one catalogue may hold; the rest are skipped. */
export const MAX_CATALOGUE_ENTRIES = 1000;

export type ParsedCatalogue =
  | { ok: true; templates: CatalogueEntry[]; skipped: SkippedCatalogueEntry[] }
  | { ok: false; error: string };

function zodReason(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : '(entry)'}: ${i.message}`)
    .join('; ');
}

function idOf(entry: unknown): string | null {
  if (typeof entry !== 'object' || entry === null || !('id' in entry)) return null;
  const id = entry.id;
  return typeof id === 'string' ? id.slice(0, 64) : null;
}

/**
 * Parses catalogue JSON: `{ "templates": [ … ] }` (or a bare array). Answers `ok: false` only when the
 * document itself is unusable (not JSON, no template list); bad entries land in `skipped`.
 */
export function parseCatalogue(text: string): ParsedCatalogue {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `the catalogue is not valid JSON (${err instanceof Error ? err.message : String(err)})` };
  }
  const list: unknown = Array.isArray(doc) ? doc : typeof doc === 'object' && doc !== null ? (doc as { templates?: unknown }).templates : undefined;
  if (!Array.isArray(list)) return { ok: false, error: 'the catalogue must be a JSON object with a "templates" array (or a bare array of templates)' };

  const templates: CatalogueEntry[] = [];
  const skipped: SkippedCatalogueEntry[] = [];
  const ids = new Set<string>();
  list.forEach((raw: unknown, index) => {
    const id = idOf(raw);
    if (index >= MAX_CATALOGUE_ENTRIES) {
      skipped.push({ index, id, reason: `the catalogue holds more than ${MAX_CATALOGUE_ENTRIES} templates` });
      return;
    }
    const parsed = CatalogueEntrySchema.safeParse(raw);
    if (!parsed.success) {
      skipped.push({ index, id, reason: zodReason(parsed.error) });
      return;
    }
    const entry = parsed.data;
    const problems = checkTemplateVariables(entry.variables, entry.compose);
    if (problems.length > 0) {
      skipped.push({ index, id, reason: problems.map((p) => `${p.path}: ${p.message}`).join('; ') });
      return;
    }
    if (ids.has(entry.id)) {
      skipped.push({ index, id, reason: `id "${entry.id}" is used by an earlier entry` });
      return;
    }
    ids.add(entry.id);
    templates.push(entry);
  });
  return { ok: true, templates, skipped };
}
