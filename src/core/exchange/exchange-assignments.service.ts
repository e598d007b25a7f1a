import type { Db } from '../../db/database.ts';
import type { Actor } from '../actor.ts';
import { OWN_CLAIM, claimAssignment } from '../assignments/claim.ts';
import type { Clock, Timestamp } from '../clock.ts';
import { microsToTimestamp, timestampToMicros } from '../clock.ts';
import { fromDatabaseError } from '../errors.ts';
import { exchangeRefusal } from './refusals.ts';
import type { TreeEntry } from '../files/files.repo.ts';
import type { FilesService, NewTreeFile } from '../files/files.service.ts';
import type { CourseAccess, ExchangeCoursesService } from './exchange-courses.service.ts';
import { storableName, userByName } from './exchange-users.ts';
import type { GradingQueue } from '../../grading/queue/index.ts';
import { recordSubmission } from '../grading/submission-record.ts';
import { ThreadChanges } from '../threads/changes.ts';

/**
 * The nbgrader exchange's assignments, submissions and feedback (ngshare) on the core's data:
 * an assignment is an exercise of the course whose slug is the assignment id, released files
 * are its handout tree; a submission is a core submission in the student's assignment row, its
 * `created_at` the exchange timestamp (unique per student and exercise); feedback is a feedback
 * record with a file tree on that submission.
 *
 * Every check is its own step so the dialect can interleave its argument checks in upstream's
 * order; every write re-checks what it depends on inside its one transaction.
 * Errors carry `details.reason`; the dialect turns reasons into its exact wire strings.
 */

const fail = exchangeRefusal;
const assignmentNotFound = () => fail('not_found', 'assignment_not_found');
const assignmentExists = () => fail('conflict', 'assignment_exists');
const studentNotFound = () => fail('not_found', 'student_not_found');
const submissionNotFound = () => fail('not_found', 'submission_not_found');

/** Subject and module name of released assignments. */
const EXCHANGE_SUBJECT = 'nbgrader';

/** Who may call: any course user (admins included), instructors and admins, or those plus one user themself. */
export type ExchangeAudience = { kind: 'member' } | { kind: 'instructor' } | { kind: 'instructorOrSelf'; username: string };

export interface ExchangeAssignment {
  exerciseId: number;
  handoutTreeId: number | null;
}

export interface ExchangeSubmissionRow {
  student_id: string;
  timestamp: Timestamp;
}

export interface ExchangeSubmission {
  id: number;
  timestamp: Timestamp;
  treeId: number | null;
}

