import type { Db } from '../../db/database.ts';
import type { CourseRole } from '../actor.ts';

/** A course as INGInious sees it: the core row and what course.yaml added (defaults when nothing did). */
export interface CourseRow {
  id: number;
  slug: string;
  name: string;
  checker_id: number | null;
  start_at: string | null;
  end_at: string | null;
  hidden: boolean;
  registration_open: boolean;
  registration_start_at: string | null;
  registration_end_at: string | null;
  require_password: boolean;
}

/** A task: the core exercise and what task.yaml added. */
export interface TaskRow {
  id: number;
  course_id: number;
  slug: string;
  name: string;
  description: string;
  order: string;
  start_at: string | null;
  due_at: string | null;
  end_at: string | null;
  problems: string | null;
  authors: string | null;
  contact_url: string | null;
  context: string | null;
  evaluate: string | null;
  weight: number | null;
  hidden: boolean;
  submission_amount: number | null;
  submission_period: number | null;
}

/** One of a user's submissions, with its latest grading job (if any). */
export interface SubmissionRow {
  id: number;
  exercise_id: number;
  user_id: number | null;
  tree_id: number | null;
  answers: string | null;
  created_at: string;
}

export interface JobRow {
  submission_id: number;
  status: string;
  result: string | null;
}

function courses(db: Db) {
  return db
    .selectFrom('courses as c')
    .leftJoin('inginious_courses as ic', 'ic.course_id', 'c.id')
    .select([
      'c.id',
      'c.slug',
      'c.name',
      'c.checker_id',
      'c.start_at',
      'c.end_at',
      'ic.hidden',
      'ic.registration_open',
      'ic.registration_start_at',
      'ic.registration_end_at',
      'ic.require_password',
    ]);
}

type RawCourse = Awaited<ReturnType<ReturnType<typeof courses>['execute']>>[number];

const toCourse = (r: RawCourse): CourseRow => ({
  ...r,
  hidden: Boolean(r.hidden),
  registration_open: Boolean(r.registration_open),
  require_password: Boolean(r.require_password),
});

export async function allCourses(db: Db): Promise<CourseRow[]> {
  return (await courses(db).orderBy('c.slug').execute()).map(toCourse);
}

export async function courseBySlug(db: Db, slug: string): Promise<CourseRow | null> {
  const row = await courses(db).where('c.slug', '=', slug).executeTakeFirst();
  return row ? toCourse(row) : null;
}

/** The user's live enrolments, by course. */
export async function rolesOf(db: Db, userId: number): Promise<Map<number, CourseRole>> {
  const rows = await db.selectFrom('enrollments').select(['course_id', 'role']).where('user_id', '=', userId).where('dropped', '=', false).execute();
  return new Map(rows.map((r) => [r.course_id, r.role as CourseRole]));
}

function tasks(db: Db) {
  return db
    .selectFrom('exercises as e')
    .leftJoin('inginious_tasks as it', 'it.exercise_id', 'e.id')
    .select([
      'e.id',
      'e.course_id',
      'e.slug',
      'e.name',
      'e.description',
      'e.order',
      'e.start_at',
      'e.due_at',
      'e.end_at',
      'it.problems',
      'it.authors',
      'it.contact_url',
      'it.context',
      'it.evaluate',
      'it.weight',
      'it.hidden',
      'it.submission_amount',
      'it.submission_period',
    ]);
}

type RawTask = Awaited<ReturnType<ReturnType<typeof tasks>['execute']>>[number];
const toTask = (r: RawTask): TaskRow => ({ ...r, hidden: Boolean(r.hidden), weight: r.weight === null ? null : Number(r.weight) });

export async function tasksOf(db: Db, courseIds: number[]): Promise<TaskRow[]> {
  if (courseIds.length === 0) return [];
  return (await tasks(db).where('e.course_id', 'in', courseIds).orderBy('e.order').orderBy('e.id').execute()).map(toTask);
}

export async function taskBySlug(db: Db, courseId: number, slug: string): Promise<TaskRow | null> {
  const row = await tasks(db).where('e.course_id', '=', courseId).where('e.slug', '=', slug).executeTakeFirst();
  return row ? toTask(row) : null;
}

export async function markViewed(db: Db, exerciseId: number, userId: number, now: string): Promise<void> {
  await db
    .insertInto('inginious_views')
    .values({ exercise_id: exerciseId, user_id: userId, viewed_at: now })
    .onConflict((oc) => oc.columns(['exercise_id', 'user_id']).doNothing())
    .execute();
}

