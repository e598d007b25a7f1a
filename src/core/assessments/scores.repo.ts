import type { Db } from '../../db/database.ts';

export interface HandinRecord {
  id: number;
  user_id: number | null;
  email: string | null;
  username: string | null;
  number: number;
  created_at: string;
}

export interface GradeRecord {
  submission_id: number;
  problem_id: number;
  name: string;
  score: number | null;
  released: boolean;
}

export const scoresRepo = {
  /** Submissions of an assessment, of one submitter or of everyone, oldest first. */
  handins(db: Db, exerciseId: number, userId?: number): Promise<HandinRecord[]> {
    let q = db
      .selectFrom('submissions as s')
      .innerJoin('assignments as a', 'a.id', 's.assignment_id')
      .leftJoin('users as u', 'u.id', 's.user_id')
      .select(['s.id', 's.user_id', 'u.email', 'u.username', 's.number', 's.created_at'])
      .where('a.exercise_id', '=', exerciseId);
    if (userId !== undefined) q = q.where('s.user_id', '=', userId);
    return q.orderBy('s.id').execute();
  },

  /** Each submitter's latest handin on every assessment of a course. */
  lastHandins(db: Db, courseId: number): Promise<{ user_id: number | null; exercise_id: number; last: string | null }[]> {
    return db
      .selectFrom('submissions as s')
      .innerJoin('assignments as a', 'a.id', 's.assignment_id')
      .innerJoin('exercises as e', 'e.id', 'a.exercise_id')
      .select(['s.user_id', 'a.exercise_id', (eb) => eb.fn.max('s.created_at').as('last')])
      .where('e.course_id', '=', courseId)
      .where('s.user_id', 'is not', null)
      .groupBy(['s.user_id', 'a.exercise_id'])
      .execute();
  },

  /** The current grade of each (submission, problem): the latest row written. */
  async latestGrades(db: Db, submissionIds: number[]): Promise<GradeRecord[]> {
    const out = new Map<string, GradeRecord>();
    for (let i = 0; i < submissionIds.length; i += 500) {
      const rows = await db
        .selectFrom('grades as g')
        .innerJoin('problems as p', 'p.id', 'g.problem_id')
        .select(['g.submission_id', 'g.problem_id', 'p.name', 'g.score', 'g.released'])
        .where('g.submission_id', 'in', submissionIds.slice(i, i + 500))
        .orderBy('g.id')
        .execute();
      for (const r of rows) out.set(`${r.submission_id}/${r.problem_id}`, { ...r, problem_id: r.problem_id!, score: r.score === null ? null : Number(r.score), released: Boolean(r.released) });
    }
    return [...out.values()];
  },

  /** The latest feedback text of a submission (automatic or staff's), released ones only when asked. */
  async latestFeedback(db: Db, submissionId: number, releasedOnly: boolean): Promise<string | null> {
    let q = db.selectFrom('feedback').select('text').where('submission_id', '=', submissionId);
    if (releasedOnly) q = q.where('released', '=', true);
    const row = await q.orderBy('id', 'desc').limit(1).executeTakeFirst();
    return row?.text ?? null;
  },

  /** Releases (or withdraws) every grade of the assessment's submissions. */
  async setReleased(db: Db, exerciseId: number, released: boolean): Promise<void> {
    await db
      .updateTable('grades')
      .set({ released })
      .where('submission_id', 'in', (eb) =>
        eb.selectFrom('submissions as s').innerJoin('assignments as a', 'a.id', 's.assignment_id').select('s.id').where('a.exercise_id', '=', exerciseId),
      )
      .execute();
  },

  async insertGrades(db: Db, rows: { submission_id: number; problem_id: number; score: number; grader_id: number; created_at: string }[]): Promise<void> {
    if (rows.length > 0) await db.insertInto('grades').values(rows.map((r) => ({ ...r, released: true }))).execute();
  },
};
