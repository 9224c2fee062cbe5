import {
  type Agent,
  type AgentAuthPurpose,
  type AgentMode,
  type AgentChallenge,
  type AgentList,
  type CreateGroupJoinToken,
  type CreateJoinToken,
  type EnrolRequest,
  type EnrolResponse,
  type GroupJoinToken,
  type JoinToken,
} from '@capstan/protocol';
import type { KeyObject } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { MainDatabase } from '../../db/schema.ts';
import { AppError, notFound } from '../../errors.ts';
import type { AuditDraft, RequestContext } from '../../http/context.ts';
import { requirePrincipal } from '../../http/context.ts';
import { BoundedCache } from '../../lib/bounded-cache.ts';
import type { AccessService } from '../access/access.service.ts';
import type { AuditService } from '../audit/audit.service.ts';
import {
  ChallengeStore,
  hashJoinToken,
  isJoinTokenShaped,
  newJoinToken,
  parseAgentPublicKey,
  storedPublicKey,
  verifyChallengeSignature,
} from './agent-auth.ts';
import { presentAgent, type AgentRow, type AgentsRepository } from './agents.repository.ts';
import { AgentBundle } from './agent-bundle.ts';
import { AgentRevocations, type RevocationListener } from './agent-revocations.ts';
import { agentCommands } from './join-command.ts';
import type { AgentCa } from '../../tls/agent-ca.ts';
import type { GroupJoinRepository } from './group-join.repository.ts';

/** Where the caller reached this server: the default for the address in the join command. */
export interface RequestOrigin {
  protocol: string;
  host: string;
}

const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;
function joinTokenError(code: 'join_token_invalid' | 'join_token_expired' | 'join_token_used'): AppError {
  const messages = {
    join_token_invalid: 'the join token is not valid: copy the whole command again, or ask an administrator for a new one',
    join_token_expired: 'the join token has expired: ask an administrator for a new one (POST /api/environments/{id}/join-tokens)',
    join_token_used: 'the join token was used already (tokens are one-time): ask an administrator for a new one',
  } as const;
  return new AppError(code, messages[code]);
}

/**
 * Edge Agent identity: join tokens, enrolment, per-connection challenges, rotation and revocation.
 *
 * Rotation invalidates the agent's key at once (the live connection closes, the old key never
 * verifies again) and answers a new one-time join token bound to the same agent: running its
 * command on the host makes the agent enrol a fresh key pair under the same agent id.
 */
export class AgentsService {
  /** Parsed public keys by their stored SPKI text: every poll verifies one, and parsing costs more than verifying. */
  private readonly keys = new BoundedCache<string, KeyObject>(20_000);
  private readonly repo: AgentsRepository;
  private readonly access: AccessService;
  private readonly audit: AuditService;
  private readonly publicUrl: string | null;
  private readonly serverFingerprint: string | null;
  private readonly groupJoin: GroupJoinRepository;
  private readonly ca: AgentCa | null;
  private readonly environmentChanged: (environmentId: number) => Promise<void>;
  readonly challenges: ChallengeStore;
  readonly revocations = new AgentRevocations();
  /** The bundled agent join commands download (and whose hash they carry). */
  readonly bundle: AgentBundle;

  constructor(deps: {
    repo: AgentsRepository;
    access: AccessService;
    audit: AuditService;
    publicUrl: string | null;
    /** Fingerprint of the self-signed certificate (null with a CA-issued one). */
    serverFingerprint?: string | null;
    challenges?: ChallengeStore;
    bundle?: AgentBundle;
    groupJoin: GroupJoinRepository;
    /** The internal CA issuing agent client certificates (mTLS); null: none are issued. */
    ca?: AgentCa | null;
    /** Called after an enrolment committed (it may have created the environment or set its mode). */
    environmentChanged?: (environmentId: number) => Promise<void>;
  }) {
    this.environmentChanged = deps.environmentChanged ?? (() => Promise.resolve());
    this.groupJoin = deps.groupJoin;
    this.ca = deps.ca ?? null;
    this.repo = deps.repo;
    this.access = deps.access;
    this.audit = deps.audit;
    this.publicUrl = deps.publicUrl;
    this.serverFingerprint = deps.serverFingerprint ?? null;
    this.challenges = deps.challenges ?? new ChallengeStore();
    this.bundle = deps.bundle ?? new AgentBundle(null);
  }

