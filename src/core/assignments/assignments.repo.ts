import { sql } from 'kysely';
import type { Expression, SqlBool } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { NewRow, RowPatch } from '../../db/types.ts';
import { threadUserConditions } from '../threads/threads.repo.ts';
import type { ThreadUserFilters } from '../threads/user-filters.ts';
import type { AssignmentScope } from './assignment-visibility.ts';
import type { StatusChange } from './status-flow.ts';

/** What the assignment list narrows by (besides the reader's scope). */
export interface AssignmentListQuery extends ThreadUserFilters {
  exerciseId?: number;
  moduleId?: number;
  subjectId?: number;
  /** Exercises carrying one of these tags (non-empty). */
  tagIds?: number[];
  /** Only these exercises (a queue's, as the exercise list finds them). */
  exerciseIds?: number[];
  staffUpdatedAfter?: string;
}

/** The scope (assignment-visibility.ts) as a condition on `a` (assignments) joined with `e` (its exercise); null: every one. */
export function assignmentScopeCondition(scope: AssignmentScope): Expression<SqlBool> | null {
  if (scope.kind === 'all') return null;
  if (scope.kind === 'student') {
    return sql<SqlBool>`(a.user_id = ${scope.userId} OR EXISTS (SELECT 1 FROM assignment_members m WHERE m.assignment_id = a.id AND m.user_id = ${scope.userId}))`;
  }
  return scope.courseIds.length > 0 ? sql<SqlBool>`e.course_id IN (${sql.join(scope.courseIds)})` : sql<SqlBool>`1 = 0`;
}

function base(db: Db, scope: AssignmentScope) {
  const q = db
    .selectFrom('assignments as a')
    .innerJoin('exercises as e', 'e.id', 'a.exercise_id')
    .leftJoin('users as c', 'c.id', 'a.checker_id')
    .select([
      'a.id',
      'a.user_id',
      'a.exercise_id',
      'e.course_id',
      'e.patbas as patbas_policy',
      'a.checker_id',
      'c.first_name as checker_first_name',
      'c.last_name as checker_last_name',
      'a.status',
      'a.student_status',
      'a.description',
      'a.submission_count',
      'a.total_check_count',
      'a.manual_check_count',
      'a.last_staff_updated',
      'a.flagged',
      'a.work_time',
      'a.timer',
    ]);
  const visible = assignmentScopeCondition(scope);
  return visible ? q.where(visible) : q;
}

export type AssignmentRecord = Awaited<ReturnType<ReturnType<typeof base>['execute']>>[number];

