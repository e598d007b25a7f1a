import type { Db } from '../../db/database.ts';

/** Where a submission sits: its assignment, exercise and course. */
export interface SubmissionPlace {
  id: number;
  assignment_id: number;
  exercise_id: number;
  course_id: number;
  tree_id: number | null;
}

export interface PersonRow {
  id: number;
  first_name: string;
  last_name: string;
  username: string;
}

export interface StaffGradeRow {
  points: number | null;
  passing: boolean | null;
  text: string;
  author_id: number | null;
  created_at: string;
}

/** Queries of a checker's review: where a submission sits, its neighbours, staff grades. */
export const reviewRepo = {
  async place(db: Db, submissionId: number): Promise<SubmissionPlace | undefined> {
    return db
      .selectFrom('submissions as s')
      .innerJoin('assignments as a', 'a.id', 's.assignment_id')
      .innerJoin('exercises as e', 'e.id', 'a.exercise_id')
      .select(['s.id', 's.assignment_id', 'a.exercise_id', 'e.course_id', 's.tree_id'])
      .where('s.id', '=', submissionId)
      .executeTakeFirst();
  },

  /** The assignment's latest submissions, newest first (`limit` of them). */
  async latestSubmissionIds(db: Db, assignmentId: number, limit: number): Promise<number[]> {
    const rows = await db.selectFrom('submissions').select('id').where('assignment_id', '=', assignmentId).orderBy('number', 'desc').limit(limit).execute();
    return rows.map((r) => r.id);
  },

  /** The blob and size of one path of a tree. */
  async treeFile(db: Db, treeId: number, path: string): Promise<{ blob: string; size: number } | undefined> {
    const row = await db.selectFrom('tree_entries').select(['blob', 'size']).where('tree_id', '=', treeId).where('path', '=', path).executeTakeFirst();
    return row && { blob: row.blob, size: Number(row.size) };
  },

  async people(db: Db, ids: number[]): Promise<Map<number, PersonRow>> {
    const wanted = [...new Set(ids)];
    if (wanted.length === 0) return new Map();
    const rows = await db.selectFrom('users').select(['id', 'first_name', 'last_name', 'username']).where('id', 'in', wanted).execute();
    return new Map(rows.map((r) => [r.id, r]));
  },

  async names(db: Db, courseId: number, exerciseId: number): Promise<{ course: string; exercise: string }> {
    const course = await db.selectFrom('courses').select('name').where('id', '=', courseId).executeTakeFirstOrThrow();
    const exercise = await db.selectFrom('exercises').select('name').where('id', '=', exerciseId).executeTakeFirstOrThrow();
    return { course: course.name, exercise: exercise.name };
  },

  /** The latest feedback a person wrote on the submission (automatic feedback has no author). */
  async latestStaffGrade(db: Db, submissionId: number): Promise<StaffGradeRow | undefined> {
    const row = await db
      .selectFrom('feedback')
      .select(['points', 'passing', 'text', 'author_id', 'created_at'])
      .where('submission_id', '=', submissionId)
      .where('author_id', 'is not', null)
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row && { ...row, points: row.points === null ? null : Number(row.points), passing: row.passing === null ? null : Boolean(row.passing) };
  },

  async insertStaffGrade(db: Db, row: { submission_id: number; author_id: number; text: string; points: number | null; passing: boolean; created_at: string }): Promise<void> {
    await db.insertInto('feedback').values({ ...row, released: true }).execute();
  },
};
