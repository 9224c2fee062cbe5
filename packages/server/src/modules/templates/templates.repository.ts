import type { Kysely, Selectable, Transaction } from 'kysely';
import type { CreateTemplate, TemplateFile, TemplateVariable, UpdateTemplate } from '@capstan/protocol';
import type { MainDatabase, TemplatesTable } from '../../db/schema.ts';

type Db = Kysely<MainDatabase> | Transaction<MainDatabase>;

/** A custom template as stored, JSON columns decoded. */
export interface StoredTemplate {
  id: number;
  title: string;
  description: string;
  categories: string[];
  logo: string | null;
  compose: string;
  files: TemplateFile[];
  variables: TemplateVariable[];
  createdBy: number | null;
  createdAt: string;
  updatedAt: string;
}

/** The last good catalogue fetched from a URL. */
export interface CachedCatalogue {
  url: string;
  body: string;
  fetchedAt: string;
}

const CACHE_KEY = 'templates_catalogue_cache';

function decode(r: Selectable<TemplatesTable>): StoredTemplate {
  return {
    id: Number(r.id),
    title: r.title,
    description: r.description,
    categories: JSON.parse(r.categories) as string[],
    logo: r.logo,
    compose: r.compose,
    files: JSON.parse(r.files) as TemplateFile[],
    variables: JSON.parse(r.variables) as TemplateVariable[],
    createdBy: r.createdBy === null ? null : Number(r.createdBy),
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

/** Custom templates, and the cached copy of a URL catalogue (a row of `settings`). */
export class TemplatesRepository {
  private readonly db: Kysely<MainDatabase>;

  constructor(db: Kysely<MainDatabase>) {
    this.db = db;
  }

  /** Every custom template, oldest first. */
  async list(): Promise<StoredTemplate[]> {
    const rows = await this.db.selectFrom('templates').selectAll().orderBy('id').execute();
    return rows.map(decode);
  }

  async get(id: number, db: Db = this.db): Promise<StoredTemplate | undefined> {
    const r = await db.selectFrom('templates').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? decode(r) : undefined;
  }

  async titleTaken(title: string, exceptId?: number): Promise<boolean> {
    let q = this.db.selectFrom('templates').select('id').where('titleKey', '=', title.toLowerCase());
    if (exceptId !== undefined) q = q.where('id', '!=', exceptId);
    return (await q.executeTakeFirst()) !== undefined;
  }

  async insert(trx: Db, t: CreateTemplate, createdBy: number | null): Promise<number> {
    const now = new Date().toISOString();
    const row = await trx
      .insertInto('templates')
      .values({
        title: t.title,
        titleKey: t.title.toLowerCase(),
        description: t.description,
        categories: JSON.stringify(t.categories),
        logo: t.logo,
        compose: t.compose,
        files: JSON.stringify(t.files),
        variables: JSON.stringify(t.variables),
        createdBy,
        createdAt: now,
        updatedAt: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(row.id);
  }

  async update(trx: Db, id: number, patch: UpdateTemplate): Promise<void> {
    await trx
      .updateTable('templates')
      .set({
        ...(patch.title !== undefined ? { title: patch.title, titleKey: patch.title.toLowerCase() } : {}),
        ...(patch.description !== undefined ? { description: patch.description } : {}),
        ...(patch.categories !== undefined ? { categories: JSON.stringify(patch.categories) } : {}),
        ...(patch.logo !== undefined ? { logo: patch.logo } : {}),
        ...(patch.compose !== undefined ? { compose: patch.compose } : {}),
        ...(patch.files !== undefined ? { files: JSON.stringify(patch.files) } : {}),
        ...(patch.variables !== undefined ? { variables: JSON.stringify(patch.variables) } : {}),
        updatedAt: new Date().toISOString(),
      })
      .where('id', '=', id)
      .execute();
  }

  async delete(trx: Db, id: number): Promise<void> {
    await trx.deleteFrom('templates').where('id', '=', id).execute();
  }

  /** The cached URL catalogue, if any (whatever URL it came from: the caller compares). */
  async loadCache(): Promise<CachedCatalogue | null> {
    const row = await this.db.selectFrom('settings').select('value').where('key', '=', CACHE_KEY).executeTakeFirst();
    if (!row) return null;
    try {
      const v = JSON.parse(row.value) as Partial<CachedCatalogue>;
      return typeof v.url === 'string' && typeof v.body === 'string' && typeof v.fetchedAt === 'string' ? { url: v.url, body: v.body, fetchedAt: v.fetchedAt } : null;
    } catch {
      return null;
    }
  }

  async saveCache(c: CachedCatalogue): Promise<void> {
    const value = JSON.stringify(c);
    await this.db
      .insertInto('settings')
      .values({ key: CACHE_KEY, value })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
      .execute();
  }
}
