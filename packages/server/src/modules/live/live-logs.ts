// Container logs, followed: the engine's log stream (demultiplexed unless the container has a TTY)
// becomes JSON chunks {stream, data}; {type:'end'} when the container's log ends.
import type { LogChunkMessage, LogsQuery } from '@capstan/protocol';
import { DockerDemuxer } from './docker-stream.ts';
import { inspectContainer } from './engine-calls.ts';
import { followedSession } from './followed.ts';
import type { FeatureDeps, LiveSession, LiveTarget } from './live.types.ts';
import { json } from './ws-relay.ts';

/** The engine's logs path for a followed log with the query's history options. */
export function logsPath(containerId: string, query: LogsQuery): string {
  const params = new URLSearchParams({ follow: '1', stdout: '1', stderr: '1', tail: String(query.tail) });
  if (query.timestamps) params.set('timestamps', '1');
  if (query.since !== undefined) params.set('since', String(query.since));
  return `/containers/${encodeURIComponent(containerId)}/logs?${params.toString()}`;
}

/** Turns raw log bytes into chunk messages, keeping multi-byte characters split across chunks intact. */
export class LogChunker {
  readonly #demux: DockerDemuxer | null;
  readonly #decoders = { stdout: new TextDecoder(), stderr: new TextDecoder() };

  /** `tty`: the container's output is one raw stream (no frame headers). */
  constructor(tty: boolean) {
    this.#demux = tty ? null : new DockerDemuxer();
  }

  /** Messages for one chunk of the engine's stream. */
  push(chunk: Uint8Array): LogChunkMessage[] {
    const pieces = this.#demux ? this.#demux.push(chunk) : [{ stream: 1, payload: chunk }];
    const out: LogChunkMessage[] = [];
    for (const piece of pieces) {
      const stream = piece.stream === 2 || piece.stream === 3 ? 'stderr' : 'stdout';
      const data = this.#decoders[stream].decode(piece.payload, { stream: true });
      if (data.length > 0) out.push({ stream, data });
    }
    return out;
  }

  /** Whatever partial characters are left once the stream ended. */
  finish(): LogChunkMessage[] {
    const out: LogChunkMessage[] = [];
    for (const stream of ['stdout', 'stderr'] as const) {
      const data = this.#decoders[stream].decode();
      if (data.length > 0) out.push({ stream, data });
    }
    return out;
  }
}

/** Opens the followed log on the engine; throws AppError (404 container, 503 offline…) before any upgrade. */
export async function prepareLogs(deps: FeatureDeps, target: LiveTarget, query: LogsQuery): Promise<LiveSession> {
  const container = await inspectContainer(deps.tunnel, target.environmentId, target.containerId);
  return followedSession(deps, target, logsPath(container.id, query), () => {
    const chunker = new LogChunker(container.tty);
    return {
      transform: (chunk) => chunker.push(chunk).map(json),
      finish: () => [...chunker.finish().map(json), json({ type: 'end' })],
    };
  });
}
