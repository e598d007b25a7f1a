import type { Db } from '../../db/database.ts';
import type { ThreadRef } from './thread.ts';
import { threadColumn, threadTable } from './thread.ts';

export interface ResponseNotice {
  thread: ThreadRef;
  /** The response's author (null: the system, e.g. an autocheck). */
  authorId: number | null;
  responseType: string;
  comment: string;
  /** A staff-only response reaches neither the student nor other students. */
  staffOnly: boolean;
  now: string;
}

/**
 * One notification per subscriber and per owner of the thread (its student), never to the author,
 * written in the caller's transaction together with the response.
 */
export async function notifyResponse(trx: Db, notice: ResponseNotice): Promise<number> {
  const column = threadColumn[notice.thread.kind];
  const owner = await trx.selectFrom(threadTable[notice.thread.kind]).select('user_id').where('id', '=', notice.thread.id).executeTakeFirst();
  const subscribers = await trx
    .selectFrom('subscriptions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select(['s.user_id', 'u.clearance'])
    .where(`s.${column}`, '=', notice.thread.id)
    .execute();
  const recipients = new Set<number>();
  for (const s of subscribers) if (!notice.staffOnly || s.clearance >= 2) recipients.add(s.user_id);
  if (owner?.user_id != null && !notice.staffOnly) recipients.add(owner.user_id);
  if (notice.authorId !== null) recipients.delete(notice.authorId);
  if (recipients.size === 0) return 0;
  await trx
    .insertInto('notifications')
    .values(
      [...recipients].sort((a, b) => a - b).map((userId) => ({
        for_user_id: userId,
        from_user_id: notice.authorId,
        [column]: notice.thread.id,
        response_type: notice.responseType,
        comment: notice.comment,
        was_read: false,
        created_at: notice.now,
      })),
    )
    .execute();
  return recipients.size;
}