export async function viewedTasks(db: Db, userId: number, exerciseIds: number[]): Promise<Set<number>> {
  if (exerciseIds.length === 0) return new Set();
  const rows = await db.selectFrom('inginious_views').select('exercise_id').where('user_id', '=', userId).where('exercise_id', 'in', exerciseIds).execute();
  return new Set(rows.map((r) => r.exercise_id));
}

function submissions(db: Db) {
  return db
    .selectFrom('submissions as s')
    .innerJoin('assignments as a', 'a.id', 's.assignment_id')
    .select(['s.id', 'a.exercise_id', 's.user_id', 's.tree_id', 's.answers', 's.created_at']);
}

/** What the user handed in for these exercises, newest first. */
export async function submissionsBy(db: Db, userId: number, exerciseIds: number[]): Promise<SubmissionRow[]> {
  if (exerciseIds.length === 0) return [];
  return submissions(db).where('s.user_id', '=', userId).where('a.exercise_id', 'in', exerciseIds).orderBy('s.id', 'desc').execute();
}

export async function submissionById(db: Db, id: number): Promise<SubmissionRow | null> {
  return (await submissions(db).where('s.id', '=', id).executeTakeFirst()) ?? null;
}

/** Each submission's latest grading job. */
export async function latestJobs(db: Db, submissionIds: number[]): Promise<Map<number, JobRow>> {
  const out = new Map<number, JobRow>();
  for (let i = 0; i < submissionIds.length; i += 500) {
    const rows = await db
      .selectFrom('grading_jobs')
      .select(['submission_id', 'status', 'result'])
      .where('submission_id', 'in', submissionIds.slice(i, i + 500))
      .orderBy('id')
      .execute();
    for (const r of rows) out.set(r.submission_id!, { submission_id: r.submission_id!, status: r.status, result: r.result });
  }
  return out;
}

/** Results the core computed itself, by submission. */
export async function coreResults(db: Db, submissionIds: number[]): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  for (let i = 0; i < submissionIds.length; i += 500) {
    const rows = await db.selectFrom('inginious_results').select(['submission_id', 'result']).where('submission_id', 'in', submissionIds.slice(i, i + 500)).execute();
    for (const r of rows) out.set(r.submission_id, r.result);
  }
  return out;
}

export async function recordCoreResult(db: Db, submissionId: number, result: { json: string; feedback: string; points: number; passing: boolean }, now: string): Promise<void> {
  await db.insertInto('inginious_results').values({ submission_id: submissionId, result: result.json, created_at: now }).execute();
  await db
    .insertInto('feedback')
    .values({ submission_id: submissionId, author_id: null, text: result.feedback, points: result.points, passing: result.passing, released: true, created_at: now })
    .execute();
}

/** How many submissions the user made on the exercise since `since`. */
export async function countSince(db: Db, exerciseId: number, userId: number, since: string | null): Promise<number> {
  let q = db
    .selectFrom('submissions as s')
    .innerJoin('assignments as a', 'a.id', 's.assignment_id')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .where('a.exercise_id', '=', exerciseId)
    .where('s.user_id', '=', userId);
  if (since !== null) q = q.where('s.created_at', '>=', since);
  return Number((await q.executeTakeFirstOrThrow()).n);
}

export async function pendingOf(db: Db, exerciseId: number, userId: number) {
  return db.selectFrom('inginious_pending').selectAll().where('exercise_id', '=', exerciseId).where('user_id', '=', userId).executeTakeFirst();
}

export async function takePending(db: Db, exerciseId: number, userId: number, now: string): Promise<void> {
  await db.insertInto('inginious_pending').values({ exercise_id: exerciseId, user_id: userId, submission_id: null, created_at: now }).execute();
}

export async function setPendingSubmission(db: Db, exerciseId: number, userId: number, submissionId: number): Promise<void> {
  await db.updateTable('inginious_pending').set({ submission_id: submissionId }).where('exercise_id', '=', exerciseId).where('user_id', '=', userId).execute();
}

/** Frees the slot; given `takenAt`, only the one taken then (not one another request has taken since). */
export async function dropPending(db: Db, exerciseId: number, userId: number, takenAt?: string): Promise<void> {
  let q = db.deleteFrom('inginious_pending').where('exercise_id', '=', exerciseId).where('user_id', '=', userId);
  if (takenAt !== undefined) q = q.where('created_at', '=', takenAt);
  await q.execute();
}

export async function emailOf(db: Db, userId: number): Promise<string> {
  return (await db.selectFrom('users').select('email').where('id', '=', userId).executeTakeFirst())?.email ?? '';
}