export class ExchangeAssignmentsService {
  /** Announces each submission's assignment once committed (the checker inbox's live events). */
  readonly changes = new ThreadChanges();

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly files: FilesService,
    private readonly courses: ExchangeCoursesService,
    private readonly grading: GradingQueue,
  ) {}

  // ---- checks, in the order the endpoints run them ----

  /** The course (404 for outsiders) and the caller's right to this call (403). */
  async course(actor: Actor, slug: string, audience: ExchangeAudience): Promise<CourseAccess> {
    const access = await this.courses.access(actor, slug);
    if (audience.kind === 'instructor') this.courses.assertInstructor(access);
    if (audience.kind === 'instructorOrSelf') this.courses.assertInstructorOrSelf(access, actor, audience.username);
    return access;
  }

  private findAssignment(db: Db, courseId: number, id: string) {
    return db
      .selectFrom('exercises')
      .select(['id as exerciseId', 'handout_tree_id as handoutTreeId'])
      .where('course_id', '=', courseId)
      .where('slug', '=', id)
      .executeTakeFirst();
  }

  async assignment(access: CourseAccess, id: string, db: Db = this.db): Promise<ExchangeAssignment> {
    const row = storableName(id) ? await this.findAssignment(db, access.courseId, id) : undefined;
    if (!row) throw assignmentNotFound();
    return row;
  }

  /** 409 when the assignment exists already: releasing never overwrites. */
  async assertNewAssignment(access: CourseAccess, id: string, db: Db = this.db): Promise<void> {
    if (storableName(id) && (await this.findAssignment(db, access.courseId, id))) throw assignmentExists();
  }

  /** A student or instructor of the course (their user id), else 404 `Student not found`. */
  async courseUser(access: CourseAccess, username: string): Promise<number> {
    const user = await userByName(this.db, username);
    const member = user
      ? await this.db
          .selectFrom('enrollments')
          .select('id')
          .where('course_id', '=', access.courseId)
          .where('user_id', '=', user.id)
          .where('dropped', '=', false)
          .where('role', 'in', ['instructor', 'student'])
          .executeTakeFirst()
      : undefined;
    if (!user || !member) throw studentNotFound();
    return user.id;
  }

  /** The submission at `timestamp` (matched by value), or the latest when null; else 404. */
  async submission(assignment: ExchangeAssignment, userId: number, timestamp: Timestamp | null, db: Db = this.db): Promise<ExchangeSubmission> {
    let q = db
      .selectFrom('submissions as s')
      .innerJoin('assignments as a', 'a.id', 's.assignment_id')
      .select(['s.id', 's.created_at as timestamp', 's.tree_id as treeId'])
      .where('a.exercise_id', '=', assignment.exerciseId)
      .where('s.user_id', '=', userId);
    q = timestamp === null ? q.orderBy('s.created_at', 'desc').orderBy('s.id', 'desc') : q.where('s.created_at', '=', timestamp).orderBy('s.id');
    const row = await q.limit(1).executeTakeFirst();
    if (!row) throw submissionNotFound();
    return row;
  }

  // ---- reads ----

  /** Assignment ids of the course in creation order (exercises made in other dialects included). */
  async assignmentIds(access: CourseAccess): Promise<string[]> {
    const rows = await this.db.selectFrom('exercises').select('slug').where('course_id', '=', access.courseId).orderBy('created_at').orderBy('id').execute();
    return rows.map((r) => r.slug);
  }

  /** A tree's entries in upload order; none for no tree. */
  async treeEntries(treeId: number | null): Promise<TreeEntry[]> {
    return treeId === null ? [] : this.files.treeEntries(treeId);
  }

  /** Submissions of the assignment, everyone's or one user's, oldest first. Accounts deleted since are left out. */
  async submissions(assignment: ExchangeAssignment, userId?: number): Promise<ExchangeSubmissionRow[]> {
    let q = this.db
      .selectFrom('submissions as s')
      .innerJoin('assignments as a', 'a.id', 's.assignment_id')
      .innerJoin('users as u', 'u.id', 's.user_id')
      .select(['u.username as student_id', 's.created_at as timestamp'])
      .where('a.exercise_id', '=', assignment.exerciseId);
    if (userId !== undefined) q = q.where('s.user_id', '=', userId);
    return q.orderBy('s.created_at').orderBy('s.id').execute();
  }

  /** The files of the submission's latest released feedback; none when there is none. */
  async feedbackEntries(submission: ExchangeSubmission): Promise<TreeEntry[]> {
    const row = await this.db
      .selectFrom('feedback')
      .select('tree_id')
      .where('submission_id', '=', submission.id)
      .where('tree_id', 'is not', null)
      .where('released', '=', true)
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return this.treeEntries(row?.tree_id ?? null);
  }

  // ---- writes: one transaction each ----

  /** Releases an assignment: a new exercise of the course with `files` as its handout. */
  async release(access: CourseAccess, id: string, files: NewTreeFile[]): Promise<void> {
    if (!storableName(id)) throw fail('invalid', 'incorrect_request_format');
    try {
      await this.db.transaction().execute(async (tx) => {
        await this.assertNewAssignment(access, id, tx);
        const now = this.clock.now();
        const treeId = await this.files.createTree(files, tx);
        const moduleId = await this.exchangeModule(tx, access.courseId, now);
        await tx
          .insertInto('exercises')
          .values({ course_id: access.courseId, module_id: moduleId, slug: id, name: id, handout_tree_id: treeId, created_at: now, updated_at: now })
          .execute();
      });
    } catch (err) {
      // Another release of the same id committed between the check and the insert.
      if (fromDatabaseError(err)?.kind === 'conflict') throw assignmentExists();
      throw err;
    }
  }

  /**
   * The module released assignments go in, so other dialects show them (Hive lists only
   * exercises inside a module): subject `nbgrader` of the course, module `nbgrader` in it,
   * made at the first release.
   */
  private async exchangeModule(tx: Db, courseId: number, now: Timestamp): Promise<number> {
    const found = await tx
      .selectFrom('modules')
      .innerJoin('subjects', 'subjects.id', 'modules.subject_id')
      .select('modules.id')
      .where('subjects.course_id', '=', courseId)
      .where('subjects.symbol', '=', EXCHANGE_SUBJECT)
      .where('modules.name', '=', EXCHANGE_SUBJECT)
      .orderBy('modules.id')
      .limit(1)
      .executeTakeFirst();
    if (found) return found.id;
    const subject = await tx
      .insertInto('subjects')
      .values({ course_id: courseId, symbol: EXCHANGE_SUBJECT, name: EXCHANGE_SUBJECT, created_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    const created = await tx.insertInto('modules').values({ subject_id: subject.id, name: EXCHANGE_SUBJECT, created_at: now }).returning('id').executeTakeFirstOrThrow();
    return created.id;
  }

  /** Deletes the assignment with its submissions and feedback (their trees are left to `gc`). */
  async deleteAssignment(access: CourseAccess, id: string): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      const assignment = await this.assignment(access, id, tx);
      await tx.deleteFrom('exercises').where('id', '=', assignment.exerciseId).execute();
    });
  }

  /**
   * Hands in `files` for `userId`, in their assignment row of the exercise (made at the first
   * submission). The row is written first, which serialises one student's submissions on both
   * engines, so the new timestamp can be made later than every earlier one (+1 µs on a tie).
   */
  async submit(assignment: ExchangeAssignment, userId: number, files: NewTreeFile[]): Promise<Timestamp> {
    const { timestamp, assignmentId } = await this.db.transaction().execute(async (tx) => {
      const exercise = await tx.selectFrom('exercises').select(['id', 'course_id', 'name']).where('id', '=', assignment.exerciseId).executeTakeFirst();
      if (!exercise) throw assignmentNotFound();
      let now = this.clock.now();
      const assignmentId = await claimAssignment(tx, { exerciseId: assignment.exerciseId, userId, now }, OWN_CLAIM);
      const previous = await tx.selectFrom('submissions').select((eb) => eb.fn.max('created_at').as('at')).where('assignment_id', '=', assignmentId).executeTakeFirst();
      if (previous?.at && timestampToMicros(previous.at) >= timestampToMicros(now)) now = microsToTimestamp(timestampToMicros(previous.at) + 1n);
      const treeId = await this.files.createTree(files, tx);
      // The one submission lifecycle: Hive's Submission response and assignment counters, a grading job.
      await recordSubmission(tx, this.grading, { assignmentId, exercise, userId, staffAuthor: false, treeId, answers: null, now });
      return { timestamp: now, assignmentId };
    });
    this.grading.wake();
    await this.changes.announce({ kind: 'assignment', id: assignmentId });
    return timestamp;
  }

  /** Replaces the submission's file feedback with `files`, written by `authorId`. */
  async putFeedback(assignment: ExchangeAssignment, userId: number, timestamp: Timestamp, authorId: number, files: NewTreeFile[]): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      const submission = await this.submission(assignment, userId, timestamp, tx);
      const treeId = await this.files.createTree(files, tx);
      await tx.deleteFrom('feedback').where('submission_id', '=', submission.id).where('tree_id', 'is not', null).execute();
      await tx.insertInto('feedback').values({ submission_id: submission.id, author_id: authorId, tree_id: treeId, released: true, created_at: this.clock.now() }).execute();
    });
  }
}