  /** The server address agents are told to use: --public-url, else where the request came in. */
  serverUrl(origin: RequestOrigin): string {
    if (this.publicUrl) return this.publicUrl;
    if (!HOST.test(origin.host)) {
      throw new AppError('validation_failed', 'the Host header is not a host name: call through the server\'s address, or start the server with --public-url', {
        issues: [{ location: 'headers', path: 'host', message: 'must be a host name or address, with an optional port' }],
      });
    }
    return `${origin.protocol === 'https' ? 'https' : 'http'}://${origin.host}`;
  }

  private async issueToken(
    ctx: RequestContext,
    environmentId: number,
    agentId: number | null,
    ttlSeconds: number,
    origin: RequestOrigin,
    before?: (trx: Transaction<MainDatabase>) => Promise<void>,
  ): Promise<JoinToken> {
    const server = this.serverUrl(origin);
    const secret = newJoinToken();
    const expiresAt = new Date(Date.now() + ttlSeconds * 1000).toISOString();
    await this.audit.transact(ctx, async (trx, audit) => {
      if (before) await before(trx);
      const id = await this.repo.insertJoinToken(trx, {
        environmentId,
        agentId,
        tokenHash: secret.hash,
        expiresAt,
        createdBy: ctx.principal?.userId ?? null,
      });
      audit.details = { ...audit.details, environmentId, joinTokenId: id, expiresAt, server };
    });
    const mode = await this.repo.environmentMode(environmentId);
    return { token: secret.token, expiresAt, ...(await this.commands(server, secret.token, mode)) };
  }

  /** The join commands for a token, carrying the current bundle's hash (read now, cached while the file is unchanged). */
  private async commands(server: string, token: string, mode: AgentMode = 'standard'): Promise<{ command: string; dockerCommand: string }> {
    return agentCommands(server, token, this.serverFingerprint, (await this.bundle.current())?.sha256 ?? null, mode);
  }

  /** A one-time join token for a new agent of the environment (the route has authorized agents.manage). */
  async createJoinToken(ctx: RequestContext, environmentId: number, body: CreateJoinToken, origin: RequestOrigin): Promise<JoinToken> {
    if (!(await this.repo.environmentExists(environmentId))) throw notFound('environment', environmentId);
    if (ctx.audit) {
      ctx.audit.targetType = 'environment';
      ctx.audit.targetId = String(environmentId);
    }
    return this.issueToken(ctx, environmentId, null, body.ttl, origin);
  }

  /** Enrols an agent's public key with a join token: creates the agent, or re-keys it after a rotation. */
  async enrol(ctx: RequestContext, body: EnrolRequest): Promise<EnrolResponse> {
    if (ctx.audit) {
      ctx.audit.actorOverride = { id: null, name: 'agent' };
      ctx.audit.targetType = 'agent';
      ctx.audit.details = { hostname: body.hostname, agentVersion: body.agentVersion, ...(body.mode ? { mode: body.mode } : {}) };
    }
    const key = parseAgentPublicKey(body.publicKey);
    if ('error' in key) {
      throw new AppError('validation_failed', `body.publicKey: ${key.error}`, {
        issues: [{ location: 'body', path: 'publicKey', message: key.error }],
      });
    }
    if (!isJoinTokenShaped(body.token)) throw joinTokenError('join_token_invalid');
    const tokenHash = hashJoinToken(body.token);
    const fields = { publicKey: key.spki, fingerprint: key.fingerprint, hostname: body.hostname, agentVersion: body.agentVersion };

    const response = await this.audit.transact(ctx, async (trx, audit) => {
      const now = new Date();
      const token = await this.repo.findJoinToken(trx, tokenHash);
      if (!token) return this.enrolIntoGroup(trx, audit, tokenHash, fields, key.fingerprint, now, body.mode);
      if (token.usedAt !== null) throw joinTokenError('join_token_used');
      if (Date.parse(token.expiresAt) <= now.getTime()) throw joinTokenError('join_token_expired');
      const environmentId = Number(token.environmentId);
      let agentId: number;
      if (token.agentId !== null) {
        agentId = Number(token.agentId);
        if (!(await this.repo.rekey(trx, agentId, fields))) {
          throw new AppError('agent_revoked', `agent ${agentId} was revoked: enrol a new agent with a join token for environment ${environmentId}`);
        }
      } else {
        const active = await this.repo.activeInEnvironment(trx, environmentId);
        if (active) {
          throw new AppError(
            'conflict',
            `environment ${environmentId} has an agent already (agent ${active.id}): revoke it first, or rotate its credential (POST /api/agents/${active.id}/rotate)`,
          );
        }
        agentId = Number((await this.repo.insert(trx, { environmentId, ...fields })).id);
      }
      if (!(await this.repo.useJoinToken(trx, Number(token.id), now.toISOString()))) throw joinTokenError('join_token_used');
      audit.targetId = String(agentId);
      audit.details = {
        ...audit.details,
        environmentId,
        joinTokenId: Number(token.id),
        fingerprint: key.fingerprint,
        rotation: token.agentId !== null,
      };
      const mode = await this.repo.applyMode(trx, environmentId, body.mode);
      return this.withCertificate(trx, { agentId, environmentId, serverTime: now.toISOString(), mode }, key.spki);
    });
    // The enrolment committed: a failure to refresh the mode cache must not turn it into an error.
    await this.environmentChanged(response.environmentId).catch(() => undefined);
    return response;
  }

