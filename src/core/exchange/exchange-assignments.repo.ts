import type { Db } from '../../db/database.ts';
import type { NewRow } from '../../db/types.ts';

/** Queries on the nbgrader exchange's assignments (a course's exercises by slug), their submissions and feedback files. */
export const exchangeAssignmentsRepo = {
  bySlug(db: Db, courseId: number, slug: string) {
    return db
      .selectFrom('exercises')
      .select(['id as exerciseId', 'handout_tree_id as handoutTreeId'])
      .where('course_id', '=', courseId)
      .where('slug', '=', slug)
      .executeTakeFirst();
  },

  /** Whether the user is a current student or instructor of the course. */
  async isMember(db: Db, courseId: number, userId: number): Promise<boolean> {
    const row = await db
      .selectFrom('enrollments')
      .select('id')
      .where('course_id', '=', courseId)
      .where('user_id', '=', userId)
      .where('dropped', '=', false)
      .where('role', 'in', ['instructor', 'student'])
      .executeTakeFirst();
    return row !== undefined;
  },

  /** The user's submission on the exercise at `timestamp`, or their latest when null. */
  submission(db: Db, exerciseId: number, userId: number, timestamp: string | null) {
    let q = db
      .selectFrom('submissions as s')
      .innerJoin('assignments as a', 'a.id', 's.assignment_id')
      .select(['s.id', 's.created_at as timestamp', 's.tree_id as treeId'])
      .where('a.exercise_id', '=', exerciseId)
      .where('s.user_id', '=', userId);
    q = timestamp === null ? q.orderBy('s.created_at', 'desc').orderBy('s.id', 'desc') : q.where('s.created_at', '=', timestamp).orderBy('s.id');
    return q.limit(1).executeTakeFirst();
  },

  /** The course's exercise slugs in creation order. */
  async slugs(db: Db, courseId: number): Promise<string[]> {
    return (await db.selectFrom('exercises').select('slug').where('course_id', '=', courseId).orderBy('created_at').orderBy('id').execute()).map((r) => r.slug);
  },

  /** The exercise's submissions (everyone's or one user's) with their students' usernames, oldest first; deleted accounts' left out. */
  submissions(db: Db, exerciseId: number, userId?: number): Promise<{ student_id: string; timestamp: string }[]> {
    let q = db
      .selectFrom('submissions as s')
      .innerJoin('assignments as a', 'a.id', 's.assignment_id')
      .innerJoin('users as u', 'u.id', 's.user_id')
      .select(['u.username as student_id', 's.created_at as timestamp'])
      .where('a.exercise_id', '=', exerciseId);
    if (userId !== undefined) q = q.where('s.user_id', '=', userId);
    return q.orderBy('s.created_at').orderBy('s.id').execute();
  },

  /** The tree of the submission's latest released feedback with files, or null. */
  async feedbackTree(db: Db, submissionId: number): Promise<number | null> {
    const row = await db
      .selectFrom('feedback')
      .select('tree_id')
      .where('submission_id', '=', submissionId)
      .where('tree_id', 'is not', null)
      .where('released', '=', true)
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row?.tree_id ?? null;
  },

  async insertExercise(db: Db, row: NewRow<'exercises'>): Promise<void> {
    await db.insertInto('exercises').values(row).execute();
  },

  /** The course's module named `name` in its subject of that symbol, if any. */
  async moduleBySymbol(db: Db, courseId: number, name: string): Promise<number | undefined> {
    const found = await db
      .selectFrom('modules')
      .innerJoin('subjects', 'subjects.id', 'modules.subject_id')
      .select('modules.id')
      .where('subjects.course_id', '=', courseId)
      .where('subjects.symbol', '=', name)
      .where('modules.name', '=', name)
      .orderBy('modules.id')
      .limit(1)
      .executeTakeFirst();
    return found?.id;
  },

  /** A subject `name` (symbol and name) with one module `name` in it; the module's id. */
  async insertSubjectWithModule(db: Db, courseId: number, name: string, now: string): Promise<number> {
    const subject = await db.insertInto('subjects').values({ course_id: courseId, symbol: name, name, created_at: now }).returning('id').executeTakeFirstOrThrow();
    return (await db.insertInto('modules').values({ subject_id: subject.id, name, created_at: now }).returning('id').executeTakeFirstOrThrow()).id;
  },

  async deleteExercise(db: Db, exerciseId: number): Promise<void> {
    await db.deleteFrom('exercises').where('id', '=', exerciseId).execute();
  },

  exercise(db: Db, exerciseId: number): Promise<{ id: number; course_id: number; name: string } | undefined> {
    return db.selectFrom('exercises').select(['id', 'course_id', 'name']).where('id', '=', exerciseId).executeTakeFirst();
  },

  /** The latest submission time in the assignment, if any. */
  async lastSubmittedAt(db: Db, assignmentId: number): Promise<string | null> {
    const previous = await db.selectFrom('submissions').select((eb) => eb.fn.max('created_at').as('at')).where('assignment_id', '=', assignmentId).executeTakeFirst();
    return previous?.at ?? null;
  },

  /** Replaces the submission's file feedback with one written by `authorId`. */
  async replaceFeedbackFiles(db: Db, submissionId: number, authorId: number, treeId: number, now: string): Promise<void> {
    await db.deleteFrom('feedback').where('submission_id', '=', submissionId).where('tree_id', 'is not', null).execute();
    await db.insertInto('feedback').values({ submission_id: submissionId, author_id: authorId, tree_id: treeId, released: true, created_at: now }).execute();
  },
};
