// Serves a 'docker-hijack' stream (exec start, attach): the request goes out with `Upgrade: tcp`;
// after the engine's 101 both directions are raw bytes. Convention: the first Content-Length bytes
// of the server's data are the HTTP request body (e.g. exec start's JSON); everything after is input.
import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { contentLength, engineRequestHeaders } from './headers.ts';
import { SourcePump } from './source-pump.ts';
import { ackEngineResponse, resetOnEngineFailure, type StreamContext, type StreamHandler } from './stream-handler.ts';

/** Executor for one docker-hijack stream; the engine request starts in the constructor. */
export class HijackExecutor implements StreamHandler {
  readonly #ctx: StreamContext;
  readonly #req: ClientRequest;
  #bodyRemaining: number;
  #socket: Socket | undefined;
  #res: IncomingMessage | undefined;
  #pending: Uint8Array[] = [];
  #inputEnded = false;
  #pump: SourcePump | undefined;
  #disposed = false;

  constructor(ctx: StreamContext) {
    this.#ctx = ctx;
    const { head } = ctx;
    this.#bodyRemaining = contentLength(head.headers);
    const headers = { ...engineRequestHeaders(head.headers), Connection: 'Upgrade', Upgrade: 'tcp' };
    this.#req = ctx.engine.request({ method: head.method, path: head.path, headers, dedicated: true });
    this.#req.on('upgrade', (res, socket, rest) => this.#onUpgrade(res, socket, rest));
    this.#req.on('response', (res) => this.#onResponse(res));
    this.#req.on('error', (err) => this.#fail(err));
    if (this.#bodyRemaining === 0) this.#req.end();
  }

  onData(payload: Uint8Array): void {
    let rest = payload;
    if (this.#bodyRemaining > 0) {
      const body = rest.subarray(0, this.#bodyRemaining);
      rest = rest.subarray(body.length);
      this.#bodyRemaining -= body.length;
      this.#req.write(body, () => this.#consumed(body.length));
      if (this.#bodyRemaining === 0) this.#req.end();
    }
    if (rest.length === 0) return;
    if (this.#res) this.#consumed(rest.length); // answered without upgrading: input has nowhere to go
    else if (this.#socket) this.#toSocket(rest);
    else this.#pending.push(rest);
  }

  onEnd(): void {
    this.#inputEnded = true;
    if (this.#bodyRemaining > 0) {
      this.#bodyRemaining = 0;
      this.#req.end();
    }
    if (this.#socket && !this.#socket.writableEnded) this.#socket.end();
  }

  onDrain(): void {
    this.#pump?.drain();
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#socket?.destroy();
    this.#res?.destroy();
    this.#req.destroy();
  }

  #consumed(n: number): void {
    const { stream, wake } = this.#ctx;
    if (stream.unconsumedBytes >= n) stream.consumed(n);
    wake();
  }

  #toSocket(bytes: Uint8Array): void {
    const socket = this.#socket as Socket;
    if (socket.writableEnded || socket.destroyed || this.#disposed) return this.#consumed(bytes.length);
    socket.write(bytes, () => this.#consumed(bytes.length));
  }

  #onUpgrade(res: IncomingMessage, socket: Socket, rest: Buffer): void {
    const { stream, wake } = this.#ctx;
    this.#socket = socket;
    if (this.#disposed) return void socket.destroy();
    const ackError = ackEngineResponse(this.#ctx, res, 101);
    if (ackError) return this.#fail(ackError);
    if (rest.length > 0) stream.write(rest);
    this.#pump = new SourcePump(stream, socket, wake, (err) => this.#fail(err));
    const pending = this.#pending;
    this.#pending = [];
    for (const bytes of pending) this.#toSocket(bytes);
    if (this.#inputEnded) socket.end();
    wake();
  }

  // No upgrade (an error such as 404, or an engine answering 200 without hijacking): relay it as HTTP.
  #onResponse(res: IncomingMessage): void {
    const { stream, wake } = this.#ctx;
    this.#res = res;
    if (this.#disposed) return void res.destroy();
    const ackError = ackEngineResponse(this.#ctx, res, 502);
    if (ackError) return this.#fail(ackError);
    for (const bytes of this.#pending) this.#consumed(bytes.length);
    this.#pending = [];
    this.#pump = new SourcePump(stream, res, wake, (err) => this.#fail(err));
    wake();
  }

  #fail(err: Error): void {
    if (resetOnEngineFailure(this.#ctx, 'engine hijack failed', err)) this.dispose();
  }
}