  /** Adds the mTLS client certificate for the enrolled key (when the server has a CA) and records its serial. */
  private async withCertificate(trx: Transaction<MainDatabase>, response: EnrolResponse, spki: string): Promise<EnrolResponse> {
    if (!this.ca) return response;
    const issued = await this.ca.issue(response.agentId, spki);
    await this.repo.setClientCertSerial(trx, response.agentId, issued.serial);
    return { ...response, clientCertificate: issued.certPem, caCertificate: this.ca.certPem };
  }

  /** Enrolment with a group token: a new environment of the group, named after the host, with this agent. */
  private async enrolIntoGroup(
    trx: Transaction<MainDatabase>,
    audit: AuditDraft,
    tokenHash: string,
    fields: { publicKey: string; fingerprint: string; hostname: string; agentVersion: string },
    fingerprint: string,
    now: Date,
    mode: AgentMode = 'standard',
  ): Promise<EnrolResponse> {
    const token = await this.groupJoin.find(trx, tokenHash);
    if (!token || token.revokedAt !== null) throw joinTokenError('join_token_invalid');
    if (Date.parse(token.expiresAt) <= now.getTime()) throw joinTokenError('join_token_expired');
    if (!(await this.groupJoin.use(trx, token))) {
      throw new AppError('join_token_used', `the group join token was used by all ${token.maxUses} hosts it allows: ask an administrator for a new one`);
    }
    const env = await this.groupJoin.createEnvironment(trx, Number(token.groupId), fields.hostname, mode);
    const agentId = Number((await this.repo.insert(trx, { environmentId: env.id, ...fields })).id);
    audit.targetId = String(agentId);
    audit.details = {
      ...audit.details,
      environmentId: env.id,
      environmentName: env.name,
      groupId: Number(token.groupId),
      groupJoinTokenId: Number(token.id),
      fingerprint,
      rotation: false,
    };
    return this.withCertificate(trx, { agentId, environmentId: env.id, serverTime: now.toISOString(), mode }, fields.publicKey);
  }

  /** A join token for a whole group (the route has authorized environments.create): every host enrolling with it becomes an environment of the group. */
  async createGroupJoinToken(ctx: RequestContext, groupId: number, body: CreateGroupJoinToken, origin: RequestOrigin): Promise<GroupJoinToken> {
    if (!(await this.groupJoin.groupExists(groupId))) throw notFound('group', groupId);
    if (ctx.audit) {
      ctx.audit.targetType = 'group';
      ctx.audit.targetId = String(groupId);
    }
    const server = this.serverUrl(origin);
    const secret = newJoinToken();
    const expiresAt = new Date(Date.now() + body.ttl * 1000).toISOString();
    await this.audit.transact(ctx, async (trx, audit) => {
      const id = await this.groupJoin.insert(trx, {
        groupId,
        tokenHash: secret.hash,
        expiresAt,
        maxUses: body.maxUses,
        createdBy: ctx.principal?.userId ?? null,
      });
      audit.details = { ...audit.details, groupId, groupJoinTokenId: id, expiresAt, maxUses: body.maxUses, server };
    });
    return { token: secret.token, expiresAt, groupId, maxUses: body.maxUses, ...(await this.commands(server, secret.token)) };
  }

  async list(environmentId: number): Promise<AgentList> {
    if (!(await this.repo.environmentExists(environmentId))) throw notFound('environment', environmentId);
    return { items: (await this.repo.listForEnvironment(environmentId)).map(presentAgent) };
  }

  /** The agent, once the caller is known to hold agents.manage on its environment. */
  private async manageable(ctx: RequestContext, id: number): Promise<AgentRow> {
    const p = requirePrincipal(ctx);
    const row = await this.repo.get(id);
    if (!row) {
      // Like environments: only administrators learn that an id does not exist.
      if (p.isAdmin) throw notFound('agent', id);
      throw new AppError('forbidden', `you have no role on the environment of agent ${id}`, { permission: 'agents.manage' });
    }
    await this.access.authorize(p, 'agents.manage', Number(row.environmentId));
    return row;
  }

