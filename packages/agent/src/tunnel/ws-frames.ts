// RFC 6455 framing for the agent's own WebSocket client: frame encoding with masking, and an incremental
// reader that turns socket chunks into messages, pings, pongs and close frames. Pure: no sockets, no
// randomness (the caller supplies mask keys), so both are tested alone.
import { isUtf8 } from 'node:buffer';

/** Frame opcodes (RFC 6455 §5.2). */
export const OPCODE = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

/** Close codes this client sends or reports. */
export const CLOSE_CODE = {
  normal: 1000,
  protocolError: 1002,
  /** Reported when a close frame carried no code; never sent. */
  noStatus: 1005,
  /** Reported when the connection ended without a close frame; never sent. */
  abnormal: 1006,
  invalidPayload: 1007,
  messageTooBig: 1009,
} as const;

const MAX_CONTROL_PAYLOAD = 125;

/** What the reader found in the bytes pushed so far. */
export type WsEvent =
  | { readonly type: 'message'; readonly data: Buffer; readonly binary: boolean }
  | { readonly type: 'ping'; readonly data: Buffer }
  | { readonly type: 'pong'; readonly data: Buffer }
  /** The peer's close frame; code is 1005 when it carried none. */
  | { readonly type: 'close'; readonly code: number; readonly reason: string }
  /** The peer broke the protocol: close the connection with `code`. */
  | { readonly type: 'error'; readonly code: number; readonly message: string };

// 32-bit scratch for the mask key in native byte order: XOR over a Uint32Array view of the payload does
// a quarter of the iterations of a byte loop (and keeps V8 from optimizing a hot byte loop while busy).
const keyBytes = new Uint8Array(4);
const keyWord = new Uint32Array(keyBytes.buffer);

/** XORs data in place with the 4-byte key (RFC 6455 §5.3); masking twice restores the data. */
export function applyMask(data: Uint8Array, key: Uint8Array): void {
  const n = data.length;
  // Bytes before the first 4-byte aligned address go one by one; the key then continues rotated.
  let i = Math.min(n, (4 - (data.byteOffset & 3)) & 3);
  for (let j = 0; j < i; j++) data[j] = data[j]! ^ key[j & 3]!;
  const words = (n - i) >>> 2;
  if (words > 0) {
    for (let j = 0; j < 4; j++) keyBytes[j] = key[(i + j) & 3]!;
    const k = keyWord[0]!;
    const view = new Uint32Array(data.buffer, data.byteOffset + i, words);
    for (let w = 0; w < words; w++) view[w] = view[w]! ^ k;
    i += words * 4;
  }
  for (; i < n; i++) data[i] = data[i]! ^ key[i & 3]!;
}

/**
 * One complete frame (FIN set unless `fin` is false) carrying payload, masked with `maskKey` when given
 * (a client must mask every frame; tests encode unmasked server frames). The payload is copied, not changed.
 */
export function encodeWsFrame(opcode: number, payload: Uint8Array, maskKey?: Uint8Array, fin = true): Buffer {
  const len = payload.length;
  const lenBytes = len < 126 ? 0 : len < 0x10000 ? 2 : 8;
  const head = 2 + lenBytes + (maskKey ? 4 : 0);
  const out = Buffer.allocUnsafe(head + len);
  out[0] = (fin ? 0x80 : 0) | opcode;
  out[1] = (maskKey ? 0x80 : 0) | (lenBytes === 0 ? len : lenBytes === 2 ? 126 : 127);
  if (lenBytes === 2) out.writeUInt16BE(len, 2);
  else if (lenBytes === 8) {
    out.writeUInt32BE(Math.floor(len / 0x100000000), 2);
    out.writeUInt32BE(len >>> 0, 6);
  }
  out.set(payload, head);
  if (maskKey) {
    out.set(maskKey.subarray(0, 4), head - 4);
    applyMask(out.subarray(head), maskKey);
  }
  return out;
}

