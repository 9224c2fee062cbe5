import { createSecretKey, type KeyObject } from 'node:crypto';
import { SignJWT, errors, jwtVerify } from 'jose';
import { AppError } from '../../errors.ts';

export interface SessionClaims {
  userId: number;
  sessionId: string;
}

/** Signs and checks session tokens (HS256 JWT). The key lives in the database so it survives restarts. */
export class SessionTokens {
  // A KeyObject made once: jose would otherwise import raw key bytes again on every verify.
  private readonly key: KeyObject;

  constructor(key: Uint8Array) {
    this.key = createSecretKey(key);
  }

  /** A token for `claims` valid until `expiresAt`. */
  sign(claims: SessionClaims, expiresAt: Date): Promise<string> {
    return new SignJWT({ sid: claims.sessionId })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer('capstan')
      .setSubject(String(claims.userId))
      .setIssuedAt()
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .sign(this.key);
  }

  /** The claims of a genuine, unexpired token; AppError otherwise. Revocation is checked by the caller. */
  async verify(token: string): Promise<SessionClaims> {
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: 'capstan', algorithms: ['HS256'] });
      const userId = Number(payload.sub);
      if (!Number.isInteger(userId) || typeof payload.sid !== 'string') throw new Error('claims missing');
      return { userId, sessionId: payload.sid };
    } catch (err) {
      if (err instanceof errors.JWTExpired) throw new AppError('session_expired', 'your session has expired: sign in again');
      throw new AppError('unauthenticated', 'the session token is not valid: sign in again');
    }
  }
}
