// The agent's side of snapshot hashing: sha256 over the protocol's canonical form.
import { createHash } from 'node:crypto';
import { canonicalSnapshot, type EngineSnapshot } from '@capstan/protocol';

/** sha256 hex of the snapshot's canonical form; the server recomputes it the same way. */
export function snapshotHash(s: EngineSnapshot): string {
  return createHash('sha256').update(canonicalSnapshot(s), 'utf8').digest('hex');
}
