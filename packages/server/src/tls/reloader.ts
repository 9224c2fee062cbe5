import { readFileSync, statSync } from 'node:fs';
import { createSecureContext, type SecureContextOptions, type Server } from 'node:tls';
import { tlsPolicy } from './tls-policy.ts';

export interface KeyPair {
  cert: Buffer;
  key: Buffer;
}

/** Reads and checks a certificate/key pair; throws with a readable message when they do not fit. */
export function loadKeyPair(certFile: string, keyFile: string): KeyPair {
  const pair = { cert: readFileSync(certFile), key: readFileSync(keyFile) };
  createSecureContext({ ...tlsPolicy(), ...pair });
  return pair;
}

function signature(file: string): string {
  try {
    const s = statSync(file);
    return `${s.ino}:${s.size}:${s.mtimeMs}`;
  } catch {
    return 'missing';
  }
}

/**
 * Watches certificate files by polling (works through cert-manager's symlink swaps) and swaps
 * the server's secure context when both files changed into a valid pair. A half-written or
 * mismatched pair is ignored until it becomes valid; the old certificate keeps serving.
 */
export class CertificateReloader {
  private timer: NodeJS.Timeout | null = null;
  private servers: Server[] = [];
  private extra: SecureContextOptions = {};
  private last: string;
  private lastInvalid = '';
  private readonly certFile: string;
  private readonly keyFile: string;
  private readonly onEvent: (event: 'reloaded' | 'invalid', detail?: string) => void;

  constructor(certFile: string, keyFile: string, onEvent: CertificateReloader['onEvent']) {
    this.certFile = certFile;
    this.keyFile = keyFile;
    this.onEvent = onEvent;
    this.last = this.current();
  }

  private current(): string {
    return `${signature(this.certFile)}|${signature(this.keyFile)}`;
  }

  /** Starts polling every `intervalMs`, applying new pairs to `servers` (with `extra`, e.g. the client CA). */
  start(servers: Server[], intervalMs: number, extra: SecureContextOptions = {}): void {
    this.servers = servers;
    this.extra = extra;
    this.timer = setInterval(() => this.check(), intervalMs);
    this.timer.unref();
  }

  /** One check now (the timer calls it too); true when a new pair was applied. */
  check(): boolean {
    const now = this.current();
    if (now === this.last) return false;
    try {
      const pair = loadKeyPair(this.certFile, this.keyFile);
      for (const s of this.servers) s.setSecureContext({ ...tlsPolicy(), ...this.extra, ...pair });
      this.last = now;
      this.onEvent('reloaded');
      return true;
    } catch (err) {
      // Report a broken pair once, not at every poll.
      if (now !== this.lastInvalid) this.onEvent('invalid', err instanceof Error ? err.message : String(err));
      this.lastInvalid = now;
      return false;
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
