import type { Db } from '../../db/database.ts';
import type { ThreadKind, ThreadRef } from './thread.ts';
import { threadsRepo } from './threads.repo.ts';

/** Subscribes or unsubscribes the user; both are idempotent. */
export async function setSubscribed(db: Db, userId: number, thread: ThreadRef, on: boolean): Promise<void> {
  if (on) await threadsRepo.subscribe(db, userId, thread);
  else await threadsRepo.unsubscribe(db, userId, thread);
}

/** Which of `ids` the user is subscribed to. */
export async function subscribedAmong(db: Db, userId: number, kind: ThreadKind, ids: number[]): Promise<Set<number>> {
  const out = new Set<number>();
  for (let i = 0; i < ids.length; i += 500) {
    for (const id of await threadsRepo.subscribedAmong(db, userId, kind, ids.slice(i, i + 500))) out.add(id);
  }
  return out;
}
