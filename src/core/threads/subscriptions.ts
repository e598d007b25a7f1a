import type { Db } from '../../db/database.ts';
import type { ThreadKind, ThreadRef } from './thread.ts';
import { threadsRepo } from './threads.repo.ts';

/** Subscribes or unsubscribes the user; both are idempotent. */
export async function setSubscribed(db: Db, userId: number, thread: ThreadRef, on: boolean): Promise<void> {
  if (on) await threadsRepo.subscribe(db, userId, thread);
  else await threadsRepo.unsubscribe(db, userId, thread);
}

/**
 * Up to this many thread ids are looked up by id (one query); for more (a whole course's list), all
 * of the user's rows of the kind are read in one query and kept when asked for, rather than one
 * query per batch of ids (a list of 20,000 assignments took 40 of them).
 */
export const BY_ID_LIMIT = 500;

/** Which of `ids` the user is subscribed to. */
export async function subscribedAmong(db: Db, userId: number, kind: ThreadKind, ids: number[]): Promise<Set<number>> {
  if (ids.length === 0) return new Set();
  if (ids.length <= BY_ID_LIMIT) return new Set(await threadsRepo.subscribedAmong(db, userId, kind, ids));
  const asked = new Set(ids);
  return new Set((await threadsRepo.subscribedAmong(db, userId, kind, 'all')).filter((id) => asked.has(id)));
}
