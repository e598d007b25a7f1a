import type { Db } from '../../db/database.ts';
import type { Actor } from '../actor.ts';
import { isStaff } from '../actor.ts';
import { AssayError } from '../errors.ts';
import type { ThreadRef } from './thread.ts';
import { threadTable } from './thread.ts';

const HELD = 'This item is locked by another checker.';

/**
 * Claims the thread for the actor (it becomes its `checker`). One conditional UPDATE decides, so
 * of two checkers locking at once exactly one wins on either engine. Locking again is a no-op;
 * staff and admins take over a lock held by someone else; everyone else is refused.
 * The caller has already checked that the actor sees the thread and is at least a checker.
 */
export async function lockThread(db: Db, thread: ThreadRef, actor: Actor, now: string): Promise<void> {
  const table = threadTable[thread.kind];
  const claimed = await db
    .updateTable(table)
    .set({ checker_id: actor.id })
    .where('id', '=', thread.id)
    .where((eb) => eb.or([eb('checker_id', 'is', null), eb('checker_id', '=', actor.id)]))
    .executeTakeFirst();
  if (Number(claimed.numUpdatedRows) > 0) {
    if (thread.kind === 'assignment') await db.updateTable('assignments').set({ locked_at: now }).where('id', '=', thread.id).where('checker_id', '=', actor.id).execute();
    return;
  }
  if (!isStaff(actor)) throw AssayError.forbidden(HELD);
  await db.updateTable(table).set({ checker_id: actor.id }).where('id', '=', thread.id).execute();
  if (thread.kind === 'assignment') await db.updateTable('assignments').set({ locked_at: now }).where('id', '=', thread.id).execute();
}

/** Releases the lock: its holder, or staff for anyone's lock. Unlocking a free thread is a no-op. */
export async function unlockThread(db: Db, thread: ThreadRef, actor: Actor): Promise<void> {
  const table = threadTable[thread.kind];
  let q = db.updateTable(table).set({ checker_id: null }).where('id', '=', thread.id);
  if (!isStaff(actor)) q = q.where((eb) => eb.or([eb('checker_id', 'is', null), eb('checker_id', '=', actor.id)]));
  const released = await q.executeTakeFirst();
  if (Number(released.numUpdatedRows) === 0) throw AssayError.forbidden(HELD);
}

/** Refuses a grading response by a checker while another checker holds the thread. */
export function assertMayRespond(checkerId: number | null, actor: Actor): void {
  if (checkerId !== null && checkerId !== actor.id && !isStaff(actor)) throw AssayError.forbidden(HELD);
}
