// Serves a 'docker-http' stream: one Docker Engine API request to the local engine, the request body
// from the stream's data, the response head in the open-ack and the response body as stream data.
import type { ClientRequest, IncomingMessage } from 'node:http';
import { contentLength, engineRequestHeaders, requestHasBody } from './headers.ts';
import { SourcePump } from './source-pump.ts';
import { ackEngineResponse, resetOnEngineFailure, type StreamContext, type StreamHandler } from './stream-handler.ts';

const BODYLESS_METHODS = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS']);

/** True when the request head says a body follows in stream data (else the request is sent at once). */
export function expectsBody(method: string, headers: Parameters<typeof requestHasBody>[0]): boolean {
  if (requestHasBody(headers)) return true;
  const declaresLength = Object.keys(headers).some((k) => k.toLowerCase() === 'content-length');
  if (declaresLength) return contentLength(headers) > 0;
  return !BODYLESS_METHODS.has(method);
}

/** Executor for one docker-http stream; the engine request starts in the constructor. */
export class HttpExecutor implements StreamHandler {
  readonly #ctx: StreamContext;
  readonly #req: ClientRequest;
  #requestEnded = false;
  #res: IncomingMessage | undefined;
  #pump: SourcePump | undefined;
  #disposed = false;

  constructor(ctx: StreamContext) {
    this.#ctx = ctx;
    const { head } = ctx;
    this.#req = ctx.engine.request({ method: head.method, path: head.path, headers: engineRequestHeaders(head.headers) });
    this.#req.on('response', (res) => this.#onResponse(res));
    this.#req.on('error', (err) => this.#fail(err));
    if (!expectsBody(head.method, head.headers)) this.#endRequest();
  }

  onData(payload: Uint8Array): void {
    const { stream } = this.#ctx;
    const n = payload.length;
    if (this.#requestEnded || this.#disposed) {
      stream.consumed(n);
      return;
    }
    this.#req.write(payload, () => {
      if (stream.unconsumedBytes >= n) stream.consumed(n);
      this.#ctx.wake();
    });
  }

  onEnd(): void {
    this.#endRequest();
  }

  onDrain(): void {
    this.#pump?.drain();
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    // A finished exchange leaves its connection in the keep-alive pool; anything else is aborted.
    if (!this.#pump?.ended || !this.#requestEnded) {
      this.#res?.destroy();
      this.#req.destroy();
    }
  }

  #endRequest(): void {
    if (this.#requestEnded) return;
    this.#requestEnded = true;
    this.#req.end();
  }

  #onResponse(res: IncomingMessage): void {
    const { stream, wake } = this.#ctx;
    this.#res = res;
    if (this.#disposed) return void res.destroy();
    const ackError = ackEngineResponse(this.#ctx, res, 502);
    if (ackError) return this.#fail(ackError);
    this.#pump = new SourcePump(stream, res, wake, (err) => this.#fail(err));
    wake();
  }

  #fail(err: Error): void {
    if (resetOnEngineFailure(this.#ctx, 'engine request failed', err)) this.dispose();
  }
}
