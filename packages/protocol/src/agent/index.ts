// Edge Agent enrolment and per-connection authentication messages.
//
// Enrolment: an administrator creates a one-time, expiring join token for an environment; the agent
// makes its own Ed25519 key pair on first start and enrols with the token and its public key.
// Afterwards the agent proves itself on every connection by signing a fresh server nonce (see
// `agentAuthSigningInput`): no secret and no signature seen on the wire can be replayed.
//
// zod/mini throughout: the agent loads this module, and classic zod would cost it ~12 MB of memory.
import * as z from 'zod/mini';
import { IdMiniSchema as IdSchema, TimestampMiniSchema as TimestampSchema } from '../primitives.ts';
import { AgentModeSchema } from '../poll/modes.ts';

/** Join tokens are `cjt_` + 256 random bits in base64url. The server stores only a hash. */
export const JOIN_TOKEN_PREFIX = 'cjt_';
export const JOIN_TOKEN_PATTERN = /^cjt_[A-Za-z0-9_-]{43}$/;

/**
 * Node options the agent is started with (join command and container image alike). A 1 MB young
 * generation instead of one that grows at start-up and stays grown while the agent idles (~1.5 MB less
 * idle RSS, far less under load). A high Maglev threshold: building the schemas at start makes a few
 * functions hot once, and V8's mid-tier compiler would keep ~2–3 MB of code for them; hot loops (frame
 * masking, streams) still reach the optimizing compiler, so throughput is unchanged (bench A2). Every
 * option here must exist in Node 20+ (hosts run the agent with their system node, which refuses unknown
 * options; packages/agent/test/bundle.test.ts runs the bundle with them on /usr/bin/node).
 */
export const AGENT_NODE_OPTIONS: readonly string[] = ['--max-semi-space-size=1', '--invocation-count-for-maglev=5000'];

/** Lifetime of a join token, in seconds. */
export const JOIN_TOKEN_TTL = { default: 86_400, min: 60, max: 30 * 86_400 } as const;

const NO_CONTROL = /^[^\p{Cc}]*$/u;

// A join token's lifetime in seconds, shared by host and group tokens.
const ttl = z._default(z.int().check(z.minimum(JOIN_TOKEN_TTL.min), z.maximum(JOIN_TOKEN_TTL.max)), JOIN_TOKEN_TTL.default);

/** POST /api/environments/{id}/join-tokens */
export const CreateJoinTokenSchema = z.strictObject({
  /** Seconds until the token expires (default 24 h, 1 minute to 30 days). */
  ttl,
});
export type CreateJoinToken = z.infer<typeof CreateJoinTokenSchema>;

/** The join token, shown once, and the exact line that starts the agent on the host. */
export const JoinTokenSchema = z.object({
  token: z.string(),
  expiresAt: TimestampSchema,
  /** One shell line: `node <AGENT_NODE_OPTIONS> capstan-agent.js --server <public URL> --join-token <token>`. */
  command: z.string(),
  /** The same, as one `docker run` line for hosts that run the agent as a container. */
  dockerCommand: z.string(),
});
export type JoinToken = z.infer<typeof JoinTokenSchema>;

/** POST /api/environments/groups/{id}/join-tokens: one token for many hosts of a fleet. */
export const CreateGroupJoinTokenSchema = z.strictObject({
  /** Seconds until the token expires (default 24 h, 1 minute to 30 days). */
  ttl,
  /** How many hosts may enrol with it; omitted or null: any number until it expires. */
  maxUses: z._default(z.nullable(z.int().check(z.minimum(1), z.maximum(100_000))), null),
});
export type CreateGroupJoinToken = z.infer<typeof CreateGroupJoinTokenSchema>;

/** A group join token: each host enrolling with it becomes a new environment of the group, named after its hostname. */
export const GroupJoinTokenSchema = z.extend(JoinTokenSchema, {
  groupId: IdSchema,
  maxUses: z.nullable(z.int()),
});
export type GroupJoinToken = z.infer<typeof GroupJoinTokenSchema>;

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const PEM_PUBLIC_KEY = /^-----BEGIN PUBLIC KEY-----\r?\n[A-Za-z0-9+/=\r\n]+-----END PUBLIC KEY-----\r?\n?$/;

/** An Ed25519 public key as SubjectPublicKeyInfo: PEM, or the DER in base64. The server checks the key itself. */
export const AgentPublicKeySchema = z
  .string()
  .check(
    z.maxLength(1024, 'must be at most 1024 characters'),
    z.refine((v) => BASE64.test(v) || PEM_PUBLIC_KEY.test(v), 'must be an Ed25519 public key: SPKI as PEM or base64 DER'),
  );