/** The payload of a close frame: the code (big-endian) and a UTF-8 reason cut to fit 125 bytes. */
export function closePayload(code: number, reason = ''): Buffer {
  const text = Buffer.from(reason, 'utf8');
  const out = Buffer.allocUnsafe(2 + Math.min(text.length, MAX_CONTROL_PAYLOAD - 2));
  out.writeUInt16BE(code, 0);
  text.copy(out, 2, 0, out.length - 2);
  return out;
}

/** True for a code a close frame may carry (RFC 6455 §7.4; 1004–1006 and 1015 are reserved). */
export function isValidCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999);
}

/** How a FrameReader checks what arrives. */
export interface FrameReaderOptions {
  /** Largest message (all fragments together); a longer one is an error with close code 1009. */
  readonly maxMessageBytes: number;
  /** True on the server side (frames must be masked), false on a client (frames must not be). */
  readonly masked: boolean;
}

interface FrameHead {
  readonly fin: boolean;
  readonly opcode: number;
  readonly length: number;
  readonly key: Buffer | undefined;
}

/**
 * Incremental frame reader: push socket chunks of any size, get the events they complete. After a close
 * frame or an error it reads nothing more.
 */
export class FrameReader {
  readonly #o: FrameReaderOptions;
  #chunks: Buffer[] = [];
  #buffered = 0;
  #head: FrameHead | undefined;
  #fragments: Buffer[] = [];
  #fragmentBytes = 0;
  #fragmentBinary = false;
  // True between the first frame of a fragmented message and its final frame (fragments may be empty).
  #inFragment = false;
  #done = false;

  constructor(options: FrameReaderOptions) {
    this.#o = options;
  }

