/** Devilry's login: a session cookie carrying a personal API token named `devilry-session`. */
import type { Actor } from '../actor.ts';
import { AssayError } from '../errors.ts';
import type { PasswordHasher } from '../identity/passwords.ts';
import type { TokensService } from '../identity/tokens.service.ts';
import type { UsersService } from '../identity/users.service.ts';
import type { Db } from '../../db/database.ts';
import { usersRepo } from '../identity/users.repo.ts';

export const SESSION_TOKEN_NAME = 'devilry-session';

export class SessionsService {
  constructor(
    private readonly db: Db,
    private readonly hasher: PasswordHasher,
    private readonly users: UsersService,
    private readonly tokens: TokensService,
  ) {}

  /** A new session token, or `unauthenticated` (wrong credentials) / `forbidden` (inactive account). */
  async login(username: string, password: string): Promise<string> {
    const row = await usersRepo.byUsername(this.db, username);
    const ok = await this.hasher.verify(row?.password_hash ?? null, password);
    if (!row || !ok) throw new AssayError('unauthenticated', 'Invalid username or password', { reason: 'invalid_credentials' });
    if (!row.is_active) throw new AssayError('forbidden', 'Account is not active', { reason: 'inactive' });
    return (await this.tokens.createApiToken(row.id, SESSION_TOKEN_NAME)).token;
  }

  /** The caller of a session token, or null. */
  async actorOf(token: string): Promise<Actor | null> {
    const userId = await this.tokens.resolveApiToken(token);
    return userId === null ? null : this.users.actorFor(userId);
  }

  async logout(token: string): Promise<void> {
    await this.tokens.revokeApiTokenByValue(token, SESSION_TOKEN_NAME);
  }
}
