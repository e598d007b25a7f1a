import type { Db } from '../../db/database.ts';
import type { ThreadRef } from './thread.ts';
import { threadsRepo } from './threads.repo.ts';

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
  const owner = await threadsRepo.owner(trx, notice.thread);
  const subscribers = await threadsRepo.subscribers(trx, notice.thread);
  const recipients = new Set<number>();
  for (const s of subscribers) if (!notice.staffOnly || s.clearance >= 2) recipients.add(s.user_id);
  if (owner !== null && !notice.staffOnly) recipients.add(owner);
  if (notice.authorId !== null) recipients.delete(notice.authorId);
  if (recipients.size === 0) return 0;
  await threadsRepo.insertNotifications(
    trx,
    [...recipients].sort((a, b) => a - b).map((userId) => ({
      for_user_id: userId,
      from_user_id: notice.authorId,
      thread: notice.thread,
      response_type: notice.responseType,
      comment: notice.comment,
      created_at: notice.now,
    })),
  );
  return recipients.size;
}
