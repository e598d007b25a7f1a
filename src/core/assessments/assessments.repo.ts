import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';

/** Courses with their Autolab settings (defaults when the course has no settings row). */
const courseQuery = (db: Db) =>
  db
    .selectFrom('courses as c')
    .leftJoin('autolab_courses as ac', 'ac.course_id', 'c.id')
    .select([
      'c.id',
      'c.slug',
      'c.name',
      'c.semester',
      'c.late_slack',
      'c.grace_days',
      'c.start_at',
      'c.end_at',
      'c.checker_id',
      sql<unknown>`COALESCE(ac.disabled, ${sql.lit(false)})`.as('disabled'),
      sql<unknown>`COALESCE(ac.disable_on_end, ${sql.lit(false)})`.as('disable_on_end'),
      sql<number>`COALESCE(ac.version_threshold, -1)`.as('version_threshold'),
    ]);

export type CourseRecord = Awaited<ReturnType<ReturnType<typeof courseQuery>['executeTakeFirstOrThrow']>>;

const assessmentQuery = (db: Db) =>
  db
    .selectFrom('exercises as e')
    .leftJoin('autolab_assessments as aa', 'aa.exercise_id', 'e.id')
    .leftJoin('modules as m', 'm.id', 'e.module_id')
    .select([
      'e.id',
      'e.course_id',
      'e.slug',
      'e.name',
      'e.description',
      'e.start_at',
      'e.due_at',
      'e.end_at',
      'e.max_submissions',
      'e.created_at',
      'e.updated_at',
      'e.download',
      'e.preview',
      'e.preview_tree_id',
      'e.handout_tree_id',
      'm.name as module_name',
      sql<number>`COALESCE(aa.max_grace_days, 0)`.as('max_grace_days'),
      sql<unknown>`COALESCE(aa.disable_handins, ${sql.lit(false)})`.as('disable_handins'),
      sql<number>`COALESCE(aa.group_size, 1)`.as('group_size'),
      sql<unknown>`COALESCE(aa.allow_student_assign_group, ${sql.lit(true)})`.as('allow_student_assign_group'),
      'aa.version_threshold',
      sql<string>`COALESCE(aa.handin_filename, 'handin')`.as('handin_filename'),
      sql<number>`COALESCE(aa.max_size_mb, 2)`.as('max_size_mb'),
      sql<unknown>`COALESCE(aa.has_scoreboard, ${sql.lit(false)})`.as('has_scoreboard'),
      sql<unknown>`COALESCE(aa.embedded_quiz, ${sql.lit(false)})`.as('embedded_quiz'),
      'aa.handout_url',
      'aa.writeup_url',
      (eb) => eb.exists(eb.selectFrom('graders as g').select('g.id').whereRef('g.exercise_id', '=', 'e.id')).as('has_autograder'),
      (eb) => eb.exists(eb.selectFrom('tree_entries as t').select('t.tree_id').whereRef('t.tree_id', '=', 'e.handout_tree_id')).as('has_handout'),
      (eb) => eb.exists(eb.selectFrom('tree_entries as t').select('t.tree_id').whereRef('t.tree_id', '=', 'e.preview_tree_id')).as('has_preview'),
    ]);

export type AssessmentRecord = Awaited<ReturnType<ReturnType<typeof assessmentQuery>['executeTakeFirstOrThrow']>>;

/** The Autolab settings an assessment may change (columns of autolab_assessments). */
export interface AssessmentSettingsPatch {
  max_grace_days?: number;
  disable_handins?: boolean;
  group_size?: number;
  allow_student_assign_group?: boolean;
  version_threshold?: number | null;
  handin_filename?: string;
  max_size_mb?: number;
  has_scoreboard?: boolean;
  embedded_quiz?: boolean;
  handout_url?: string | null;
  writeup_url?: string | null;
}

export interface CourseSettingsPatch {
  disabled?: boolean;
  disable_on_end?: boolean;
  version_threshold?: number;
  /** Columns of the course itself. */
  grace_days?: number;
  late_slack?: number;
}

