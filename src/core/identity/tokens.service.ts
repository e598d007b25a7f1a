import crypto from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import { LruMap } from 'toad-cache';
import type { Db } from '../../db/database.ts';
import type { Actor, ClearanceLevel } from '../actor.ts';
import type { Clock } from '../clock.ts';
import { addSeconds } from '../clock.ts';
import { AssayError } from '../errors.ts';
import { hmacKey } from './hmac-key.ts';
import { tokensRepo } from './tokens.repo.ts';

export interface TokenPair {
  access: string;
  refresh: string;
}

export interface ApiToken {
  id: number;
  name: string;
  created_at: string;
  last_used_at: string | null;
}

/** Personal API tokens carry this prefix, so a dialect can tell them from JWTs at a glance. */
export const API_TOKEN_PREFIX = 'assay_';

/**
 * Cookie login sessions (Devilry's `sessionid`) are kept beside API tokens under this reserved
 * name. They live for the session's lifetime from their creation and are never API tokens: a
 * bearer lookup does not find them, and no API token may take this name.
 */
export const COOKIE_SESSION_NAME = 'devilry-session';

const invalidToken = () => new AssayError('unauthenticated', 'Given token not valid for any token type', { reason: 'token_not_valid' });

export const sha256Hex = (text: string): string => crypto.createHash('sha256').update(text).digest('hex');

/** How many verified access tokens are remembered (about 300 bytes each). */
const VERIFIED_ACCESS_TOKENS = 10_000;

/** An access token jose has verified: whom it names and until when (`exp`, seconds) it holds. */
interface VerifiedAccess {
  userId: number;
  exp: number;
}

