import type { Db } from '../../db/database.ts';
import type { Actor } from '../actor.ts';
import type { Clock } from '../clock.ts';
import { addSeconds } from '../clock.ts';
import type { PasswordSignIn } from '../identity/sign-in-limits.ts';
import type { UsersService } from '../identity/users.service.ts';
import { oauthRepo } from './oauth.repo.ts';
import { newSecret, sha256Hex } from './secrets.ts';

/** Browser sign-in for the consent and activation pages: a random key in a cookie, its hash here. */
export class BrowserSessionsService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly users: UsersService,
    private readonly passwords: PasswordSignIn,
    private readonly sessionSeconds: number,
  ) {}

  /** A new session key for these credentials, or null when they are wrong; `rate_limited` past the sign-in limits. */
  async signIn(username: string, password: string, address: string): Promise<{ key: string; actor: Actor } | null> {
    const actor = await this.passwords.authenticate(username, password, address);
    if (!actor) return null;
    const key = newSecret();
    const now = this.clock.now();
    await oauthRepo.deleteExpiredSessions(this.db, now);
    await oauthRepo.insertSession(this.db, { user_id: actor.id, token_hash: sha256Hex(key), created_at: now, expires_at: addSeconds(now, this.sessionSeconds) });
    return { key, actor };
  }

  async actor(key: string | undefined): Promise<Actor | null> {
    if (!key) return null;
    const userId = await oauthRepo.liveSessionUser(this.db, sha256Hex(key), this.clock.now());
    return userId === undefined ? null : this.users.actorFor(userId);
  }

  async signOut(key: string | undefined): Promise<void> {
    if (key) await oauthRepo.deleteSession(this.db, sha256Hex(key));
  }
}
