// Serves the built web UI (packages/web/dist) on every GET/HEAD outside the API: hashed assets
// cached for good, any other path the app shell so client-side routes survive a reload. Plain
// Fastify (the not-found handler, see app.ts), not a defineRoute route: it is no API operation
// (no permission, no schema, no audit), so the role matrix, the fuzz and the API table ignore it.
import { createReadStream, type Stats } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors.ts';
import { toProblem } from '../../http/problem.ts';
import { acceptsGzip, CACHE_IMMUTABLE, CACHE_REVALIDATE, contentTypeFor, decodedPath, isCompressible, UI_SECURITY_HEADERS, uiTarget } from './web.policy.ts';

const gzip = promisify(gzipCallback);

/** Files smaller than this go out as they are: compressing them saves less than it costs. */
const MIN_COMPRESS_BYTES = 1024;
/** Compressed copies kept in memory (the build is a few MB of text at most). */
const MAX_CACHED_BYTES = 32 * 1024 * 1024;

const NOT_BUILT = 'the web UI is not built: run `npm run build:web` (it writes packages/web/dist), or point --web-dir (CAPSTAN_WEB_DIR) at a built UI; the API works without it';

interface Compressed {
  mtimeMs: number;
  size: number;
  body: Buffer;
}

async function regularFile(file: string): Promise<Stats | null> {
  try {
    const s = await stat(file);
    return s.isFile() ? s : null;
  } catch {
    return null;
  }
}

/** The web UI build in `dir`; null: none configured (every UI path answers web_ui_not_built). */
export class WebUi {
  readonly #dir: string | null;
  readonly #compressed = new Map<string, Compressed>();
  #cachedBytes = 0;

  constructor(dir: string | null) {
    this.#dir = dir === null ? null : path.resolve(dir);
  }

  /** Whether a build is there to serve (its index.html exists). */
  async built(): Promise<boolean> {
    return this.#dir !== null && (await regularFile(path.join(this.#dir, 'index.html'))) !== null;
  }

  /** Answers one UI request (GET or HEAD outside the API), before setup and without credentials. */
  async serve(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    reply.headers(UI_SECURITY_HEADERS);
    const dir = this.#dir;
    const index = dir === null ? null : path.join(dir, 'index.html');
    const shell = index === null ? null : await regularFile(index);
    if (dir === null || index === null || shell === null) return this.#problem(req, reply, new AppError('web_ui_not_built', NOT_BUILT));
    const target = uiTarget(dir, req.url);
    switch (target.kind) {
      case 'refused':
        return this.#problem(req, reply, new AppError('not_found', `no such UI file: ${target.reason}`));
      case 'asset': {
        const found = await regularFile(target.file);
        if (!found) return this.#problem(req, reply, new AppError('not_found', 'no such UI asset: the UI was probably rebuilt since this page loaded; reload the page'));
        return this.#send(req, reply, target.file, found, CACHE_IMMUTABLE);
      }
      case 'file': {
        const found = await regularFile(target.file);
        if (found) return this.#send(req, reply, target.file, found, CACHE_REVALIDATE);
        return this.#send(req, reply, index, shell, CACHE_REVALIDATE);
      }
      case 'shell':
        return this.#send(req, reply, index, shell, CACHE_REVALIDATE);
    }
  }

  #problem(req: FastifyRequest, reply: FastifyReply, err: AppError): FastifyReply {
    const problem = toProblem(err, req.id, decodedPath(req.url) ?? '');
    return reply.code(problem.status).header('cache-control', 'no-store').type('application/problem+json').send(problem);
  }

  async #send(req: FastifyRequest, reply: FastifyReply, file: string, found: Stats, cacheControl: string): Promise<FastifyReply> {
    const type = contentTypeFor(file);
    reply.code(200).header('content-type', type).header('cache-control', cacheControl);
    const head = req.method === 'HEAD';
    if (isCompressible(type) && found.size >= MIN_COMPRESS_BYTES) {
      reply.header('vary', 'accept-encoding');
      if (acceptsGzip(req.headers['accept-encoding'])) {
        const body = await this.#gzipped(file, found);
        reply.header('content-encoding', 'gzip').header('content-length', String(body.length));
        return head ? reply.send() : reply.send(body);
      }
    }
    reply.header('content-length', String(found.size));
    return head ? reply.send() : reply.send(createReadStream(file));
  }

  /** The file gzipped, from memory while it is unchanged (a rebuild replaces it). */
  async #gzipped(file: string, found: Stats): Promise<Buffer> {
    const cached = this.#compressed.get(file);
    if (cached && cached.mtimeMs === found.mtimeMs && cached.size === found.size) return cached.body;
    const body = await gzip(await readFile(file), { level: 9 });
    if (cached) {
      this.#compressed.delete(file);
      this.#cachedBytes -= cached.body.length;
    }
    // Oldest first out: a rebuild leaves the previous hashed files unused.
    for (const [key, entry] of this.#compressed) {
      if (this.#cachedBytes + body.length <= MAX_CACHED_BYTES) break;
      this.#compressed.delete(key);
      this.#cachedBytes -= entry.body.length;
    }
    if (body.length <= MAX_CACHED_BYTES) {
      this.#compressed.set(file, { mtimeMs: found.mtimeMs, size: found.size, body });
      this.#cachedBytes += body.length;
    }
    return body;
  }
}
