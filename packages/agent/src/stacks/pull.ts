// Image pulls for stacks: credentials chosen by the image's registry (X-Registry-Auth), the engine's
// progress stream turned into throttled `pull` progress events, and registry digest checks through
// the engine's distribution endpoint (GET /distribution/{name}/json) for plans with a pull check.
import { parseImageReference, type CommandProgressEvent, type RegistryAuth } from '@capstan/protocol';
import type { EngineConnector } from '../engine/engine-connector.ts';
import { engineMessage, engineRequest, readBody } from '../commands/engine-api.ts';
import { splitImageReference } from '../commands/image-ref.ts';
import { credentialsFor, pullError, registryAuthHeader } from '../commands/registry-auth.ts';
import { expectCall, json, query } from './engine-client.ts';

/** Headers for a registry call about `reference`: X-Registry-Auth when a credential matches its registry. */
export function registryHeaders(reference: string, auths: readonly RegistryAuth[]): Record<string, string> {
  const auth = credentialsFor(reference, auths);
  return auth ? { 'X-Registry-Auth': registryAuthHeader(auth) } : {};
}

/** Fewest milliseconds between two byte-count updates of one layer. */
const PROGRESS_INTERVAL_MS = 500;

/**
 * Reads a pull's JSON-lines stream (split anywhere): the first error, and progress events, a status
 * change of a layer always, byte counts at most every PROGRESS_INTERVAL_MS per layer.
 */
export class PullStream {
  error: string | null = null;
  readonly #image: string;
  readonly #emit: (event: CommandProgressEvent) => void;
  readonly #now: () => number;
  readonly #layers = new Map<string, { status: string; at: number }>();
  #rest = '';

  constructor(image: string, emit: (event: CommandProgressEvent) => void, now: () => number = Date.now) {
    this.#image = image;
    this.#emit = emit;
    this.#now = now;
  }

  /** Feeds a piece of the stream. */
  push(text: string): void {
    const lines = (this.#rest + text).split('\n');
    this.#rest = lines.pop() ?? '';
    for (const l of lines) this.#line(l);
    if (this.#rest.length > 1024 * 1024) this.#rest = '';
  }

  /** The stream ended. */
  end(): void {
    this.#line(this.#rest);
    this.#rest = '';
  }

  #line(text: string): void {
    if (!text.trim()) return;
    let msg: { status?: unknown; id?: unknown; error?: unknown; errorDetail?: { message?: unknown }; progressDetail?: { current?: unknown; total?: unknown } };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      return;
    }
    if (typeof msg.error === 'string' || msg.errorDetail) {
      const detail = msg.errorDetail?.message;
      this.error ??= (typeof msg.error === 'string' ? msg.error : typeof detail === 'string' ? detail : 'pull failed').slice(0, 4000);
      return;
    }
    if (typeof msg.status !== 'string') return;
    const status = msg.status.slice(0, 128);
    const layer = typeof msg.id === 'string' ? msg.id.slice(0, 128) : undefined;
    const now = this.#now();
    const key = layer ?? '';
    const last = this.#layers.get(key);
    if (last && last.status === status && now - last.at < PROGRESS_INTERVAL_MS) return;
    this.#layers.set(key, { status, at: now });
    const count = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined);
    const current = count(msg.progressDetail?.current);
    const total = count(msg.progressDetail?.total);
    this.#emit({
      type: 'pull',
      image: this.#image.slice(0, 512),
      ...(layer !== undefined ? { layer } : {}),
      status,
      ...(current !== undefined ? { current } : {}),
      ...(total !== undefined ? { total } : {}),
    });
  }
}

/** Pulls `reference` (a tag or repo@sha256 pin), reporting progress; throws with the engine's or registry's message. */
export async function pullImage(engine: EngineConnector, reference: string, auths: readonly RegistryAuth[], emit: (event: CommandProgressEvent) => void): Promise<void> {
  const { fromImage, tag } = splitImageReference(reference);
  const res = await engineRequest(engine, 'POST', `/images/create${query({ fromImage, tag: tag || undefined })}`, undefined, { headers: registryHeaders(reference, auths) });
  const auth = credentialsFor(reference, auths);
  if (res.statusCode !== 200) throw new Error(pullError(reference, engineMessage({ status: res.statusCode ?? 0, body: await readBody(res) }), auth).message);
  const stream = new PullStream(reference, emit);
  await new Promise<void>((resolve, reject) => {
    res.setEncoding('utf8');
    res.on('data', (c: string) => stream.push(c));
    res.once('end', resolve);
    res.once('close', resolve);
    res.once('error', reject);
  });
  stream.end();
  if (stream.error !== null) throw new Error(pullError(reference, stream.error, auth).message);
}

/** The manifest digest the registry has for `reference` now (GET /distribution/{name}/json). */
export async function registryDigest(engine: EngineConnector, reference: string, auths: readonly RegistryAuth[]): Promise<string> {
  const answer = await expectCall(engine, `cannot check ${reference} in its registry`, [200], 'GET', `/distribution/${encodeURIComponent(reference)}/json`, undefined, registryHeaders(reference, auths));
  const descriptor = json(answer).Descriptor as { digest?: unknown } | undefined;
  if (typeof descriptor?.digest !== 'string') throw new Error(`the registry answered no digest for ${reference}`);
  return descriptor.digest;
}

/**
 * The digest an image reference is used by, for exact rollbacks: the pin itself, else the
 * RepoDigest of the local image for the same repository, else its image id (an image that never
 * came from a registry can still be found by id on this engine).
 */
export async function usedImageDigest(engine: EngineConnector, reference: string): Promise<string | null> {
  const r = parseImageReference(reference);
  if (r.digest !== null) return reference;
  const answer = await expectCall(engine, `cannot inspect image ${reference}`, [200, 404], 'GET', `/images/${encodeURIComponent(reference)}/json`);
  if (answer.status === 404) return null;
  const image = json(answer);
  const digests = Array.isArray(image.RepoDigests) ? image.RepoDigests.filter((d): d is string => typeof d === 'string') : [];
  const own = digests.find((d) => parseImageReference(d).familiar === r.familiar) ?? digests[0];
  if (own) return own;
  return typeof image.Id === 'string' ? image.Id : null;
}
