import type { Db } from '../../db/database.ts';
import { Clearance } from '../actor.ts';
import type { Clock } from '../clock.ts';
import type { UserRow } from '../identity/users.repo.ts';
import { usersRepo } from '../identity/users.repo.ts';
import { exchangeRefusal } from './refusals.ts';

export type { UserRow } from '../identity/users.repo.ts';

/**
 * ngshare names users and courses by arbitrary strings. Neither engine stores NUL in text, so
 * such a name can never exist: lookups say "none" and creations are refused.
 */
export const storableName = (name: string): boolean => name !== '' && !name.includes('\u0000');

export async function userByName(db: Db, username: string): Promise<UserRow | undefined> {
  if (!storableName(username)) return undefined;
  return usersRepo.byUsername(db, username);
}

/**
 * The user with this name, created on first sight (ngshare creates users implicitly): a student
 * account without a password, so it can only come in through a token.
 */
export async function ensureUser(db: Db, clock: Clock, username: string): Promise<UserRow> {
  if (!storableName(username)) throw exchangeRefusal('invalid', 'incorrect_request_format');
  const existing = await userByName(db, username);
  if (existing) return existing;
  const now = clock.now();
  await usersRepo.insertIfAbsent(db, { username, password_hash: null, clearance: Clearance.student, status_date: now, created_at: now });
  return (await userByName(db, username))!;
}
