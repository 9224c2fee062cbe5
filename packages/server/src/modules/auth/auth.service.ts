import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Transaction } from 'kysely';
import type { Login, LoginResponse } from '@capstan/protocol';
import type { MainDatabase } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import type { Principal, RequestContext } from '../../http/context.ts';
import { requirePrincipal } from '../../http/context.ts';
import type { AuditService } from '../audit/audit.service.ts';
import { presentUser, type UserRow, type UsersRepository } from '../users/users.repository.ts';
import { hashApiKey } from './api-key-secret.ts';
import type { AuthRepository, CredentialRow } from './auth.repository.ts';
import type { LoginLimiter } from './login-limiter.ts';
import { verifyPassword } from './passwords.ts';
import type { SessionTokens } from './session-tokens.ts';

export const SESSION_COOKIE = 'capstan_session';

export interface AuthSettings {
  sessionTtlMs: number;
  loginMaxFailures: number;
  loginLockoutMs: number;
}

function cookieValue(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      const raw = part.slice(eq + 1).trim();
      try {
        return decodeURIComponent(raw);
      } catch {
        return raw; // a broken escape is simply an invalid token
      }
    }
  }
  return null;
}

/** Login, logout and turning request credentials into a principal. */
export class AuthService {
  private readonly repo: AuthRepository;
  private readonly users: UsersRepository;
  private readonly audit: AuditService;
  private readonly tokens: SessionTokens;
  private readonly limiter: LoginLimiter;
  private readonly settings: AuthSettings;
  private readonly keyTouched = new Map<number, number>();

  constructor(deps: {
    repo: AuthRepository;
    users: UsersRepository;
    audit: AuditService;
    tokens: SessionTokens;
    limiter: LoginLimiter;
    settings: AuthSettings;
  }) {
    this.repo = deps.repo;
    this.users = deps.users;
    this.audit = deps.audit;
    this.tokens = deps.tokens;
    this.limiter = deps.limiter;
    this.settings = deps.settings;
  }

  /** The caller's principal from X-API-Key, a bearer token or the session cookie; null when none was sent. */
  async authenticate(req: FastifyRequest): Promise<Principal | null> {
    const apiKey = req.headers['x-api-key'];
    if (typeof apiKey === 'string' && apiKey.length > 0) return this.viaApiKey(apiKey);
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const token = bearer ?? cookieValue(req.headers.cookie, SESSION_COOKIE);
    return token ? this.viaSession(token) : null;
  }

  private async viaSession(token: string): Promise<Principal> {
    const claims = await this.tokens.verify(token);
    const row = await this.repo.session(claims.sessionId);
    if (!row || Number(row.userId) !== claims.userId) throw new AppError('session_revoked', 'this session no longer exists: sign in again');
    if (row.revokedAt) throw new AppError('session_revoked', 'this session was ended (logout, password change or by an administrator): sign in again');
    if (row.expiresAt && Date.parse(row.expiresAt) <= Date.now()) throw new AppError('session_expired', 'your session has expired: sign in again');
    this.assertEnabled(row);
    return this.principal(row, 'session', { sessionId: claims.sessionId });
  }

  private async viaApiKey(key: string): Promise<Principal> {
    const row = key.length <= 200 ? await this.repo.apiKeyByHash(hashApiKey(key)) : undefined;
    if (!row || row.keyId === undefined) throw new AppError('api_key_invalid', 'the X-API-Key is not valid (deleted or mistyped)');
    if (row.expiresAt && Date.parse(row.expiresAt) <= Date.now()) {
      throw new AppError('api_key_expired', `this API key expired at ${row.expiresAt}: create a new one`);
    }
    this.assertEnabled(row);
    this.touch(Number(row.keyId));
    return this.principal(row, 'api_key', { apiKeyId: Number(row.keyId), readOnly: row.readOnly === 1 });
  }

  private assertEnabled(row: CredentialRow): void {
    if (row.disabled === 1) throw new AppError('user_disabled', 'this account is disabled: ask an administrator');
  }

