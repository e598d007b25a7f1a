import crypto from 'node:crypto';
import type { Db } from '../../db/database.ts';
import { Clearance } from '../actor.ts';
import type { Clock } from '../clock.ts';
import { AssayError } from '../errors.ts';
import type { PasswordHasher } from './passwords.ts';
import { usersRepo } from './users.repo.ts';
import { USERNAME_PATTERN } from './users.service.ts';

export interface Registration {
  first_name: string;
  last_name: string;
  username: string;
  gender: string;
  password: string;
  secret: string;
}

/** Equal-time comparison, so the answer time does not tell how much of a guess was right. */
function sameSecret(given: string, expected: string): boolean {
  const a = crypto.createHash('sha256').update(given).digest();
  const b = crypto.createHash('sha256').update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}

/**
 * Self-registration of checkers (Hive's `management/register`): whoever holds the secret staff
 * hand out gets a Checker account. No secret configured means registration is off.
 */
export class RegistrationService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly hasher: PasswordHasher,
    private readonly secret: string | null,
  ) {}

  /** Registration is off: refused before the body is read. */
  assertOpen(): void {
    if (this.secret === null) throw AssayError.forbidden();
  }

  async register(input: Registration): Promise<{ id: number }> {
    this.assertOpen();
    // The secret is checked before the username, so without it nobody learns which names exist.
    if (!sameSecret(input.secret, this.secret!)) throw AssayError.field('secret', 'invalid', 'Invalid registration secret.');
    if (!USERNAME_PATTERN.test(input.username)) {
      throw AssayError.field('username', 'invalid', 'Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.');
    }
    if (await usersRepo.byUsername(this.db, input.username)) throw AssayError.field('username', 'unique', 'A user with that username already exists.');
    const now = this.clock.now();
    return usersRepo.insert(this.db, {
      username: input.username,
      password_hash: await this.hasher.hash(input.password),
      clearance: Clearance.checker,
      first_name: input.first_name,
      last_name: input.last_name,
      gender: input.gender,
      status: 'Present',
      confirmed: false,
      status_date: now,
      created_at: now,
    });
  }
}
