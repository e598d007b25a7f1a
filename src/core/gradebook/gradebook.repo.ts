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

  /**
   * Every assignment on the course's exercises with its latest submission (the highest number: its
   * id, number and time) and that submission's score, as a student's own pages read it: its latest
   * released feedback that gives points. One row per assignment, each lookup through an index.
   */
  assignments(db: Db, courseId: number) {
    // The latest submission is found per assignment (an index probe on (assignment_id, number)),
    // then joined by id: a join on "number = (SELECT max…)" is a nested loop on PostgreSQL.
    const held = db
      .selectFrom('assignments as a')
      .innerJoin('exercises as e', 'e.id', 'a.exercise_id')
      .select([
        'a.id',
        'a.exercise_id',
        'a.user_id',
        'a.status',
        (eb) => eb.selectFrom('submissions as s2').select('s2.id').whereRef('s2.assignment_id', '=', 'a.id').orderBy('s2.number', 'desc').limit(1).as('latest_id'),
      ])
      .where('e.course_id', '=', courseId)
      .as('x');
    return db
      .selectFrom(held)
      .leftJoin('submissions as s', 's.id', 'x.latest_id')
      .select([
        'x.id',
        'x.exercise_id',
        'x.user_id',
        'x.status',
        's.id as latest_id',
        's.number as latest_number',
        's.created_at as latest_at',
        (eb) =>
          eb
            .selectFrom('feedback as f')
            .select('f.points')
            .whereRef('f.submission_id', '=', 's.id')
            .where('f.released', '=', true)
            .where('f.points', 'is not', null)
            .orderBy('f.id', 'desc')
            .limit(1)
            .as('score'),
      ])
      .orderBy('x.id')
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
