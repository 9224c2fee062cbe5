// The agent's WebSocket client: just enough RFC 6455 for the tunnel, over node:tls directly. It replaces
// the `ws` package, which brings http, https and zlib (permessage-deflate) along and costs the idle agent
// several MB; this one sends binary messages, answers pings and does the close handshake.
import { randomBytes, randomFillSync } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { isIP } from 'node:net';
import { connect, type TLSSocket } from 'node:tls';
import { CLOSE_CODE, closePayload, encodeWsFrame, FrameReader, OPCODE, type WsEvent } from './ws-frames.ts';
import { checkUpgrade, parseResponseHead, upgradeRequest, type ResponseHead } from './ws-handshake.ts';

/** How to dial. */
export interface WsClientOptions {
  /** PEM CA bundle; undefined = the system CAs. */
  readonly ca?: string;
  readonly rejectUnauthorized: boolean;
  /** mTLS: the client certificate and its key (PEM). */
  readonly cert?: string;
  readonly key?: string;
  /** Largest message accepted; a longer one closes the connection with 1009. */
  readonly maxMessageBytes: number;
  /** Time from dialling until the 101 answer. */
  readonly handshakeTimeoutMs: number;
}

/** The events of a WsClient (the subset of `ws`'s the tunnel session uses). */
export interface WsClientEvents {
  /** A valid 101 arrived; the TLS socket is there for certificate checks (terminate() to refuse it). */
  upgrade: [socket: TLSSocket];
  /** The server answered the upgrade with another status; the client then terminates unless a listener did. */
  'unexpected-response': [status: number];
  open: [];
  message: [data: Buffer, isBinary: boolean];
  /** Failures before open, and protocol errors of the server after it. */
  error: [err: Error];
  /** Once, when the socket is gone: the peer's close code and reason, or 1006 and '' without a close frame. */
  close: [code: number, reason: string];
}

/** connecting → open → closing → closed, as in the WebSocket API. */
export type WsReadyState = 'connecting' | 'open' | 'closing' | 'closed';

/** After sending a close frame, how long the peer has to answer before the socket is destroyed. */
const CLOSE_TIMEOUT_MS = 10_000;

// Mask keys come from one random fill per 1,024 frames rather than a crypto call per frame.
const keyPool = Buffer.allocUnsafeSlow(4096);
let keyAt = keyPool.length;
function nextMaskKey(): Buffer {
  if (keyAt === keyPool.length) {
    randomFillSync(keyPool);
    keyAt = 0;
  }
  keyAt += 4;
  return keyPool.subarray(keyAt - 4, keyAt);
}

/** An RFC 6455 client over TLS (wss: URLs) sending binary messages. */
export class WsClient extends EventEmitter<WsClientEvents> {
  readonly #socket: TLSSocket;
  readonly #key = randomBytes(16).toString('base64');
  #state: WsReadyState = 'connecting';
  #head: Buffer | undefined = Buffer.alloc(0);
  readonly #reader: FrameReader;
  #timer: NodeJS.Timeout | undefined;
  #errorEmitted = false;
  #terminated = false;
  #closeSent = false;
  #closeReceived = false;
  #closeCode: number = CLOSE_CODE.abnormal;
  #closeReason = '';

