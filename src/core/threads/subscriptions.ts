import type { Db } from '../../db/database.ts';
import type { ThreadKind, ThreadRef } from './thread.ts';
import { threadColumn } from './thread.ts';

/** Subscribes or unsubscribes the user; both are idempotent. */
export async function setSubscribed(db: Db, userId: number, thread: ThreadRef, on: boolean): Promise<void> {
  const column = threadColumn[thread.kind];
  if (on) {
    await db
      .insertInto('subscriptions')
      .values({ user_id: userId, [column]: thread.id })
      .onConflict((oc) => oc.columns(['user_id', column]).doNothing())
      .execute();
  } else {
    await db.deleteFrom('subscriptions').where('user_id', '=', userId).where(column, '=', thread.id).execute();
  }
}

/** Which of `ids` the user is subscribed to. */
export async function subscribedAmong(db: Db, userId: number, kind: ThreadKind, ids: number[]): Promise<Set<number>> {
  const column = threadColumn[kind];
  const out = new Set<number>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db
      .selectFrom('subscriptions')
      .select(column)
      .where('user_id', '=', userId)
      .where(column, 'in', ids.slice(i, i + 500))
      .execute();
    for (const r of rows) if (r[column] !== null) out.add(r[column]!);
  }
  return out;
}