  private principal(
    row: CredentialRow,
    authMethod: Principal['authMethod'],
    extra: { sessionId?: string; apiKeyId?: number; readOnly?: boolean },
  ): Principal {
    return {
      userId: Number(row.userId),
      username: row.username,
      isAdmin: row.isAdmin === 1,
      authMethod,
      sessionId: extra.sessionId ?? null,
      apiKeyId: extra.apiKeyId ?? null,
      readOnly: extra.readOnly ?? false,
    };
  }

  // Last-used time is informational: write it at most once a minute per key, off the request path.
  private touch(keyId: number): void {
    const now = Date.now();
    if (now - (this.keyTouched.get(keyId) ?? 0) < 60_000) return;
    this.keyTouched.set(keyId, now);
    this.repo.touchApiKey(keyId).catch(() => this.keyTouched.delete(keyId));
  }

  /** Checks credentials under rate limits and lockout; on success opens a session. */
  async login(ctx: RequestContext, body: Login): Promise<LoginResponse> {
    const draft = ctx.audit;
    if (draft) {
      draft.details = { username: body.username };
      draft.actorOverride = { id: null, name: body.username };
    }
    const wait = this.limiter.admit(ctx.sourceIp);
    if (wait > 0) {
      throw new AppError('rate_limited', `too many login attempts from ${ctx.sourceIp}: try again in ${wait} s`, {
        retryAfterSeconds: wait,
      });
    }
    const user = await this.users.findByUsername(body.username);
    if (draft && user) draft.actorOverride = { id: Number(user.id), name: user.username };
    if (user?.lockedUntil && Date.parse(user.lockedUntil) > Date.now()) {
      const secs = Math.ceil((Date.parse(user.lockedUntil) - Date.now()) / 1000);
      throw new AppError('account_locked', `this account is locked after repeated failed logins: try again in ${secs} s or ask an administrator to unlock it`, {
        retryAfterSeconds: secs,
      });
    }
    const ok = await verifyPassword(user?.passwordHash ?? null, body.password);
    if (!ok || !user) {
      this.limiter.fail(ctx.sourceIp);
      if (user) await this.users.recordFailedLogin(Number(user.id), this.settings.loginMaxFailures, this.settings.loginLockoutMs);
      throw new AppError('invalid_credentials', 'the username or password is incorrect');
    }
    if (user.disabled === 1) throw new AppError('user_disabled', 'this account is disabled: ask an administrator');
    return this.audit.transact(ctx, async (trx, audit) => {
      audit.targetType = 'user';
      audit.targetId = String(user.id);
      if (user.failedLogins !== 0 || user.lockedUntil) await this.users.update(trx, Number(user.id), { failedLogins: 0, lockedUntil: null });
      return this.openSession(trx, user, ctx);
    });
  }

  /** Creates a session for `user` inside `trx` and signs its token. */
  async openSession(trx: Transaction<MainDatabase>, user: UserRow, ctx: RequestContext): Promise<LoginResponse> {
    const id = randomUUID();
    const expiresAt = new Date(Date.now() + this.settings.sessionTtlMs);
    await this.repo.createSession(trx, {
      id,
      userId: Number(user.id),
      expiresAt: expiresAt.toISOString(),
      sourceIp: ctx.sourceIp,
      userAgent: ctx.userAgent.slice(0, 300),
    });
    const token = await this.tokens.sign({ userId: Number(user.id), sessionId: id }, expiresAt);
    return { token, expiresAt: expiresAt.toISOString(), user: presentUser(user) };
  }

  /** Ends the caller's session (API keys have none: delete the key instead). */
  async logout(ctx: RequestContext): Promise<void> {
    const p = requirePrincipal(ctx);
    if (!p.sessionId) throw new AppError('validation_failed', 'API keys have no session to end: delete the key with DELETE /api/api-keys/{id}');
    const sessionId = p.sessionId;
    await this.audit.transact(ctx, async (trx, audit) => {
      audit.targetType = 'session';
      audit.targetId = sessionId;
      await this.repo.revokeSession(trx, sessionId);
    });
  }
}
