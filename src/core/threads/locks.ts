import type { Db } from '../../db/database.ts';
import type { Actor } from '../actor.ts';
import { isStaff } from '../actor.ts';
import { AssayError } from '../errors.ts';
import type { ThreadRef } from './thread.ts';
import { threadsRepo } from './threads.repo.ts';

const HELD = 'This item is locked by another checker.';

/**
 * Claims the thread for the actor (it becomes its `checker`). One conditional UPDATE decides, so
 * of two checkers locking at once exactly one wins on either engine. Locking again is a no-op;
 * staff and admins take over a lock held by someone else; everyone else is refused.
 * The caller has already checked that the actor sees the thread and is at least a checker.
 */
export async function lockThread(db: Db, thread: ThreadRef, actor: Actor, now: string): Promise<void> {
  if (await threadsRepo.claimIfFree(db, thread, actor.id, now)) return;
  if (!isStaff(actor)) throw AssayError.forbidden(HELD);
  await threadsRepo.takeOver(db, thread, actor.id, now);
}

/** Releases the lock: its holder, or staff for anyone's lock. Unlocking a free thread is a no-op. */
export async function unlockThread(db: Db, thread: ThreadRef, actor: Actor): Promise<void> {
  if (!(await threadsRepo.release(db, thread, isStaff(actor) ? null : actor.id))) throw AssayError.forbidden(HELD);
}

/** Refuses a grading response by a checker while another checker holds the thread. */
export function assertMayRespond(checkerId: number | null, actor: Actor): void {
  if (checkerId !== null && checkerId !== actor.id && !isStaff(actor)) throw AssayError.forbidden(HELD);
}
