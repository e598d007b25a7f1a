import type { Db } from '../../db/database.ts';
import type { NewRow } from '../../db/types.ts';
import type { ThreadKind } from '../threads/thread.ts';
import { threadColumn } from '../threads/thread.ts';

/** Which notifications to read; every id is a valid row id, every list non-empty. */
export interface NotificationQuery {
  forUserId?: number;
  id?: number;
  assignmentId?: number;
  exerciseId?: number;
  exerciseIds?: number[];
  fromSystem?: boolean;
  helpId?: number;
  helpIds?: number[];
  wasRead?: boolean;
}

export const notificationsRepo = {
  /** Notifications with their exercise, module, help thread and both people, by id. */
  list(db: Db, f: NotificationQuery) {
    let q = db
      .selectFrom('notifications as n')
      .leftJoin('assignments as a', 'a.id', 'n.assignment_id')
      .leftJoin('help_threads as h', 'h.id', 'n.help_id')
      .leftJoin('exercises as e', (join) => join.on((eb) => eb('e.id', '=', eb.fn.coalesce('a.exercise_id', 'h.exercise_id'))))
      .leftJoin('modules as m', 'm.id', 'e.module_id')
      .leftJoin('users as fu', 'fu.id', 'n.from_user_id')
      .innerJoin('users as tu', 'tu.id', 'n.for_user_id')
      .select([
        'n.id',
        'n.help_id',
        'n.assignment_id',
        'n.response_type',
        'e.id as exercise_id',
        'e.name as exercise_name',
        'e.module_id',
        'm.subject_id',
        'e.course_id',
        'h.help_type',
        'h.title as help_title',
        'n.comment',
        'n.from_user_id',
        'fu.username as from_username',
        'fu.first_name as from_first_name',
        'fu.last_name as from_last_name',
        'n.was_read',
        'n.created_at',
        'n.for_user_id',
        'tu.username as for_username',
        'tu.first_name as for_first_name',
        'tu.last_name as for_last_name',
      ]);
    if (f.forUserId !== undefined) q = q.where('n.for_user_id', '=', f.forUserId);
    if (f.id !== undefined) q = q.where('n.id', '=', f.id);
    if (f.assignmentId !== undefined) q = q.where('n.assignment_id', '=', f.assignmentId);
    if (f.exerciseId !== undefined) q = q.where('a.exercise_id', '=', f.exerciseId);
    if (f.exerciseIds) q = q.where('a.exercise_id', 'in', f.exerciseIds);
    if (f.fromSystem !== undefined) q = q.where('n.from_user_id', f.fromSystem ? 'is' : 'is not', null);
    if (f.helpId !== undefined) q = q.where('n.help_id', '=', f.helpId);
    if (f.helpIds) q = q.where('n.help_id', 'in', f.helpIds);
    if (f.wasRead !== undefined) q = q.where('n.was_read', '=', f.wasRead);
    return q.orderBy('n.id').execute();
  },

  async userExists(db: Db, id: number): Promise<boolean> {
    return (await db.selectFrom('users').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
  },

  async insert(db: Db, row: NewRow<'notifications'>): Promise<number> {
    return (await db.insertInto('notifications').values(row).returning('id').executeTakeFirstOrThrow()).id;
  },

  async update(db: Db, id: number, patch: { comment?: string; was_read?: boolean }): Promise<void> {
    await db.updateTable('notifications').set(patch).where('id', '=', id).execute();
  },

  async delete(db: Db, id: number, forUserId: number): Promise<void> {
    await db.deleteFrom('notifications').where('id', '=', id).where('for_user_id', '=', forUserId).execute();
  },

  /** The user's notifications (unread only, if asked) on at most a few hundred threads of one kind (or on every thread of it: 'all'), by id. */
  async onThreads(db: Db, kind: ThreadKind, threadIds: number[] | 'all', forUserId: number, unreadOnly: boolean) {
    const column = threadColumn[kind];
    let q = db.selectFrom('notifications').select(['id', 'from_user_id', 'comment', column]).where('for_user_id', '=', forUserId);
    q = threadIds === 'all' ? q.where(column, 'is not', null) : q.where(column, 'in', threadIds);
    if (unreadOnly) q = q.where('was_read', '=', false);
    const rows = await q.orderBy('id').execute();
    return rows.map((r) => ({ id: r.id, from_user_id: r.from_user_id, comment: r.comment, thread_id: r[column]! }));
  },
};
