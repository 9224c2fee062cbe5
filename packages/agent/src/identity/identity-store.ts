// The agent's identity on disk: one JSON file (0600) in the state directory, written atomically.
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as z from 'zod/mini';

/** What enrolment leaves behind; everything later starts need to connect. */
export const AgentIdentitySchema = z.object({
  agentId: z.int().check(z.positive()),
  environmentId: z.int().check(z.positive()),
  /** Server base URL the agent enrolled with (https). */
  server: z.url(),
  privateKeyPem: z.string().check(z.minLength(1)),
  publicKeyPem: z.string().check(z.minLength(1)),
  /** SHA-256 fingerprint of the server certificate seen at enrolment (TOFU pin for --insecure). */
  serverCertSha256: z.optional(z.string()),
  /** True when the agent trusts the server by that pin (enrolled with --insecure or --server-fingerprint), not by a CA. */
  pinned: z.optional(z.boolean()),
  enrolledAt: z.string(),
  /** mTLS: the client certificate (PEM) the server's agent CA issued for this key at enrolment. */
  clientCertPem: z.optional(z.string()),
  /** SHA-256 (hex) of the join token last used, so a token left on the command line is not replayed. */
  joinTokenSha256: z.optional(z.string()),
});
export type AgentIdentity = z.infer<typeof AgentIdentitySchema>;

/** Path of the identity file in a state directory. */
export function identityFile(stateDir: string): string {
  return path.join(stateDir, 'identity.json');
}

/** Reads the identity, or undefined when the agent never enrolled; throws with a clear message on a damaged file. */
export function loadIdentity(stateDir: string): AgentIdentity | undefined {
  const file = identityFile(stateDir);
  if (!existsSync(file)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file} is not readable JSON (${(err as Error).message}): move it aside and enrol again with a new join token`);
  }
  const parsed = AgentIdentitySchema.safeParse(json);
  if (!parsed.success) throw new Error(`${file} is damaged (${parsed.error.issues[0]?.message ?? 'schema'}): move it aside and enrol again`);
  return parsed.data;
}

/** Writes the identity (dir 0700, file 0600) via a temporary file and rename, so a crash never leaves half a file. */
export function saveIdentity(stateDir: string, identity: AgentIdentity): void {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const file = identityFile(stateDir);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(identity, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}
