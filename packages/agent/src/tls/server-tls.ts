// How the agent trusts the server's certificate: the system CAs, a CA file, or (with --insecure) a
// certificate pinned on first use at enrolment and checked on every later connection.
import { readFileSync } from 'node:fs';
import type { TLSSocket } from 'node:tls';

/** TLS settings for every connection to the server. */
export interface ServerTrust {
  /** PEM CA bundle (--ca-file); undefined = system CAs. */
  readonly ca: string | undefined;
  /** False with --insecure or a given fingerprint: the chain is not checked, the pin is. */
  readonly verifyChain: boolean;
  /** The fingerprint the join command named: enrolment sends nothing to a server without it. */
  readonly expectedFingerprint?: string | undefined;
}

/** Builds the trust settings from the options; throws with a clear message when the CA file is unreadable. */
export function serverTrust(options: { insecure: boolean; caFile: string | undefined; serverFingerprint?: string | undefined }): ServerTrust {
  let ca: string | undefined;
  if (options.caFile !== undefined) {
    try {
      ca = readFileSync(options.caFile, 'utf8');
    } catch (err) {
      throw new Error(`--ca-file ${options.caFile}: ${(err as Error).message}`);
    }
  }
  return { ca, verifyChain: !options.insecure && options.serverFingerprint === undefined, expectedFingerprint: options.serverFingerprint };
}

/** Options for https.request / ws from trust settings. */
export function tlsConnectOptions(trust: ServerTrust): { ca?: string; rejectUnauthorized: boolean } {
  return { ...(trust.ca !== undefined ? { ca: trust.ca } : {}), rejectUnauthorized: trust.verifyChain };
}

/** The SHA-256 fingerprint (AA:BB:… form) of the certificate the peer of socket presented, if any. */
export function peerFingerprint(socket: TLSSocket): string | undefined {
  const cert = socket.getPeerCertificate();
  return cert && typeof cert.fingerprint256 === 'string' && cert.fingerprint256 !== '' ? cert.fingerprint256 : undefined;
}

/**
 * Checks a connection against the pin: undefined when acceptable, else why not. Only enforced when the
 * chain is not verified (--insecure): with a CA the certificate may legitimately rotate.
 */
export function checkPin(trust: ServerTrust, pinned: string | undefined, socket: TLSSocket): string | undefined {
  if (trust.verifyChain) return undefined;
  if (pinned === undefined) return 'no server certificate was pinned at enrolment: enrol again, or use --ca-file';
  const seen = peerFingerprint(socket);
  if (seen !== pinned)
    return `the server certificate changed (pinned ${pinned}, got ${seen ?? 'none'}): if that is expected, enrol again or use --ca-file`;
  return undefined;
}
