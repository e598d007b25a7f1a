import crypto from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import type { Actor } from '../actor.ts';
import type { BaseServices } from '../services.ts';
import { hmacKey } from '../identity/hmac-key.ts';
import { settingsRepo } from '../settings.repo.ts';

const SECRET_KEY = 'inginious_session_secret';

/**
 * INGInious' login cookie: a signed token naming the user, valid for the configured lifetime.
 * The signing key is kept in the database, so every server accepts every other's cookies.
 */
export class SessionsService {
  private key: Promise<CryptoKey> | null = null;

  constructor(
    private readonly base: BaseServices,
    private readonly seconds: number,
  ) {}

  private signingKey(): Promise<CryptoKey> {
    this.key ??= settingsRepo.sharedValue(this.base.db, SECRET_KEY, () => crypto.randomBytes(48).toString('base64url')).then(hmacKey);
    return this.key;
  }

  /** Checks a login and password (local accounts only); null when they do not open a session; `rate_limited` past the sign-in limits. */
  async logIn(login: string, password: string, address: string): Promise<{ actor: Actor; cookie: string } | null> {
    const actor = await this.base.signIn.authenticate(login.trim(), password, address);
    if (!actor) return null;
    const iat = Math.floor(this.base.clock.nowMs() / 1000);
    const cookie = await new SignJWT({ inginious: true })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(String(actor.id))
      .setIssuedAt(iat)
      .setExpirationTime(iat + this.seconds)
      .sign(await this.signingKey());
    return { actor, cookie };
  }

  /** The active user a cookie names, or null (bad signature, expired, account gone or disabled). */
  async actorOf(cookie: string): Promise<Actor | null> {
    const key = await this.signingKey();
    let subject: string | undefined;
    try {
      const { payload } = await jwtVerify(cookie, key, { algorithms: ['HS256'], currentDate: new Date(this.base.clock.nowMs()) });
      if (payload.inginious === true) subject = payload.sub;
    } catch {
      return null;
    }
    return subject && /^\d+$/.test(subject) ? this.base.users.actorFor(Number(subject)) : null;
  }

  get lifetimeSeconds(): number {
    return this.seconds;
  }
}