  /** Revokes the agent for good: its connection closes now and it is refused from then on. */
  async revoke(ctx: RequestContext, id: number): Promise<Agent> {
    const row = await this.manageable(ctx, id);
    await this.audit.transact(ctx, async (trx, audit) => {
      audit.details = { environmentId: Number(row.environmentId), hostname: row.hostname, alreadyRevoked: row.revokedAt !== null };
      await this.repo.revoke(trx, id, new Date().toISOString());
      await this.repo.dropAgentTokens(trx, id);
    });
    this.revocations.emit(id, 'revoked');
    const after = await this.repo.get(id);
    if (!after) throw notFound('agent', id);
    return presentAgent(after);
  }

  /**
   * Rotates the agent's credential: the current key stops verifying at once (live connection
   * closed) and the answer is a one-time join token bound to this agent; enrolling with it
   * registers the agent's new key under the same agent id.
   */
  async rotate(ctx: RequestContext, id: number, body: CreateJoinToken, origin: RequestOrigin): Promise<JoinToken> {
    const row = await this.manageable(ctx, id);
    if (row.revokedAt !== null) {
      throw new AppError('conflict', `agent ${id} is revoked and cannot be rotated: enrol a new agent with POST /api/environments/${row.environmentId}/join-tokens`);
    }
    if (ctx.audit) ctx.audit.details = { previousFingerprint: row.fingerprint, credentialVersion: Number(row.credentialVersion) };
    const answer = await this.issueToken(ctx, Number(row.environmentId), id, body.ttl, origin, async (trx) => {
      await this.repo.dropAgentTokens(trx, id);
      await this.repo.clearKey(trx, id);
    });
    this.revocations.emit(id, 'rotated');
    return answer;
  }

  // ----- for the agent tunnel -------------------------------------------------------------

  /** A fresh challenge for a new agent connection; its nonce is accepted once, for a minute. */
  createChallenge(): AgentChallenge {
    return this.challenges.issue();
  }

  /**
   * Checks an agent's answer to a challenge this server issued: the nonce is consumed whatever
   * the outcome; the signature must verify with the agent's current key over the canonical
   * input for this agent, nonce and purpose. Throws challenge_failed or agent_revoked.
   */
  async verifyChallenge(
    agentId: number,
    nonce: string,
    signature: string,
    purpose: AgentAuthPurpose = 'connect',
  ): Promise<{ agentId: number; environmentId: number; publicKey: string }> {
    const fresh = this.challenges.consume(nonce);
    if (!fresh) throw new AppError('challenge_failed', 'the challenge is unknown, expired or answered already: reconnect to get a fresh one');
    const verified = await this.verifySignature(agentId, nonce, signature, purpose);
    await this.repo.touch(agentId, new Date().toISOString());
    return verified;
  }

  /**
   * Checks the agent's signature over a nonce the caller issued and consumed (polls keep their
   * own nonces): its current key, not revoked. Throws challenge_failed or agent_revoked.
   */
  async verifySignature(
    agentId: number,
    nonce: string,
    signature: string,
    purpose: AgentAuthPurpose,
  ): Promise<{ agentId: number; environmentId: number; publicKey: string }> {
    const row = Number.isSafeInteger(agentId) && agentId > 0 ? await this.repo.get(agentId) : undefined;
    const valid = row?.publicKey ? verifyChallengeSignature(this.publicKey(row.publicKey), purpose, agentId, nonce, signature) : false;
    if (!row || !valid) {
      throw new AppError('challenge_failed', 'the signature does not verify (unknown agent, another key, or a credential rotated since): enrol again with a new join token');
    }
    if (row.revokedAt !== null) throw new AppError('agent_revoked', `agent ${agentId} was revoked: ask an administrator to enrol the host again`);
    return { agentId, environmentId: Number(row.environmentId), publicKey: row.publicKey ?? '' };
  }

  private publicKey(spki: string): KeyObject {
    let key = this.keys.get(spki);
    if (!key) {
      key = storedPublicKey(spki);
      this.keys.set(spki, key);
    }
    return key;
  }

  /** True when the agent is revoked or does not exist (a deleted environment takes its agents along). */
  async isRevoked(agentId: number): Promise<boolean> {
    const row = await this.repo.get(agentId);
    return !row || row.revokedAt !== null;
  }

  /** Calls `listener` when the agent is revoked or rotated; returns the unsubscribe function. */
  onRevoke(agentId: number, listener: RevocationListener): () => void {
    return this.revocations.on(agentId, listener);
  }
}
