// What the tunnel session expects from the executor serving one stream the server opened.
import type { IncomingMessage } from 'node:http';
import type { HttpRequestHead, MuxStream } from '@capstan/protocol';
import { ackHeaders } from './headers.ts';
import type { EngineConnector } from '../engine/engine-connector.ts';
import type { Logger } from '../log/logger.ts';

/** Pause an engine source once this many bytes wait in the stream (the peer is not granting credit). */
export const SOURCE_HIGH_WATER = 512 * 1024;
/** Resume it once the queue drained below this. */
export const SOURCE_LOW_WATER = 128 * 1024;

/** What an executor gets: its stream, the request, the engine, and how to ask the session to send. */
export interface StreamContext {
  readonly stream: MuxStream;
  readonly head: HttpRequestHead;
  readonly engine: EngineConnector;
  /** Call after writing to, ending, accepting or resetting the stream: the session flushes soon. */
  readonly wake: () => void;
  readonly log: Logger;
}

/** One stream's executor; the session routes the stream's events here. */
export interface StreamHandler {
  /** Bytes from the server; call stream.consumed(payload.length) once they left for the engine. */
  onData(payload: Uint8Array): void;
  /** The server half-closed its direction. */
  onEnd(): void;
  /** Frames were sent: resume paused sources if the stream's queue drained. */
  onDrain(): void;
  /** The stream is closed (either way, or the connection went down): release every engine resource. */
  dispose(): void;
}

/**
 * Resets a stream after an engine failure (before the ack the Mux turns it into an open-reject);
 * false when the stream was already closed and there is nothing to do.
 */
export function resetOnEngineFailure(ctx: StreamContext, what: string, err: Error): boolean {
  const { stream, wake, log } = ctx;
  if (stream.phase === 'closed') return false;
  log.debug(what, { streamId: stream.id, path: ctx.head.path, error: err.message });
  stream.reset(stream.phase === 'pending' ? 'upstream_unavailable' : 'upstream_error', err.message);
  wake();
  return true;
}

/** Acks the stream with the engine's response head; the error when the ack could not be built. */
export function ackEngineResponse(ctx: StreamContext, res: IncomingMessage, fallbackStatus: number): Error | null {
  try {
    ctx.stream.accept({ status: res.statusCode ?? fallbackStatus, headers: ackHeaders(res.rawHeaders) });
    return null;
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}