  /** Adds bytes and returns the events they complete, in order. */
  push(chunk: Buffer): WsEvent[] {
    const events: WsEvent[] = [];
    if (this.#done || chunk.length === 0) return events;
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    while (!this.#done) {
      if (!this.#head) {
        const head = this.#readHead();
        if (head === undefined) break;
        if ('message' in head) {
          events.push(this.#fail(head.code, head.message));
          break;
        }
        this.#head = head;
      }
      const frame = this.#head;
      if (this.#buffered < frame.length) break;
      this.#head = undefined;
      const payload = this.#take(frame.length);
      if (frame.key) applyMask(payload, frame.key);
      const event = this.#onFrame(frame, payload);
      if (event) events.push(event);
    }
    return events;
  }

  #fail(code: number, message: string): WsEvent {
    this.#done = true;
    this.#chunks = [];
    this.#fragments = [];
    return { type: 'error', code, message };
  }

  #readHead(): FrameHead | { code: number; message: string } | undefined {
    if (this.#buffered < 2) return undefined;
    const first = this.#peek(2);
    const b0 = first[0]!;
    const b1 = first[1]!;
    const len7 = b1 & 0x7f;
    const masked = (b1 & 0x80) !== 0;
    const size = 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (masked ? 4 : 0);
    if (this.#buffered < size) return undefined;
    const h = this.#take(size);
    const fin = (b0 & 0x80) !== 0;
    const opcode = b0 & 0x0f;
    if ((b0 & 0x70) !== 0) return { code: CLOSE_CODE.protocolError, message: 'a frame has RSV bits set (no extension was negotiated)' };
    if (masked !== this.#o.masked)
      return { code: CLOSE_CODE.protocolError, message: this.#o.masked ? 'an unmasked frame from the client' : 'a masked frame from the server' };
    let length = len7;
    if (len7 === 126) length = h.readUInt16BE(2);
    else if (len7 === 127) {
      const high = h.readUInt32BE(2);
      if (high >= 0x80000000) return { code: CLOSE_CODE.protocolError, message: 'a frame length has its most significant bit set' };
      length = high * 0x100000000 + h.readUInt32BE(6);
    }
    const key = masked ? h.subarray(size - 4, size) : undefined;
    if (opcode >= 0x8) {
      if (opcode !== OPCODE.close && opcode !== OPCODE.ping && opcode !== OPCODE.pong)
        return { code: CLOSE_CODE.protocolError, message: `unknown opcode ${opcode}` };
      if (!fin) return { code: CLOSE_CODE.protocolError, message: 'a fragmented control frame' };
      if (length > MAX_CONTROL_PAYLOAD) return { code: CLOSE_CODE.protocolError, message: 'a control frame longer than 125 bytes' };
      return { fin, opcode, length, key };
    }
    if (opcode !== OPCODE.continuation && opcode !== OPCODE.text && opcode !== OPCODE.binary)
      return { code: CLOSE_CODE.protocolError, message: `unknown opcode ${opcode}` };
    const fragmented = this.#inFragment;
    if (opcode === OPCODE.continuation && !fragmented) return { code: CLOSE_CODE.protocolError, message: 'a continuation frame with no message to continue' };
    if (opcode !== OPCODE.continuation && fragmented) return { code: CLOSE_CODE.protocolError, message: 'a new message inside a fragmented one' };
    if (this.#fragmentBytes + length > this.#o.maxMessageBytes)
      return { code: CLOSE_CODE.messageTooBig, message: `a message longer than ${this.#o.maxMessageBytes} bytes` };
    return { fin, opcode, length, key };
  }

  #onFrame(frame: FrameHead, payload: Buffer): WsEvent | undefined {
    switch (frame.opcode) {
      case OPCODE.ping:
        return { type: 'ping', data: payload };
      case OPCODE.pong:
        return { type: 'pong', data: payload };
      case OPCODE.close:
        return this.#onClose(payload);
    }
    if (frame.opcode !== OPCODE.continuation) this.#fragmentBinary = frame.opcode === OPCODE.binary;
    if (!frame.fin) {
      this.#inFragment = true;
      if (payload.length > 0) this.#fragments.push(payload);
      this.#fragmentBytes += payload.length;
      return undefined;
    }
    let data = payload;
    if (this.#inFragment) {
      if (payload.length > 0) this.#fragments.push(payload);
      data = this.#fragments.length === 1 ? this.#fragments[0]! : Buffer.concat(this.#fragments, this.#fragmentBytes + payload.length);
      this.#fragments = [];
      this.#fragmentBytes = 0;
      this.#inFragment = false;
    }
    if (!this.#fragmentBinary && !isUtf8(data)) return this.#fail(CLOSE_CODE.invalidPayload, 'a text message that is not UTF-8');
    return { type: 'message', data, binary: this.#fragmentBinary };
  }

  #onClose(payload: Buffer): WsEvent {
    if (payload.length === 1) return this.#fail(CLOSE_CODE.protocolError, 'a close frame with a 1-byte payload');
    const code = payload.length === 0 ? CLOSE_CODE.noStatus : payload.readUInt16BE(0);
    if (payload.length > 0 && !isValidCloseCode(code)) return this.#fail(CLOSE_CODE.protocolError, `invalid close code ${code}`);
    const reason = payload.subarray(2);
    if (!isUtf8(reason)) return this.#fail(CLOSE_CODE.invalidPayload, 'a close reason that is not UTF-8');
    this.#done = true;
    this.#chunks = [];
    return { type: 'close', code, reason: reason.toString('utf8') };
  }

  // The first n buffered bytes without consuming them (n ≤ a few bytes: only used for the header).
  #peek(n: number): Buffer {
    const first = this.#chunks[0]!;
    if (first.length >= n) return first;
    return Buffer.concat(this.#chunks, Math.min(this.#buffered, 14)).subarray(0, n);
  }

  // Removes and returns the first n buffered bytes: a view of the chunk when it holds them all, else a copy.
  #take(n: number): Buffer {
    this.#buffered -= n;
    const first = this.#chunks[0];
    if (n === 0 || first === undefined) return Buffer.alloc(0);
    if (first.length === n) {
      this.#chunks.shift();
      return first;
    }
    if (first.length > n) {
      this.#chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    while (at < n) {
      const c = this.#chunks[0]!;
      const part = Math.min(c.length, n - at);
      c.copy(out, at, 0, part);
      at += part;
      if (part === c.length) this.#chunks.shift();
      else this.#chunks[0] = c.subarray(part);
    }
    return out;
  }
}
