import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { Timestamp } from '../clock.ts';

/** The assignment `a` is the user's: their own, or one they are a candidate of. */
export const heldBy = (userId: number) =>
  sql<boolean>`(a.user_id = ${userId} OR EXISTS (SELECT 1 FROM assignment_members m WHERE m.assignment_id = a.id AND m.user_id = ${userId} AND m.role = 'candidate'))`;

/** The queries of claiming an assignment for a submitter (see claim.ts). */
export const claimRepo = {
  /**
   * Raises the submission count of the user's assignment on the exercise and answers its id:
   * their own row, or (with `groups`) else the oldest they are a candidate of.
   */
  async bump(trx: Db, exerciseId: number, userId: number, groups: boolean, now: Timestamp): Promise<number | undefined> {
    const row = await trx
      .updateTable('assignments')
      .set((eb) => ({ submission_count: eb('submission_count', '+', 1), updated_at: now }))
      .where('id', '=', (eb) => {
        let mine = eb.selectFrom('assignments as a').select('a.id').where('a.exercise_id', '=', exerciseId);
        mine = groups ? mine.where(heldBy(userId)) : mine.where('a.user_id', '=', userId);
        // Their own assignment first, then the oldest they belong to.
        return mine.orderBy(sql`CASE WHEN a.user_id = ${userId} THEN 0 ELSE 1 END`).orderBy('a.id').limit(1);
      })
      .returning('id')
      .executeTakeFirst();
    return row?.id;
  },

  /** The user's own assignment with one submission, unless another request made it first (undefined). */
  async insertOwn(trx: Db, exerciseId: number, userId: number, now: Timestamp): Promise<number | undefined> {
    const row = await trx
      .insertInto('assignments')
      .values({ exercise_id: exerciseId, user_id: userId, submission_count: 1, last_staff_updated: now, created_at: now, updated_at: now })
      .onConflict((oc) => oc.columns(['user_id', 'exercise_id']).doNothing())
      .returning('id')
      .executeTakeFirst();
    return row?.id;
  },

  async addCandidate(trx: Db, assignmentId: number, userId: number): Promise<void> {
    await trx
      .insertInto('assignment_members')
      .values({ assignment_id: assignmentId, user_id: userId, role: 'candidate' })
      .onConflict((oc) => oc.columns(['assignment_id', 'user_id', 'role']).doNothing())
      .execute();
  },
};