/** JWT access tokens, rotating refresh tokens (each usable once) and hashed personal API tokens. */
export class TokensService {
  private imported: Promise<CryptoKey> | null = null;
  /**
   * Access tokens already verified, by their whole text: a client sends the same one on every
   * request until it expires, and jose's verification was most of an authenticated request's
   * cost. A token signed here never changes meaning before its `exp` (access tokens are not
   * revoked one by one; whether the user may still act is read on every request), so a hit only
   * checks `exp` again on the clock. Only tokens that passed jose are stored.
   */
  private readonly verifiedAccess = new LruMap<VerifiedAccess>(VERIFIED_ACCESS_TOKENS);

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly secret: string,
    private readonly accessSeconds: number,
    private readonly refreshSeconds: number,
  ) {}

  private key(): Promise<CryptoKey> {
    this.imported ??= hmacKey(this.secret);
    return this.imported;
  }

  private async sign(userId: number, type: 'access' | 'refresh', seconds: number, jti: string): Promise<string> {
    const iat = Math.floor(this.clock.nowMs() / 1000);
    return new SignJWT({ token_type: type, user_id: userId })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuedAt(iat)
      .setExpirationTime(iat + seconds)
      .setJti(jti)
      .sign(await this.key());
  }

  async issuePair(userId: number): Promise<TokenPair> {
    const jti = crypto.randomUUID().replace(/-/g, '');
    const now = this.clock.now();
    await tokensRepo.insertRefresh(this.db, { jti, user_id: userId, created_at: now, expires_at: addSeconds(now, this.refreshSeconds) });
    const [access, refresh] = await Promise.all([
      this.sign(userId, 'access', this.accessSeconds, crypto.randomUUID().replace(/-/g, '')),
      this.sign(userId, 'refresh', this.refreshSeconds, jti),
    ]);
    return { access, refresh };
  }

  private async verify(token: string, type: 'access' | 'refresh'): Promise<{ userId: number; jti: string; exp: number; nbf: unknown }> {
    try {
      // Every token this server signs expires: one without `exp` was not made here.
      const { payload } = await jwtVerify(token, await this.key(), { algorithms: ['HS256'], requiredClaims: ['exp'], currentDate: new Date(this.clock.nowMs()) });
      if (payload.token_type !== type || typeof payload.user_id !== 'number' || typeof payload.jti !== 'string') throw invalidToken();
      return { userId: payload.user_id, jti: payload.jti, exp: payload.exp!, nbf: payload.nbf };
    } catch {
      throw invalidToken();
    }
  }

  async verifyAccess(token: string): Promise<number> {
    // jose's rule: expired once `exp` is not after the current whole second.
    const now = Math.floor(this.clock.nowMs() / 1000);
    const known = this.verifiedAccess.get(token);
    if (known) {
      if (known.exp > now) return known.userId;
      this.verifiedAccess.delete(token);
      throw invalidToken();
    }
    const claims = await this.verify(token, 'access');
    // A token with `nbf` is not one this server signs; it is verified every time rather than remembered.
    if (claims.nbf === undefined) this.verifiedAccess.set(token, { userId: claims.userId, exp: claims.exp });
    return claims.userId;
  }

  /** Spends a refresh token (exactly once, even under concurrent calls) and issues a new pair. */
  async refresh(token: string): Promise<TokenPair> {
    const notValid = new AssayError('unauthenticated', 'Token is invalid or expired', { reason: 'token_not_valid' });
    let claims;
    try {
      claims = await this.verify(token, 'refresh');
    } catch {
      throw notValid;
    }
    const now = this.clock.now();
    if (!(await tokensRepo.spendRefresh(this.db, claims.jti, now))) throw notValid;
    return this.issuePair(claims.userId);
  }

  async createApiToken(userId: number, name: string): Promise<{ id: number; name: string; token: string }> {
    if (name === COOKIE_SESSION_NAME) throw AssayError.field('name', 'invalid', `"${COOKIE_SESSION_NAME}" is reserved for login sessions.`);
    const token = API_TOKEN_PREFIX + crypto.randomBytes(32).toString('base64url');
    const row = await tokensRepo.insertApiToken(this.db, { user_id: userId, name, token_hash: sha256Hex(token), created_at: this.clock.now() });
    return { id: row.id, name: row.name, token };
  }

  listApiTokens(userId: number): Promise<ApiToken[]> {
    return tokensRepo.listApiTokens(this.db, userId, COOKIE_SESSION_NAME);
  }

  async revokeApiToken(userId: number, id: number): Promise<void> {
    if (!(await tokensRepo.deleteApiToken(this.db, userId, id))) throw AssayError.notFound();
  }

  /** A new cookie session key for the user (not an API token, so without their prefix); the user's expired sessions go. */
  async createCookieSession(userId: number, lifetimeSeconds: number): Promise<string> {
    const key = crypto.randomBytes(32).toString('base64url');
    const now = this.clock.now();
    await tokensRepo.deleteNamedBefore(this.db, userId, COOKIE_SESSION_NAME, addSeconds(now, -lifetimeSeconds));
    await tokensRepo.insertApiToken(this.db, { user_id: userId, name: COOKIE_SESSION_NAME, token_hash: sha256Hex(key), created_at: now });
    return key;
  }

  /** The user of a cookie session younger than its lifetime, or null. */
  async cookieSessionUser(key: string, lifetimeSeconds: number): Promise<number | null> {
    return tokensRepo.userOfNamed(this.db, sha256Hex(key), COOKIE_SESSION_NAME, addSeconds(this.clock.now(), -lifetimeSeconds));
  }

  async endCookieSession(key: string): Promise<void> {
    await tokensRepo.deleteNamed(this.db, sha256Hex(key), COOKIE_SESSION_NAME);
  }

  /** The user a personal API token belongs to, or null (a cookie session is not one). */
  async resolveApiToken(token: string): Promise<number | null> {
    const row = await tokensRepo.byHashExcept(this.db, sha256Hex(token), COOKIE_SESSION_NAME);
    if (!row) return null;
    await this.markUsed(row);
    return row.user_id;
  }

  /**
   * The personal API token's user as an actor, read with the token in one query: null when there
   * is no such token (a cookie session is not one), `actor` null when its user may not sign in.
   */
  async apiTokenActor(token: string): Promise<{ actor: Actor | null } | null> {
    const row = await tokensRepo.byHashExceptWithUser(this.db, sha256Hex(token), COOKIE_SESSION_NAME);
    if (!row) return null;
    await this.markUsed(row);
    return { actor: row.is_active ? { id: row.user_id, username: row.username, clearance: row.clearance as ClearanceLevel } : null };
  }

  /** Recording use at most once a minute keeps token auth free of a write per request. */
  private async markUsed(row: { id: number; last_used_at: string | null }): Promise<void> {
    const now = this.clock.now();
    if (!row.last_used_at || row.last_used_at.slice(0, 16) !== now.slice(0, 16)) {
      await tokensRepo.markUsed(this.db, row.id, now);
    }
  }
}
