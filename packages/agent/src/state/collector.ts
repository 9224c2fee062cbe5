// The I/O half of the snapshot: asks the engine the six questions a snapshot answers and maps the
// replies (docker-mapping.ts). Plain GETs over the connector's keep-alive pool.
import type { EngineSnapshot } from '@capstan/protocol';
import type { EngineConnector } from '../engine/engine-connector.ts';
import { toSnapshot } from './docker-mapping.ts';

const REQUEST_TIMEOUT_MS = 30_000;
/** Larger answers are refused: a runaway body must not exhaust the agent's memory. */
const MAX_ANSWER_BYTES = 256 * 1024 * 1024;

/** GETs `path` from the engine and parses the JSON body; rejects on any status but 200. */
export function getJson(engine: EngineConnector, path: string, timeoutMs = REQUEST_TIMEOUT_MS): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = engine.request({ method: 'GET', path, headers: { accept: 'application/json' } });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`GET ${path}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_ANSWER_BYTES) req.destroy(new Error(`GET ${path}: answer larger than ${MAX_ANSWER_BYTES} bytes`));
        else chunks.push(c);
      });
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) return reject(new Error(`GET ${path} answered HTTP ${res.statusCode}: ${text.slice(0, 200)}`));
        try {
          resolve(JSON.parse(text));
        } catch {
          reject(new Error(`GET ${path} answered malformed JSON`));
        }
      });
    });
    req.end();
  });
}

/** Collects the engine's current state; rejects when the engine does not answer all six calls. */
export async function collectSnapshot(engine: EngineConnector, now: () => Date = () => new Date()): Promise<EngineSnapshot> {
  const takenAt = now().toISOString();
  const [info, version, containers, images, volumes, networks] = await Promise.all([
    getJson(engine, '/info'),
    getJson(engine, '/version'),
    getJson(engine, '/containers/json?all=1'),
    getJson(engine, '/images/json'),
    getJson(engine, '/volumes'),
    getJson(engine, '/networks'),
  ]);
  return toSnapshot({ info, version, containers, images, volumes, networks }, takenAt);
}