export const assessmentsRepo = {
  courseBySlug(db: Db, slug: string): Promise<CourseRecord | undefined> {
    return courseQuery(db).where('c.slug', '=', slug).executeTakeFirst();
  },

  courseById(db: Db, id: number): Promise<CourseRecord | undefined> {
    return courseQuery(db).where('c.id', '=', id).executeTakeFirst();
  },

  allCourses(db: Db): Promise<CourseRecord[]> {
    return courseQuery(db).execute();
  },

  /** Courses a user is enrolled in (not dropped), with the enrollment's role, or that they check. */
  async coursesOf(db: Db, userId: number): Promise<{ course: CourseRecord; role: string | null }[]> {
    const rows = await courseQuery(db)
      .leftJoin('enrollments as en', (j) => j.onRef('en.course_id', '=', 'c.id').on('en.user_id', '=', userId).on('en.dropped', '=', false))
      .select('en.role as enrollment_role')
      .where((eb) => eb.or([eb('en.id', 'is not', null), eb('c.checker_id', '=', userId)]))
      .execute();
    return rows.map(({ enrollment_role, ...course }) => ({ course, role: enrollment_role }));
  },

  enrollmentRole(db: Db, courseId: number, userId: number): Promise<{ role: string } | undefined> {
    return db.selectFrom('enrollments').select('role').where('course_id', '=', courseId).where('user_id', '=', userId).where('dropped', '=', false).executeTakeFirst();
  },

  assessmentBySlug(db: Db, courseId: number, slug: string): Promise<AssessmentRecord | undefined> {
    return assessmentQuery(db).where('e.course_id', '=', courseId).where('e.slug', '=', slug).executeTakeFirst();
  },

  assessmentById(db: Db, id: number): Promise<AssessmentRecord | undefined> {
    return assessmentQuery(db).where('e.id', '=', id).executeTakeFirst();
  },

  assessmentsOf(db: Db, courseId: number): Promise<AssessmentRecord[]> {
    return assessmentQuery(db).where('e.course_id', '=', courseId).orderBy('e.id').execute();
  },

  problemsOf(db: Db, exerciseId: number) {
    return db
      .selectFrom('problems as p')
      .leftJoin('autolab_problems as ap', 'ap.problem_id', 'p.id')
      .select(['p.id', 'p.name', 'p.description', 'p.max_score', 'p.optional', sql<unknown>`COALESCE(ap.starred, ${sql.lit(false)})`.as('starred')])
      .where('p.exercise_id', '=', exerciseId)
      .orderBy('p.order')
      .orderBy('p.id')
      .execute();
  },

  async addProblem(db: Db, exerciseId: number, p: { name: string; description: string; max_score: number; optional: boolean; starred: boolean }): Promise<number> {
    const last = await db.selectFrom('problems').select((eb) => eb.fn.max('order').as('o')).where('exercise_id', '=', exerciseId).executeTakeFirst();
    const row = await db
      .insertInto('problems')
      .values({ exercise_id: exerciseId, name: p.name, description: p.description, max_score: p.max_score, optional: p.optional, order: Number(last?.o ?? -1) + 1 })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (p.starred) await db.insertInto('autolab_problems').values({ problem_id: row.id, starred: true }).execute();
    return row.id;
  },

  async saveAssessmentSettings(db: Db, exerciseId: number, patch: AssessmentSettingsPatch): Promise<void> {
    if (Object.keys(patch).length === 0) return;
    await db
      .insertInto('autolab_assessments')
      .values({ exercise_id: exerciseId, ...patch })
      .onConflict((oc) => oc.column('exercise_id').doUpdateSet(patch))
      .execute();
  },

  async saveCourseSettings(db: Db, courseId: number, patch: CourseSettingsPatch): Promise<void> {
    const { grace_days, late_slack, ...own } = patch;
    const columns = Object.fromEntries(Object.entries({ grace_days, late_slack }).filter(([, v]) => v !== undefined));
    if (Object.keys(columns).length > 0) await db.updateTable('courses').set(columns).where('id', '=', courseId).execute();
    if (Object.keys(own).length === 0) return;
    await db
      .insertInto('autolab_courses')
      .values({ course_id: courseId, ...own })
      .onConflict((oc) => oc.column('course_id').doUpdateSet(own))
      .execute();
  },
};
