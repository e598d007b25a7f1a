/**
 * Devilry's login: a `sessionid` cookie naming a cookie session of the identity tokens (it expires
 * with the session's lifetime and is never accepted as a bearer API token).
 */
import type { Actor } from '../actor.ts';
import { AssayError } from '../errors.ts';
import type { PasswordHasher } from '../identity/passwords.ts';
import type { SignInLimits } from '../identity/sign-in-limits.ts';
import type { TokensService } from '../identity/tokens.service.ts';
import type { UsersService } from '../identity/users.service.ts';
import type { Db } from '../../db/database.ts';
import { usersRepo } from '../identity/users.repo.ts';

export class SessionsService {
  constructor(
    private readonly db: Db,
    private readonly hasher: PasswordHasher,
    private readonly users: UsersService,
    private readonly tokens: TokensService,
    private readonly limits: SignInLimits,
    readonly lifetimeSeconds: number,
  ) {}

  /** A new session key, or `unauthenticated` (wrong credentials) / `forbidden` (inactive account) / `rate_limited` (sign-in limits). */
  async login(username: string, password: string, address: string): Promise<string> {
    const row = await this.limits.check({ account: username, address }, async () => {
      const found = await usersRepo.byUsername(this.db, username);
      return found && (await this.hasher.verify(found.password_hash, password)) ? found : null;
    });
    if (!row) throw new AssayError('unauthenticated', 'Invalid username or password', { reason: 'invalid_credentials' });
    if (!row.is_active) throw new AssayError('forbidden', 'account inactive', { reason: 'inactive' });
    return this.tokens.createCookieSession(row.id, this.lifetimeSeconds);
  }

  /** The caller of a live session key, or null. */
  async actorOf(key: string): Promise<Actor | null> {
    const userId = await this.tokens.cookieSessionUser(key, this.lifetimeSeconds);
    return userId === null ? null : this.users.actorFor(userId);
  }

  async logout(key: string): Promise<void> {
    await this.tokens.endCookieSession(key);
  }
}