/** Queries on assignments (`assignments`, `assignment_members`) and what hangs off them when one goes. */
export const assignmentsRepo = {
  async list(db: Db, scope: AssignmentScope, f: AssignmentListQuery): Promise<AssignmentRecord[]> {
    let q = base(db, scope);
    if (f.exerciseId !== undefined) q = q.where('a.exercise_id', '=', f.exerciseId);
    if (f.moduleId !== undefined) q = q.where('e.module_id', '=', f.moduleId);
    if (f.subjectId !== undefined) {
      const subjectId = f.subjectId;
      q = q.where('e.module_id', 'in', (eb) => eb.selectFrom('modules').select('modules.id').where('modules.subject_id', '=', subjectId));
    }
    if (f.tagIds !== undefined) {
      const tagIds = f.tagIds;
      q = q.where(({ exists, selectFrom }) =>
        exists(selectFrom('exercise_tags as et').select('et.tag_id').whereRef('et.exercise_id', '=', 'a.exercise_id').where('et.tag_id', 'in', tagIds)),
      );
    }
    if (f.exerciseIds !== undefined) q = q.where('a.exercise_id', 'in', f.exerciseIds);
    if (f.staffUpdatedAfter !== undefined) q = q.where('a.last_staff_updated', '>', f.staffUpdatedAfter);
    for (const condition of threadUserConditions('a.user_id', f)) q = q.where(condition);
    // In id order, sorted here: SQLite reaches a checker's rows through their exercises and sorted
    // all of them (every column) in a temporary B-tree for ORDER BY, half of the query's time for a
    // course's 20,000; sorting the rows by their integer ids costs a few milliseconds.
    return (await q.execute()).sort((x, y) => x.id - y.id);
  },

  /** The assignment when it is in the scope. */
  byId(db: Db, scope: AssignmentScope, id: number): Promise<AssignmentRecord | undefined> {
    return base(db, scope).where('a.id', '=', id).executeTakeFirst();
  },

  /** Whether the assignment `id` is in the scope. */
  async inScope(db: Db, scope: AssignmentScope, id: number): Promise<boolean> {
    let q = db.selectFrom('assignments as a').innerJoin('exercises as e', 'e.id', 'a.exercise_id').select('a.id').where('a.id', '=', id);
    const visible = assignmentScopeCondition(scope);
    if (visible) q = q.where(visible);
    return (await q.executeTakeFirst()) !== undefined;
  },

  /** A new assignment with its student as its candidate member (call it in a transaction). */
  async insertWithCandidate(db: Db, row: NewRow<'assignments'> & { user_id: number }): Promise<number> {
    const { id } = await db.insertInto('assignments').values(row).returning('id').executeTakeFirstOrThrow();
    await db.insertInto('assignment_members').values({ assignment_id: id, user_id: row.user_id, role: 'candidate' }).execute();
    return id;
  },

  async update(db: Db, id: number, patch: RowPatch<'assignments'>): Promise<void> {
    await db.updateTable('assignments').set(patch).where('id', '=', id).execute();
  },

  async statusOf(db: Db, id: number): Promise<string | null> {
    return (await db.selectFrom('assignments').select('status').where('id', '=', id).executeTakeFirst())?.status ?? null;
  },

  checkerOf(db: Db, id: number): Promise<{ checker_id: number | null } | undefined> {
    return db.selectFrom('assignments').select('checker_id').where('id', '=', id).executeTakeFirst();
  },

  ofExercise(db: Db, exerciseId: number): Promise<{ id: number; checker_id: number | null }[]> {
    return db.selectFrom('assignments').select(['id', 'checker_id']).where('exercise_id', '=', exerciseId).orderBy('id').execute();
  },

  /** Deletes the assignment with its responses, submissions, grading jobs and members (call it in a transaction). */
  async deleteWithDependents(trx: Db, id: number): Promise<void> {
    const responses = trx.selectFrom('responses').select('id').where('assignment_id', '=', id);
    const submissions = trx.selectFrom('submissions').select('id').where('assignment_id', '=', id);
    await trx.deleteFrom('grades').where('submission_id', 'in', submissions).execute();
    await trx.deleteFrom('feedback').where('submission_id', 'in', submissions).execute();
    // Its grading jobs go too: a queued one would otherwise run for a submission that is gone.
    const jobs = trx
      .selectFrom('grading_jobs')
      .select('id')
      .where((eb) => eb.or([eb('submission_id', 'in', submissions), eb('response_id', 'in', responses)]));
    await trx.updateTable('responses').set({ autocheck_job_id: null }).where('assignment_id', '=', id).execute();
    await trx.deleteFrom('grading_job_events').where('job_id', 'in', jobs).execute();
    await trx.deleteFrom('grading_jobs').where('id', 'in', jobs).execute();
    await trx.deleteFrom('submissions').where('assignment_id', '=', id).execute();
    await trx.deleteFrom('response_contents').where('response_id', 'in', responses).execute();
    await trx.deleteFrom('responses').where('assignment_id', '=', id).execute();
    await trx.deleteFrom('assignment_members').where('assignment_id', '=', id).execute();
    await trx.updateTable('users').set({ current_assignment_id: null }).where('current_assignment_id', '=', id).execute();
    await trx.deleteFrom('assignments').where('id', '=', id).execute();
  },

  /** The staff dashboard's feed: assignments in scope with their student, exercise, module and subject, most recently changed first. */
  latest(db: Db, scope: AssignmentScope, filters: ThreadUserFilters & { id?: number; subjectId?: number; staffUpdatedAfter?: string }) {
    // The dashboard's poll by class starts from the class's members and seeks each one's recently
    // changed assignments (assignments_user_id_last_staff_updated_idx): SQLite keeps the left table
    // of a CROSS JOIN outside, and without statistics it would rather walk every exercise of the
    // course and test each changed row's student (twice the work at 20,000 assignments).
    // PostgreSQL orders the joins itself.
    const { classId, classIds, ...rest } = filters;
    const drivingClasses = classId !== undefined ? [classId] : classIds !== undefined && classIds.length > 0 ? classIds : undefined;
    const f: typeof filters = drivingClasses === undefined ? filters : classId !== undefined && classIds !== undefined ? { ...rest, classIds } : rest;
    const assignments = drivingClasses
      ? db
          .selectFrom(db.selectFrom('class_members').select('user_id').distinct().where('class_id', 'in', drivingClasses).as('cm'))
          .crossJoin('assignments as a')
          .whereRef('a.user_id', '=', 'cm.user_id')
      : db.selectFrom('assignments as a');
    let q = assignments
      .innerJoin('exercises as e', 'e.id', 'a.exercise_id')
      .innerJoin('users as u', 'u.id', 'a.user_id')
      .leftJoin('modules as mo', 'mo.id', 'e.module_id')
      .select(['a.id', 'a.user_id', 'u.first_name', 'u.last_name', 'u.username', 'a.exercise_id', 'e.module_id', 'mo.subject_id', 'a.last_staff_updated']);
    const visible = assignmentScopeCondition(scope);
    if (visible) q = q.where(visible);
    if (f.id !== undefined) q = q.where('a.id', '=', f.id);
    if (f.subjectId !== undefined) q = q.where('mo.subject_id', '=', f.subjectId);
    if (f.staffUpdatedAfter !== undefined) q = q.where('a.last_staff_updated', '>', f.staffUpdatedAfter);
    for (const condition of threadUserConditions('a.user_id', f)) q = q.where(condition);
    return q.orderBy('a.last_staff_updated', 'desc').orderBy('a.id', 'desc').execute();
  },

  /**
   * Writes a status change in the caller's transaction: counters rise in SQL (never read, added and
   * written back), a new status also resets what the student is shown to follow it, and a response
   * from the grading side marks the assignment as changed by staff.
   */
  async applyStatusChange(
    trx: Db,
    id: number,
    change: StatusChange,
    context: { staffAuthor: boolean; now: string },
  ): Promise<void> {
    await trx
      .updateTable('assignments')
      .set({
        ...(change.status !== null ? { status: change.status, student_status: null } : {}),
        submission_count: sql<number>`submission_count + ${change.submissions}`,
        total_check_count: sql<number>`total_check_count + ${change.totalChecks}`,
        manual_check_count: sql<number>`manual_check_count + ${change.manualChecks}`,
        ...(context.staffAuthor ? { last_staff_updated: context.now } : {}),
        updated_at: context.now,
      })
      .where('id', '=', id)
      .execute();
  },
};
