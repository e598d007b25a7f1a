import type { Db } from '../../db/database.ts';

/** What a student's path needs of them: the queues they follow and their current pick. */
export interface PathUser {
  id: number;
  queue_id: number | null;
  user_queue_id: number | null;
  override_queue_id: number | null;
  disable_queue: boolean;
  disable_user_queue: boolean;
  current_assignment_id: number | null;
}

export const pathRepo = {
  user(db: Db, userId: number): Promise<PathUser | undefined> {
    return db
      .selectFrom('users')
      .select(['id', 'queue_id', 'user_queue_id', 'override_queue_id', 'disable_queue', 'disable_user_queue', 'current_assignment_id'])
      .where('id', '=', userId)
      .executeTakeFirst();
  },

  /** The assignments of `userIds` (at most a few hundred) on `exerciseIds`. */
  assignments(db: Db, userIds: number[], exerciseIds: number[]): Promise<{ id: number; user_id: number | null; exercise_id: number; status: string }[]> {
    if (userIds.length === 0 || exerciseIds.length === 0) return Promise.resolve([]);
    return db.selectFrom('assignments').select(['id', 'user_id', 'exercise_id', 'status']).where('user_id', 'in', userIds).where('exercise_id', 'in', exerciseIds).execute();
  },

  /** Gives the student a `New` assignment of the exercise unless they have one. */
  async ensureAssignment(db: Db, userId: number, exerciseId: number, now: string): Promise<void> {
    const made = await db
      .insertInto('assignments')
      .values({ exercise_id: exerciseId, user_id: userId, status: 'New', last_staff_updated: now, created_at: now, updated_at: now })
      .onConflict((oc) => oc.columns(['user_id', 'exercise_id']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (made) await db.insertInto('assignment_members').values({ assignment_id: made.id, user_id: userId, role: 'candidate' }).execute();
  },

  async setCurrentAssignment(db: Db, userId: number, assignmentId: number | null): Promise<void> {
    await db.updateTable('users').set({ current_assignment_id: assignmentId }).where('id', '=', userId).execute();
  },

  /** The student's assignments on `exerciseIds` with their exercise, module and subject. */
  options(db: Db, userId: number, exerciseIds: number[]) {
    return db
      .selectFrom('assignments as a')
      .innerJoin('exercises as e', 'e.id', 'a.exercise_id')
      .leftJoin('modules as m', 'm.id', 'e.module_id')
      .leftJoin('subjects as s', 's.id', 'm.subject_id')
      .select(['a.id', 'a.exercise_id', 'a.status', 'a.student_status', 'e.name', 'e.module_id', 'm.name as module_name', 's.id as subject_id', 's.symbol', 's.color'])
      .where('a.user_id', '=', userId)
      .where('a.exercise_id', 'in', exerciseIds)
      .execute();
  },
};
