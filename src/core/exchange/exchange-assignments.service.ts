import type { Db } from '../../db/database.ts';
import type { Actor } from '../actor.ts';
import { OWN_CLAIM, claimAssignment } from '../assignments/claim.ts';
import type { Clock, Timestamp } from '../clock.ts';
import { microsToTimestamp, timestampToMicros } from '../clock.ts';
import { fromDatabaseError } from '../errors.ts';
import { exchangeRefusal } from './refusals.ts';
import { exchangeAssignmentsRepo } from './exchange-assignments.repo.ts';
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
    return exchangeAssignmentsRepo.bySlug(db, courseId, id);
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
    if (!user || !(await exchangeAssignmentsRepo.isMember(this.db, access.courseId, user.id))) throw studentNotFound();
    return user.id;
  }

  /** The submission at `timestamp` (matched by value), or the latest when null; else 404. */
  async submission(assignment: ExchangeAssignment, userId: number, timestamp: Timestamp | null, db: Db = this.db): Promise<ExchangeSubmission> {
    const row = await exchangeAssignmentsRepo.submission(db, assignment.exerciseId, userId, timestamp);
    if (!row) throw submissionNotFound();
    return row;
  }

  // ---- reads ----

  /** Assignment ids of the course in creation order (exercises made in other dialects included). */
  async assignmentIds(access: CourseAccess): Promise<string[]> {
    return exchangeAssignmentsRepo.slugs(this.db, access.courseId);
  }

  /** A tree's entries in upload order; none for no tree. */
  async treeEntries(treeId: number | null): Promise<TreeEntry[]> {
    return treeId === null ? [] : this.files.treeEntries(treeId);
  }

  /** Submissions of the assignment, everyone's or one user's, oldest first. Accounts deleted since are left out. */
  async submissions(assignment: ExchangeAssignment, userId?: number): Promise<ExchangeSubmissionRow[]> {
    return exchangeAssignmentsRepo.submissions(this.db, assignment.exerciseId, userId);
  }

  /** The files of the submission's latest released feedback; none when there is none. */
  async feedbackEntries(submission: ExchangeSubmission): Promise<TreeEntry[]> {
    return this.treeEntries(await exchangeAssignmentsRepo.feedbackTree(this.db, submission.id));
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
        await exchangeAssignmentsRepo.insertExercise(tx, { course_id: access.courseId, module_id: moduleId, slug: id, name: id, handout_tree_id: treeId, created_at: now, updated_at: now });
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
    const found = await exchangeAssignmentsRepo.moduleBySymbol(tx, courseId, EXCHANGE_SUBJECT);
    return found ?? exchangeAssignmentsRepo.insertSubjectWithModule(tx, courseId, EXCHANGE_SUBJECT, now);
  }

  /** Deletes the assignment with its submissions and feedback (their trees are left to `gc`). */
  async deleteAssignment(access: CourseAccess, id: string): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      const assignment = await this.assignment(access, id, tx);
      await exchangeAssignmentsRepo.deleteExercise(tx, assignment.exerciseId);
    });
  }

  /**
   * Hands in `files` for `userId`, in their assignment row of the exercise (made at the first
   * submission). The row is written first, which serialises one student's submissions on both
   * engines, so the new timestamp can be made later than every earlier one (+1 µs on a tie).
   */
  async submit(assignment: ExchangeAssignment, userId: number, files: NewTreeFile[]): Promise<Timestamp> {
    const { timestamp, assignmentId } = await this.db.transaction().execute(async (tx) => {
      const exercise = await exchangeAssignmentsRepo.exercise(tx, assignment.exerciseId);
      if (!exercise) throw assignmentNotFound();
      let now = this.clock.now();
      const assignmentId = await claimAssignment(tx, { exerciseId: assignment.exerciseId, userId, now }, OWN_CLAIM);
      const previous = await exchangeAssignmentsRepo.lastSubmittedAt(tx, assignmentId);
      if (previous && timestampToMicros(previous) >= timestampToMicros(now)) now = microsToTimestamp(timestampToMicros(previous) + 1n);
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
      await exchangeAssignmentsRepo.replaceFeedbackFiles(tx, submission.id, authorId, treeId, this.clock.now());
    });
  }
}
