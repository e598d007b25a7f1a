import type { Db } from '../../db/database.ts';
import { BY_ID_LIMIT } from '../threads/subscriptions.ts';
import type { ThreadKind } from '../threads/thread.ts';
import { notificationsRepo } from './notifications.repo.ts';

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
  const out = new Map<number, NestedNotification[]>(threadIds.map((id) => [id, []]));
  if (out.size === 0) return out;
  // One query either way: by id for a few threads, else the user's on every thread of the kind (kept when asked for).
  const rows = await notificationsRepo.onThreads(db, kind, out.size <= BY_ID_LIMIT ? [...out.keys()] : 'all', forUserId, options.unreadOnly ?? true);
  for (const r of rows) out.get(r.thread_id)?.push({ id: r.id, from_user: r.from_user_id, comment: r.comment });
  return out;
}
