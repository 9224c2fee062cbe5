// First start: trade the one-time join token and our public key for an agent id (POST /api/agents/enrol).
import type { TLSSocket } from 'node:tls';
import { EnrolResponseSchema, ProblemSchema, type EnrolRequest, type EnrolResponse } from '@capstan/protocol';
import { peerFingerprint, tlsConnectOptions, type ServerTrust } from '../tls/server-tls.ts';

const ENROL_TIMEOUT_MS = 30_000;

/** Enrolment refused or impossible; the message is meant for the operator as is. */
export class EnrolError extends Error {
  /** The server's stable error code (join_token_used, join_token_expired, …) when it sent a Problem. */
  readonly code: string | undefined;
  constructor(message: string, code?: string) {
    super(message);
    this.name = 'EnrolError';
    this.code = code;
  }
}

/** What a successful enrolment returns: the ids and the server certificate's fingerprint (for pinning). */
export interface EnrolOutcome {
  readonly response: EnrolResponse;
  readonly serverCertSha256: string | undefined;
}

/** Posts the enrolment; resolves on 201, rejects with EnrolError carrying the server's Problem detail otherwise. */
export async function enrol(server: URL, body: EnrolRequest, trust: ServerTrust): Promise<EnrolOutcome> {
  const url = new URL('api/agents/enrol', server.href.endsWith('/') ? server.href : `${server.href}/`);
  const payload = Buffer.from(JSON.stringify(body), 'utf8');
  // Loaded only here: enrolment happens once, and an enrolled agent should not carry https in memory.
  const { request } = await import('node:https');
  return new Promise((resolve, reject) => {
    let fingerprint: string | undefined;
    const req = request(url, {
      method: 'POST',
      agent: false,
      ...tlsConnectOptions(trust),
      headers: { 'content-type': 'application/json', 'content-length': payload.length, accept: 'application/json' },
      timeout: ENROL_TIMEOUT_MS,
    });
    // The join token is only written once the server proved to be the one the join command named.
    req.on('socket', (socket) =>
      socket.once('secureConnect', () => {
        fingerprint = peerFingerprint(socket as TLSSocket);
        const expected = trust.expectedFingerprint;
        if (expected !== undefined && fingerprint !== expected) {
          req.destroy(new Error(`the server certificate is ${fingerprint ?? 'missing'}, not ${expected} as the join command says`));
          return;
        }
        req.end(payload);
      }),
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${ENROL_TIMEOUT_MS / 1000} s`)));
    req.on('error', (err) => reject(new EnrolError(`cannot reach ${url.origin}: ${err.message}`)));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (err) => reject(new EnrolError(`enrolment answer broke off: ${err.message}`)));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        if (res.statusCode === 201 || res.statusCode === 200) {
          const parsed = EnrolResponseSchema.safeParse(json);
          if (parsed.success) resolve({ response: parsed.data, serverCertSha256: fingerprint });
          else reject(new EnrolError(`the server's enrolment answer is not understood (is ${url.origin} a Capstan server?)`));
          return;
        }
        const problem = ProblemSchema.safeParse(json);
        if (problem.success)
          reject(new EnrolError(`enrolment refused: ${problem.data.detail} (${problem.data.code})`, problem.data.code));
        else reject(new EnrolError(`enrolment failed with HTTP ${res.statusCode ?? '?'}: ${text.slice(0, 200)}`));
      });
    });
  });
}