  /** Dials url (wss: or https:) at once; listen for 'open', 'error' and 'close'. */
  constructor(url: URL, options: WsClientOptions) {
    super();
    this.#reader = new FrameReader({ maxMessageBytes: options.maxMessageBytes, masked: false });
    if (url.protocol !== 'wss:' && url.protocol !== 'https:') throw new Error(`${url.href}: only wss: URLs are supported`);
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    this.#socket = connect({
      host,
      port: url.port === '' ? 443 : Number(url.port),
      ...(isIP(host) === 0 ? { servername: host } : {}),
      ...(options.ca !== undefined ? { ca: options.ca } : {}),
      rejectUnauthorized: options.rejectUnauthorized,
      ...(options.cert !== undefined && options.key !== undefined ? { cert: options.cert, key: options.key } : {}),
    });
    const socket = this.#socket;
    this.#timer = setTimeout(() => this.#fail(new Error('Opening handshake has timed out')), options.handshakeTimeoutMs);
    socket.once('secureConnect', () => socket.write(upgradeRequest(url, this.#key)));
    socket.on('data', (chunk: Buffer) => (this.#head ? this.#onHeadData(chunk) : this.#onData(chunk)));
    socket.on('error', (err: Error) => {
      // After open the close event tells the story (as with `ws`); before it, the error is the reason.
      if (this.#state === 'connecting') this.#emitError(err);
    });
    socket.on('close', () => this.#onSocketClose());
  }

  /** Where the connection is in its life. */
  get readyState(): WsReadyState {
    return this.#state;
  }

  /** Bytes handed to the socket and not yet written to the kernel. */
  get bufferedAmount(): number {
    return this.#socket.writableLength;
  }

  /** Sends one binary message; cb runs once it is flushed to the kernel (with an error if it never is). */
  send(data: Uint8Array, cb?: (err?: Error | null) => void): void {
    if (this.#state !== 'open') {
      if (cb) process.nextTick(cb, new Error(`WebSocket is not open (${this.#state})`));
      return;
    }
    this.#socket.write(encodeWsFrame(OPCODE.binary, data, nextMaskKey()), cb);
  }

  /** Starts the close handshake with code (and reason); the socket ends when the peer answers or in 10 s. */
  close(code: number = CLOSE_CODE.normal, reason = ''): void {
    if (this.#state === 'closed') return;
    if (this.#state === 'connecting') return this.terminate();
    this.#sendClose(closePayload(code, reason));
  }

  /** Destroys the connection now, without a close handshake. */
  terminate(): void {
    if (this.#state === 'closed') return;
    this.#terminated = true;
    if (this.#state !== 'connecting') this.#state = 'closing';
    this.#socket.destroy();
  }

  #onHeadData(chunk: Buffer): void {
    const buf = this.#head!.length === 0 ? chunk : Buffer.concat([this.#head!, chunk]);
    this.#head = buf;
    const head = parseResponseHead(buf);
    if (head === undefined) return;
    this.#head = undefined;
    clearTimeout(this.#timer);
    if (typeof head === 'string') return this.#fail(new Error(head));
    if (head.status !== 101) return this.#onUnexpected(head);
    const problem = checkUpgrade(head, this.#key);
    if (problem) return this.#fail(new Error(problem));
    this.emit('upgrade', this.#socket);
    // A listener may have refused the connection (a certificate that does not match the pin).
    if (this.#terminated || this.#socket.destroyed) return;
    this.#state = 'open';
    this.#socket.setNoDelay(true);
    this.emit('open');
    if (buf.length > head.size && this.#state === 'open') this.#onData(buf.subarray(head.size));
  }

  #onUnexpected(head: ResponseHead): void {
    if (this.listenerCount('unexpected-response') === 0) return this.#fail(new Error(`Unexpected server response: ${head.status}`));
    this.emit('unexpected-response', head.status);
    if (this.#state === 'connecting') this.terminate();
  }

  // A failed handshake: 'error', then 'close' (1006) once the socket is gone.
  #fail(err: Error): void {
    if (this.#state !== 'connecting' || this.#socket.destroyed) return;
    this.#head = undefined;
    this.#emitError(err);
    this.#socket.destroy();
  }

  #emitError(err: Error): void {
    this.#errorEmitted = true;
    this.emit('error', err);
  }

  #onData(chunk: Buffer): void {
    for (const event of this.#reader.push(chunk)) this.#onEvent(event);
  }

  #onEvent(event: WsEvent): void {
    switch (event.type) {
      case 'message':
        if (this.#state === 'open') this.emit('message', event.data, event.binary);
        return;
      case 'ping':
        if (this.#state === 'open') this.#socket.write(encodeWsFrame(OPCODE.pong, event.data, nextMaskKey()));
        return;
      case 'pong':
        return;
      case 'close':
        this.#closeReceived = true;
        this.#closeCode = event.code;
        this.#closeReason = event.reason;
        // Echo the code (an empty close answers one without a code), then end: the server closes TCP first.
        if (!this.#closeSent) this.#sendClose(event.code === CLOSE_CODE.noStatus ? Buffer.alloc(0) : closePayload(event.code));
        else this.#socket.end();
        return;
      case 'error': {
        this.#emitError(Object.assign(new Error(event.message), { closeCode: event.code }));
        this.close(event.code);
        return;
      }
    }
  }

  #sendClose(payload: Buffer): void {
    if (this.#closeSent) return;
    this.#closeSent = true;
    this.#state = 'closing';
    this.#socket.write(encodeWsFrame(OPCODE.close, payload, nextMaskKey()));
    if (this.#closeReceived) this.#socket.end();
    this.#timer = setTimeout(() => this.#socket.destroy(), CLOSE_TIMEOUT_MS);
  }

  #onSocketClose(): void {
    clearTimeout(this.#timer);
    // A server that hangs up during the handshake (a refused client certificate, say) did not say why.
    if (this.#state === 'connecting' && !this.#errorEmitted && !this.#terminated)
      this.#emitError(new Error('the server closed the connection during the opening handshake'));
    this.#state = 'closed';
    this.emit('close', this.#closeCode, this.#closeReason);
  }
}
