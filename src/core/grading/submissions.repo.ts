import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { NewRow } from '../../db/types.ts';
import { heldBy } from '../assignments/claim.repo.ts';

/** One submission with its assignment's exercise and course. */
export interface SubmissionRecord {
  id: number;
  assignment_id: number;
  user_id: number | null;
  number: number;
  tree_id: number | null;
  answers: string | null;
  created_at: string;
  exercise_id: number;
  course_id: number;
}

/** Queries on submissions (`submissions`) and what hangs off them: their files, grading jobs, grades and feedback. */
export const submissionsRepo = {
  /** The highest number among the assignment's submissions (0: none yet). */
  async lastNumber(db: Db, assignmentId: number): Promise<number> {
    const previous = await db.selectFrom('submissions').select((eb) => eb.fn.max('number').as('n')).where('assignment_id', '=', assignmentId).executeTakeFirst();
    return Number(previous?.n ?? 0);
  },

  async insert(db: Db, row: NewRow<'submissions'>): Promise<number> {
    return (await db.insertInto('submissions').values(row).returning('id').executeTakeFirstOrThrow()).id;
  },

  /** The submission's answers and its files' entries in upload order (one row each; a row with null path when it has none); [] when it does not exist. */
  withFiles(db: Db, id: number) {
    return db
      .selectFrom('submissions as s')
      .leftJoin('tree_entries as t', 't.tree_id', 's.tree_id')
      .select(['s.answers', 't.path', 't.blob', 't.size', 't.md5'])
      .where('s.id', '=', id)
      .orderBy('t.position')
      .execute();
  },

  async dueAt(db: Db, exerciseId: number): Promise<string | null | undefined> {
    return (await db.selectFrom('exercises').select('due_at').where('id', '=', exerciseId).executeTakeFirst())?.due_at;
  },

  /** The ids of the exercise's submissions, oldest first; with `ownBy`, only those the user handed in or holds the assignment of. */
  async idsOfExercise(db: Db, exerciseId: number, ownBy?: number): Promise<number[]> {
    let q = db.selectFrom('submissions as s').innerJoin('assignments as a', 'a.id', 's.assignment_id').select('s.id').where('a.exercise_id', '=', exerciseId);
    if (ownBy !== undefined) q = q.where((eb) => eb.or([eb('s.user_id', '=', ownBy), heldBy(ownBy)]));
    return (await q.orderBy('s.id').execute()).map((r) => r.id);
  },

  /** Whether the user holds the assignment (its student or a candidate member). */
  async holds(db: Db, assignmentId: number, userId: number): Promise<boolean> {
    return (await db.selectFrom('assignments as a').select('a.id').where('a.id', '=', assignmentId).where(heldBy(userId)).executeTakeFirst()) !== undefined;
  },

  byIds(db: Db, ids: number[]): Promise<SubmissionRecord[]> {
    return db
      .selectFrom('submissions as s')
      .innerJoin('assignments as a', 'a.id', 's.assignment_id')
      .innerJoin('exercises as e', 'e.id', 'a.exercise_id')
      .select(['s.id', 's.assignment_id', 's.user_id', 's.number', 's.tree_id', 's.answers', 's.created_at', 'a.exercise_id', 'e.course_id'])
      .where('s.id', 'in', ids)
      .execute();
  },

  /** The entries of the trees, by tree then position. */
  treeEntries(db: Db, treeIds: number[]) {
    if (treeIds.length === 0) return Promise.resolve([]);
    return db.selectFrom('tree_entries').select(['tree_id', 'path', 'size', 'blob', 'md5']).where('tree_id', 'in', treeIds).orderBy('tree_id').orderBy('position').execute();
  },

  /** The submissions' grading jobs, in id order. */
  async jobs(db: Db, ids: number[]): Promise<{ id: number; submission_id: number; status: string }[]> {
    const rows = await db.selectFrom('grading_jobs').select(['id', 'submission_id', 'status']).where('submission_id', 'in', ids).orderBy('id').execute();
    return rows.map((r) => ({ id: r.id, submission_id: r.submission_id!, status: r.status }));
  },

  /**
   * Deletes the submission with its grading jobs (and their timelines), grades and feedback, and
   * lowers its assignment's count (call it in a transaction); false when it was already gone.
   */
  async deleteWithDependents(trx: Db, id: number, assignmentId: number): Promise<boolean> {
    const jobs = trx.selectFrom('grading_jobs').select('id').where('submission_id', '=', id);
    await trx.deleteFrom('grading_job_events').where('job_id', 'in', jobs).execute();
    await trx.deleteFrom('grading_jobs').where('submission_id', '=', id).execute();
    await trx.deleteFrom('grades').where('submission_id', '=', id).execute();
    await trx.deleteFrom('feedback').where('submission_id', '=', id).execute();
    const gone = await trx.deleteFrom('submissions').where('id', '=', id).executeTakeFirst();
    if (Number(gone.numDeletedRows) === 0) return false;
    await trx
      .updateTable('assignments')
      .set((eb) => ({ submission_count: sql<number>`CASE WHEN ${eb.ref('submission_count')} > 0 THEN ${eb.ref('submission_count')} - 1 ELSE 0 END` }))
      .where('id', '=', assignmentId)
      .execute();
    return true;
  },
};