/** POST /api/agents/enrol (authenticated by the join token in the body). */
export const EnrolRequestSchema = z.strictObject({
  token: z.string().check(z.minLength(1, 'must not be empty'), z.maxLength(256, 'must be at most 256 characters')),
  publicKey: AgentPublicKeySchema,
  hostname: z
    .string()
    .check(
      z.trim(),
      z.minLength(1, 'must not be empty'),
      z.maxLength(253, 'must be at most 253 characters'),
      z.regex(NO_CONTROL, 'must not contain control characters'),
    ),
  agentVersion: z
    .string()
    .check(
      z.minLength(1, 'must not be empty'),
      z.maxLength(64, 'must be at most 64 characters'),
      z.regex(/^[A-Za-z0-9.+_-]+$/, 'may contain only letters, digits and . + _ -'),
    ),
  /** The agent's --mode: sets the environment's mode at enrolment (afterwards the server's setting rules). */
  mode: z.optional(AgentModeSchema),
});
export type EnrolRequest = z.infer<typeof EnrolRequestSchema>;

export const EnrolResponseSchema = z.object({
  agentId: IdSchema,
  environmentId: IdSchema,
  serverTime: TimestampSchema,
  /** mTLS: a client certificate (PEM) for the enrolled key, issued by the server's internal agent CA. */
  clientCertificate: z.optional(z.string().check(z.maxLength(16_384))),
  /** The internal agent CA's certificate (PEM). */
  caCertificate: z.optional(z.string().check(z.maxLength(16_384))),
  /** The environment's mode: the transport the agent starts with (absent from older servers: standard). */
  mode: z.optional(AgentModeSchema),
});
export type EnrolResponse = z.infer<typeof EnrolResponseSchema>;

// ---------------------------------------------------------------------------------------------
// Per-connection challenge
// ---------------------------------------------------------------------------------------------

/** 32 random bytes, base64url without padding. */
export const AgentNonceSchema = z.string().check(z.regex(/^[A-Za-z0-9_-]{43}$/, 'must be 32 bytes in base64url'));
/** An Ed25519 signature: 64 bytes, base64url without padding. */
export const AgentSignatureSchema = z.string().check(z.regex(/^[A-Za-z0-9_-]{86}$/, 'must be a 64-byte signature in base64url'));

/** What a signature is for; a signature made for one purpose is useless for another. */
export const AGENT_AUTH_PURPOSES = ['connect', 'poll'] as const;
export type AgentAuthPurpose = (typeof AGENT_AUTH_PURPOSES)[number];
export const AgentAuthPurposeSchema = z.enum(AGENT_AUTH_PURPOSES);

/** Server → agent, first message of every connection. */
export const AgentChallengeSchema = z.object({
  nonce: AgentNonceSchema,
  serverTime: TimestampSchema,
});
export type AgentChallenge = z.infer<typeof AgentChallengeSchema>;

/** Agent → server: the signature over `agentAuthSigningInput('connect', agentId, nonce)`. */
export const AgentChallengeResponseSchema = z.strictObject({
  agentId: IdSchema,
  signature: AgentSignatureSchema,
});
export type AgentChallengeResponse = z.infer<typeof AgentChallengeResponseSchema>;

/** Server → agent once the signature checked out. */
export const AgentAuthenticatedSchema = z.object({
  agentId: IdSchema,
  environmentId: IdSchema,
  serverTime: TimestampSchema,
});
export type AgentAuthenticated = z.infer<typeof AgentAuthenticatedSchema>;

/** Domain separation tag: signatures made by Capstan agents for anything else never verify here. */
export const AGENT_AUTH_CONTEXT = 'capstan-agent-auth/v1';

/**
 * The exact bytes (UTF-8) an agent signs with its Ed25519 key to answer a challenge:
 *
 *     capstan-agent-auth/v1\n
 *     purpose=connect\n
 *     agent=<agentId in decimal>\n
 *     nonce=<the server's nonce, as sent>\n
 *
 * Binding the agent id and the purpose means a signature cannot be presented for another agent
 * or another use; the nonce is fresh per connection and accepted once.
 */
export function agentAuthSigningInput(purpose: AgentAuthPurpose, agentId: number, nonce: string): string {
  return `${AGENT_AUTH_CONTEXT}\npurpose=${purpose}\nagent=${agentId}\nnonce=${nonce}\n`;
}

// ---------------------------------------------------------------------------------------------
// API view
// ---------------------------------------------------------------------------------------------

export const AgentSchema = z.object({
  id: IdSchema,
  environmentId: IdSchema,
  hostname: z.string(),
  agentVersion: z.string(),
  /** `SHA256:` + base64 of the SHA-256 of the public key (SPKI DER); null while a rotation awaits re-enrolment. */
  fingerprint: z.nullable(z.string()),
  /** Starts at 1; each re-enrolment after a rotation adds one. */
  credentialVersion: z.int(),
  createdAt: TimestampSchema,
  lastSeenAt: z.nullable(TimestampSchema),
  revokedAt: z.nullable(TimestampSchema),
});
export type Agent = z.infer<typeof AgentSchema>;

export const AgentListSchema = z.object({ items: z.array(AgentSchema) });
export type AgentList = z.infer<typeof AgentListSchema>;
