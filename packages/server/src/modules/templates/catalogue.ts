// The read-only template catalogue: loaded from a file or fetched from a URL, refreshed periodically.
// A failed load (unreachable URL, broken JSON) keeps serving the last good copy and says why in the
// status; invalid entries are skipped with a reason. Nothing here may crash the server.
import { readFile, stat } from 'node:fs/promises';
import type { FastifyBaseLogger } from 'fastify';
import type { CatalogueEntry, CatalogueStatus, SkippedCatalogueEntry } from '@capstan/protocol';
import { parseCatalogue } from './catalogue-parse.ts';
import type { CachedCatalogue } from './templates.repository.ts';

/** Where the catalogue comes from; `url` replaces `file` when both are given. */
export interface CatalogueOptions {
  file: string | null;
  url: string | null;
  refreshIntervalMs: number;
  /** Whole fetch (connect, headers, body) must finish within this; default 10 s. */
  fetchTimeoutMs?: number;
}

/** Persistence of the last good URL catalogue across restarts. */
export interface CatalogueCacheStore {
  loadCache(): Promise<CachedCatalogue | null>;
  saveCache(c: CachedCatalogue): Promise<void>;
}

/** Largest catalogue document read from a file or URL. */
export const MAX_CATALOGUE_BYTES = 8 * 1024 * 1024;
const DEFAULT_FETCH_TIMEOUT_MS = 10_000;

/** The URL as shown in status and logs: no credentials, query or fragment (they may hold tokens). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

function errorText(err: unknown): string {
  if (err instanceof Error) {
    if (err.name === 'TimeoutError') return 'no complete answer in time';
    const cause = (err as { cause?: unknown }).cause;
    return cause instanceof Error ? `${err.message}: ${cause.message}` : err.message;
  }
  return String(err);
}

/** Reads a response body, refusing one larger than `max` bytes. */
async function readCapped(res: Response, max: number): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > max) throw new Error(`the catalogue is ${declared} bytes, more than the ${max} allowed`);
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > max) throw new Error(`the catalogue is more than the ${max} bytes allowed`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The catalogue in memory plus how it was loaded; `refresh()` reloads from its source. */
export class Catalogue {
  private readonly opts: CatalogueOptions;
  private readonly log: FastifyBaseLogger;
  private readonly cache: CatalogueCacheStore;
  private templates: CatalogueEntry[] = [];
  private skipped: SkippedCatalogueEntry[] = [];
  private loadedAt: string | null = null;
  private lastAttemptAt: string | null = null;
  private lastError: string | null = null;
  private inFlight: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(opts: CatalogueOptions, deps: { log: FastifyBaseLogger; cache: CatalogueCacheStore }) {
    this.opts = opts;
    this.log = deps.log;
    this.cache = deps.cache;
  }

  private get kind(): 'file' | 'url' | 'none' {
    return this.opts.url ? 'url' : this.opts.file ? 'file' : 'none';
  }

  /**
   * First load, then periodic refreshes. A file is read before this resolves; a URL serves its cached
   * copy at once and is fetched in the background, so a slow or dead URL never delays start-up.
   */
  async start(): Promise<void> {
    if (this.kind === 'none') return;
    if (this.kind === 'url') {
      const cached = await this.cache.loadCache().catch((err: unknown) => {
        this.log.warn({ err }, 'could not read the cached template catalogue');
        return null;
      });
      if (cached && cached.url === this.opts.url) this.apply(cached.body, cached.fetchedAt, 'cache');
      void this.refresh();
    } else {
      await this.refresh();
    }
    this.timer = setInterval(() => void this.refresh(), this.opts.refreshIntervalMs);
    this.timer.unref();
  }

  /** Reloads from the source; concurrent callers share one attempt. Never rejects. */
  refresh(): Promise<void> {
    if (this.closed || this.kind === 'none') return Promise.resolve();
    this.inFlight ??= this.load().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  /** Resolves once no load is running (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.inFlight) await this.inFlight;
  }

  /** Stops refreshing and waits for a running load. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.settled();
  }

  /** The templates now served, in catalogue order. */
  list(): readonly CatalogueEntry[] {
    return this.templates;
  }

  get(id: string): CatalogueEntry | undefined {
    return this.templates.find((t) => t.id === id);
  }

  status(): CatalogueStatus {
    const location = this.opts.url ? redactUrl(this.opts.url) : this.opts.file;
    return {
      source: { kind: this.kind, location },
      refreshIntervalMs: this.kind === 'none' ? null : this.opts.refreshIntervalMs,
      state: this.kind === 'none' ? 'ok' : this.lastAttemptAt === null ? 'loading' : this.lastError === null ? 'ok' : 'error',
      loadedAt: this.loadedAt,
      lastAttemptAt: this.lastAttemptAt,
      lastError: this.lastError,
      templates: this.templates.length,
      skipped: this.skipped,
    };
  }

  private async load(): Promise<void> {
    const at = new Date().toISOString();
    try {
      const body = this.opts.url ? await this.fetchUrl(this.opts.url) : await this.readFile(this.opts.file ?? '');
      if (this.closed) return;
      const error = this.apply(body, at, this.kind);
      if (error) throw new Error(error);
      this.lastError = null;
      if (this.opts.url) {
        await this.cache.saveCache({ url: this.opts.url, body, fetchedAt: at }).catch((err: unknown) => {
          this.log.warn({ err }, 'could not cache the template catalogue');
        });
      }
    } catch (err) {
      this.lastError = errorText(err);
      this.log.warn(
        { source: this.status().source, error: this.lastError, serving: this.templates.length },
        'template catalogue not loaded; still serving the last good copy',
      );
    } finally {
      this.lastAttemptAt = at;
    }
  }

  /** Replaces the served templates with `body`'s; answers an error (and changes nothing) when the document is unusable. */
  private apply(body: string, at: string, from: string): string | null {
    const parsed = parseCatalogue(body);
    if (!parsed.ok) return parsed.error;
    this.templates = parsed.templates;
    this.skipped = parsed.skipped;
    this.loadedAt = at;
    for (const s of parsed.skipped) this.log.warn({ index: s.index, id: s.id, reason: s.reason, from }, 'template catalogue entry skipped');
    this.log.info({ templates: parsed.templates.length, skipped: parsed.skipped.length, from }, 'template catalogue loaded');
    return null;
  }

  private async readFile(file: string): Promise<string> {
    const info = await stat(file);
    if (!info.isFile()) throw new Error(`${file} is not a regular file`);
    if (info.size > MAX_CATALOGUE_BYTES) throw new Error(`${file} is ${info.size} bytes, more than the ${MAX_CATALOGUE_BYTES} allowed`);
    return readFile(file, 'utf8');
  }

  private async fetchUrl(url: string): Promise<string> {
    const signal = AbortSignal.timeout(this.opts.fetchTimeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS);
    const res = await fetch(url, { signal, headers: { accept: 'application/json' } });
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      throw new Error(`${redactUrl(url)} answered HTTP ${res.status}`);
    }
    return readCapped(res, MAX_CATALOGUE_BYTES);
  }
}
