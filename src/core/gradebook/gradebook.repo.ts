import type { Db } from '../../db/database.ts';

/** A course's exercise as a gradebook column. */
export interface GradebookExerciseRow {
  id: number;
  slug: string;
  name: string;
  order: string;
  is_lecture: unknown;
  module_order: string | null;
  module_id: number | null;
  subject_symbol: string | null;
  subject_id: number | null;
}

/**
 * The gradebook's queries: each reads the whole course at once (a fixed number of queries
 * whatever the number of students and exercises), joined on the course rather than on lists of ids.
 */
export const gradebookRepo = {
  /** The course's students (current, not dropped), by name. */
  students(db: Db, courseId: number) {
    return db
      .selectFrom('enrollments as en')
      .innerJoin('users as u', 'u.id', 'en.user_id')
      .select(['u.id', 'u.username', 'u.email', 'u.first_name', 'u.last_name', 'en.section'])
      .where('en.course_id', '=', courseId)
      .where('en.role', '=', 'student')
      .where('en.dropped', '=', false)
      .orderBy('u.last_name')
      .orderBy('u.first_name')
      .orderBy('u.username')
      .orderBy('u.id')
      .execute();
  },

  /** The course's exercises with what orders them as the curriculum does (subject, module, exercise). */
  exercises(db: Db, courseId: number): Promise<GradebookExerciseRow[]> {
    return db
      .selectFrom('exercises as e')
      .leftJoin('modules as m', 'm.id', 'e.module_id')
      .leftJoin('subjects as sj', 'sj.id', 'm.subject_id')
      .select(['e.id', 'e.slug', 'e.name', 'e.order', 'e.is_lecture', 'm.order as module_order', 'm.id as module_id', 'sj.symbol as subject_symbol', 'sj.id as subject_id'])
      .where('e.course_id', '=', courseId)
      .execute();
  },

  /** Every assignment on the course's exercises: its owner, status and submission count. */
  assignments(db: Db, courseId: number) {
    return db
      .selectFrom('assignments as a')
      .innerJoin('exercises as e', 'e.id', 'a.exercise_id')
      .select(['a.id', 'a.exercise_id', 'a.user_id', 'a.status'])
      .where('e.course_id', '=', courseId)
      .orderBy('a.id')
      .execute();
  },

  /** The group candidates of the course's assignments (a student may hold a group's assignment). */
  candidates(db: Db, courseId: number) {
    return db
      .selectFrom('assignment_members as m')
      .innerJoin('assignments as a', 'a.id', 'm.assignment_id')
      .innerJoin('exercises as e', 'e.id', 'a.exercise_id')
      .select(['m.assignment_id', 'm.user_id'])
      .where('e.course_id', '=', courseId)
      .where('m.role', '=', 'candidate')
      .orderBy('m.assignment_id')
      .execute();
  },

  /** Every submission of the course: its assignment, number, submitter and time. */
  submissions(db: Db, courseId: number) {
    return db
      .selectFrom('submissions as s')
      .innerJoin('assignments as a', 'a.id', 's.assignment_id')
      .innerJoin('exercises as e', 'e.id', 'a.exercise_id')
      .select(['s.id', 's.assignment_id', 's.number', 's.user_id', 's.created_at'])
      .where('e.course_id', '=', courseId)
      .execute();
  },

  /** The released feedback with points on the course's submissions, oldest first (the last one per submission counts). */
  releasedPoints(db: Db, courseId: number) {
    return db
      .selectFrom('feedback as f')
      .innerJoin('submissions as s', 's.id', 'f.submission_id')
      .innerJoin('assignments as a', 'a.id', 's.assignment_id')
      .innerJoin('exercises as e', 'e.id', 'a.exercise_id')
      .select(['f.submission_id', 'f.points'])
      .where('e.course_id', '=', courseId)
      .where('f.released', '=', true)
      .where('f.points', 'is not', null)
      .orderBy('f.id')
      .execute();
  },

  /** The most points each exercise of the course gives (the sum of its problems' maximums). */
  async maxScores(db: Db, courseId: number): Promise<Map<number, number>> {
    const rows = await db
      .selectFrom('problems as p')
      .innerJoin('exercises as e', 'e.id', 'p.exercise_id')
      .select(['p.exercise_id', (eb) => eb.fn.sum<number>('p.max_score').as('total')])
      .where('e.course_id', '=', courseId)
      .groupBy('p.exercise_id')
      .execute();
    return new Map(rows.map((r) => [r.exercise_id, Number(r.total)]));
  },
};
