import type { Db } from '../../db/database.ts';
import type { ThreadKind } from '../threads/thread.ts';
import { threadColumn } from '../threads/thread.ts';

/** A notification as nested inside its assignment or help thread (Hive's NotificationNested). */
export interface NestedNotification {
  id: number;
  from_user: number | null;
  comment: string;
}

export interface NestedOptions {
  /** Only what the user has not read yet (the default): the nested form carries no `was_read`. */
  unreadOnly?: boolean;
}

/**
 * The notifications addressed to `forUserId` on each of the threads, in ascending id order, keyed by
 * thread id (every requested id has an entry, possibly empty). Assignments and help threads render
 * their `notifications` field with it, for the requesting user.
 */
export async function nestedNotifications(
  db: Db,
  kind: ThreadKind,
  threadIds: number[],
  forUserId: number,
  options: NestedOptions = {},
): Promise<Map<number, NestedNotification[]>> {
  const column = threadColumn[kind];
  const out = new Map<number, NestedNotification[]>(threadIds.map((id) => [id, []]));
  const ids = [...new Set(threadIds)];
  for (let i = 0; i < ids.length; i += 500) {
    let q = db
      .selectFrom('notifications')
      .select(['id', 'from_user_id', 'comment', column])
      .where('for_user_id', '=', forUserId)
      .where(column, 'in', ids.slice(i, i + 500));
    if (options.unreadOnly ?? true) q = q.where('was_read', '=', false);
    const rows = await q.orderBy('id').execute();
    for (const r of rows) out.get(r[column]!)?.push({ id: r.id, from_user: r.from_user_id, comment: r.comment });
  }
  return out;
}
