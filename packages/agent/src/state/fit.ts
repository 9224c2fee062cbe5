// Keeps a snapshot frame within one control frame. Pure. A huge host must still report something:
// rather than failing, the least useful data goes first and the snapshot says it is truncated.
import { MAX_CONTROL_PAYLOAD, type EngineSnapshot } from '@capstan/protocol';

const HASH_PLACEHOLDER = '0'.repeat(64);

/** Bytes of the `snapshot` control frame that would carry `s` (its JSON, as the codec encodes it). */
export function snapshotFrameBytes(s: EngineSnapshot): number {
  return Buffer.byteLength(JSON.stringify({ type: 'snapshot', hash: HASH_PLACEHOLDER, snapshot: s }), 'utf8');
}

type Trim = (s: EngineSnapshot) => EngineSnapshot;

// Least important first: labels (compose membership is already its own field), then the details
// of items (commands, ports, digests). Whole items go only when that is still not enough.
const TRIMS: readonly Trim[] = [
  (s) => ({
    ...s,
    containers: s.containers.map((c) => ({ ...c, labels: {} })),
    volumes: s.volumes.map((v) => ({ ...v, labels: {} })),
    networks: s.networks.map((n) => ({ ...n, labels: {} })),
  }),
  (s) => ({
    ...s,
    containers: s.containers.map((c) => ({ ...c, command: '', ports: [] })),
    images: s.images.map((i) => ({ ...i, repoDigests: [] })),
  }),
];

// Collections whose items are dropped from the end, in this order, when trimming details is not enough.
const DROP_ORDER = ['images', 'volumes', 'networks', 'composeProjects', 'containers'] as const;

/** Drops items (DROP_ORDER, from the end of each collection) worth at least `bytes` of JSON. */
function dropItems(s: EngineSnapshot, bytes: number): EngineSnapshot {
  const out: EngineSnapshot = { ...s };
  let left = bytes;
  for (const name of DROP_ORDER) {
    const items: unknown[] = [...out[name]];
    while (left > 0 && items.length > 0) left -= Buffer.byteLength(JSON.stringify(items.pop()), 'utf8') + 1;
    (out as Record<typeof name, unknown[]>)[name] = items;
    if (left <= 0) break;
  }
  return out;
}

/**
 * The snapshot itself when its frame fits in `maxBytes`; otherwise a reduced copy that fits,
 * marked `truncated`. Never returns a frame over the limit for snapshots the schema accepts.
 */
export function fitSnapshot(s: EngineSnapshot, maxBytes: number = MAX_CONTROL_PAYLOAD): EngineSnapshot {
  let size = snapshotFrameBytes(s);
  if (size <= maxBytes) return s;
  let out: EngineSnapshot = { ...s, truncated: true };
  for (const trim of TRIMS) {
    out = trim(out);
    size = snapshotFrameBytes(out);
    if (size <= maxBytes) return out;
  }
  // Item sizes are measured alone: allow a little for separators the estimate misses.
  while (size > maxBytes) {
    const before = size;
    out = dropItems(out, size - maxBytes + 256);
    size = snapshotFrameBytes(out);
    if (size >= before) break;
  }
  return out;
}
