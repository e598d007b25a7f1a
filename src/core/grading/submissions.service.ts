import type { Db } from '../../db/database.ts';
import type { GradingQueue, JobEvent, JobOutcome, JobStatus } from '../../grading/queue/index.ts';
import { rerunExercise } from '../../grading/queue/index.ts';
import type { ProblemResult, TestResult } from '../../grading/results/types.ts';
import type { Actor } from '../actor.ts';
import { GROUP_CLAIM, claimAssignment } from '../assignments/claim.ts';
import type { Clock, Timestamp } from '../clock.ts';
import type { Exercise, ExercisesService, HandinTarget, TreeListing } from '../courses/exercises.service.ts';
import { isRowId } from '../courses/exercises.service.ts';
import { canManageCourse, canSee, visibleCourseIds } from '../courses/visibility.ts';
import { AssayError } from '../errors.ts';
import type { TreeEntry } from '../files/files.repo.ts';
import type { FilesService, NewTreeFile } from '../files/files.service.ts';
import { treeShapeProblems } from '../files/tree-shape.ts';
import { readGrade } from './results.service.ts';
import { recordSubmission } from './submission-record.ts';
import { submissionsRepo } from './submissions.repo.ts';

export interface SubmissionInput {
  files: NewTreeFile[];
  /** Answers to the exercise's inputs (INGInious problems, Hive fields), by name. */
  answers?: Record<string, unknown>;
}

export interface Submission {
  id: number;
  exercise_id: number;
  course_id: number;
  assignment_id: number;
  /** Who submitted (null when the account is gone). */
  user_id: number | null;
  /** 1, 2, 3, … within the assignment. */
  number: number;
  answers: Record<string, unknown> | null;
  created_at: string;
  files: TreeListing[];
  /** The submission's latest grading job (a rerun's, after one). */
  job: { id: number; status: JobStatus } | null;
}

/** The latest grading of a submission, as its reader may see it. */
export interface SubmissionGrading {
  status: JobStatus;
  /** The timeline's last step once the job is done. */
  outcome: JobOutcome | null;
  score: number | null;
  max_score: number | null;
  feedback: string | null;
  tests: TestResult[];
  problems: Record<string, ProblemResult>;
  /** What the harness said to staff (null for students). */
  log: string | null;
  /** Where the result breaks the grading contract (staff only: empty for students). */
  warnings: string[];
  timeline: Pick<JobEvent, 'time' | 'action' | 'payload'>[];
}

export interface SubmissionDetail extends Submission {
  grading: SubmissionGrading | null;
}

/** A unique constraint the database enforced: another request got there first. */
function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

const ATTEMPTS = 5;

/** Stored answers are JSON text; anything that does not parse to an object reads as none. */
function parseAnswers(raw: string | null): Record<string, unknown> | null {
  if (raw === null) return null;
  try {
    const value: unknown = JSON.parse(raw);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Tests a student may see: the visible ones, and `after_due_date` ones once the exercise is due. */
function studentMaySee(test: TestResult, exercise: Pick<Exercise, 'due_at'>, now: string): boolean {
  if (test.visibility === 'visible') return true;
  return test.visibility === 'after_due_date' && exercise.due_at !== null && now >= exercise.due_at;
}

/**
 * Submissions: a student hands in files (and answers) for an exercise; each submission gets its
 * number within the student's assignment and exactly one grading job, in one transaction.
 * Students see their own; the course's staff side (checkers, instructors, staff) sees all.
 * Invisible exercises and other people's submissions are not found.
 */
export class SubmissionsService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly files: FilesService,
    private readonly exercises: ExercisesService,
    private readonly grading: GradingQueue,
  ) {}

  /**
   * The exercise as the actor may hand in to it (not found when they may not see it): a dialect
   * that must refuse an invisible exercise before it reads the body passes this on to `submit`.
   */
  target(actor: Actor, exerciseId: number): Promise<HandinTarget> {
    return this.exercises.forSubmission(actor, exerciseId);
  }

  /**
   * Hands in `input` for the actor, in their own assignment on the exercise (created at the first
   * submission). The assignment row is written first in the transaction, which serialises the
   * submissions of one assignment on both engines (a row lock on PostgreSQL, the write lock on
   * SQLite), so numbers follow 1, 2, 3 under concurrency; the unique (assignment, number)
   * constraint backs that up, and a transaction that loses a race is run again.
   */
  async submit(actor: Actor, exerciseId: number, input: SubmissionInput, target?: HandinTarget): Promise<Submission> {
    const exercise = target && target.id === exerciseId ? target : await this.target(actor, exerciseId);
    const shape = treeShapeProblems(input.files.map((f) => f.path));
    if (shape.length > 0) throw AssayError.invalid(shape);
    if (input.files.length === 0 && input.answers === undefined) throw AssayError.field('file', 'required', 'No file was submitted.');
    const staffSide = exercise.staffSide;
    const wallSeconds = exercise.gradingWallSeconds ?? undefined;

    for (let attempt = 1; ; attempt++) {
      try {
        const created = await this.db.transaction().execute(async (trx) => {
          const now = this.clock.now();
          const assignmentId = await claimAssignment(trx, { exerciseId: exercise.id, userId: actor.id, now }, GROUP_CLAIM);
          const count = await submissionsRepo.lastNumber(trx, assignmentId);
          if (!staffSide && exercise.max_submissions !== null && count >= exercise.max_submissions) {
            throw AssayError.forbidden(`The maximum number of submissions (${exercise.max_submissions}) has been reached.`);
          }
          const treeId = await this.files.createTree(input.files, trx);
          const { id, job } = await recordSubmission(trx, this.grading, {
            assignmentId,
            exercise: { id: exercise.id, course_id: exercise.course_id, name: exercise.name },
            userId: actor.id,
            staffAuthor: staffSide,
            treeId,
            answers: input.answers === undefined ? null : JSON.stringify(input.answers),
            now,
            ...(wallSeconds !== undefined ? { wallSeconds } : {}),
          });
          const submission = { id };
          // Everything the answer shows is known here: no need to read it back.
          return {
            id: submission.id,
            exercise_id: exercise.id,
            course_id: exercise.course_id,
            assignment_id: assignmentId,
            user_id: actor.id,
            number: count + 1,
            answers: input.answers ?? null,
            created_at: now,
            files: input.files.map((f) => ({ path: f.path, size: f.blob.size, sha256: f.blob.sha256, md5: f.blob.md5 })),
            job: { id: job.id, status: job.status },
          } satisfies Submission;
        });
        this.grading.wake();
        return created;
      } catch (e) {
        if (attempt < ATTEMPTS && isUniqueViolation(e)) continue;
        throw e;
      }
    }
  }

  /**
   * What the grading engine needs of a submission, in one query: its answers (JSON text) and its
   * files in upload order; null when it no longer exists. No actor: the engine is not a user.
   */
  async forGrading(submissionId: number): Promise<{ answers: string | null; files: TreeEntry[] } | null> {
    const rows = await submissionsRepo.withFiles(this.db, submissionId);
    if (rows.length === 0) return null;
    const files = rows.flatMap((r) => (r.path === null || r.blob === null ? [] : [{ path: r.path, blob: r.blob, size: Number(r.size), md5: r.md5 ?? '' }]));
    return { answers: rows[0]!.answers, files };
  }

  /** A submission the actor may see (theirs, or any of a course whose staff side they are on), with its latest grading. */
  async get(actor: Actor, submissionId: number): Promise<SubmissionDetail> {
    if (!isRowId(submissionId)) throw AssayError.notFound();
    const [submission] = await this.load([submissionId]);
    if (!submission) throw AssayError.notFound();
    const staffSide = await this.staffSideOf(actor, submission.course_id);
    if (!staffSide && !(await this.isOwn(actor, submission))) throw AssayError.notFound();
    const exercise = { due_at: (await submissionsRepo.dueAt(this.db, submission.exercise_id)) ?? null };
    return { ...submission, grading: await this.gradingOf(submission, staffSide, exercise) };
  }

  /** Submissions of an exercise, oldest first: the actor's own, or all of them for its staff side. */
  async list(actor: Actor, exerciseId: number): Promise<Submission[]> {
    const exercise = await this.exercises.get(actor, exerciseId);
    const staffSide = await this.exercises.isStaffSide(actor, exercise);
    return this.load(await submissionsRepo.idsOfExercise(this.db, exercise.id, staffSide ? undefined : actor.id));
  }

  /**
   * Staff and the course's instructors queue the latest submission of every assignment again;
   * answers how many, and since when (the rerun's jobs are those queued since: see CourseQueueService.rerunProgress).
   */
  async rerun(actor: Actor, exerciseId: number): Promise<{ queued: number; since: Timestamp }> {
    const exercise = await this.exercises.getForWrite(actor, exerciseId);
    const since = this.clock.now();
    return { queued: (await rerunExercise(this.db, this.grading, exercise.id)).length, since };
  }

  /**
   * Staff and the course's instructors delete a submission, in one transaction with its grades,
   * feedback and grading jobs (with their timelines). Its file trees and blobs are left to `gc`.
   * Those who may see it but not delete it get 403; everyone else 404.
   */
  async delete(actor: Actor, submissionId: number): Promise<void> {
    if (!isRowId(submissionId)) throw AssayError.notFound();
    const [submission] = await submissionsRepo.byIds(this.db, [submissionId]);
    if (!submission) throw AssayError.notFound();
    if (!(await this.staffSideOf(actor, submission.course_id)) && !(await this.isOwn(actor, submission))) throw AssayError.notFound();
    if (!(await canManageCourse(this.db, actor, submission.course_id))) throw AssayError.forbidden();
    await this.db.transaction().execute(async (trx) => {
      // Someone else deleted it first.
      if (!(await submissionsRepo.deleteWithDependents(trx, submissionId, submission.assignment_id))) throw AssayError.notFound();
    });
  }

  // ---- reading ----

  private async isOwn(actor: Actor, submission: Pick<Submission, 'user_id' | 'assignment_id'>): Promise<boolean> {
    if (submission.user_id === actor.id) return true;
    return submissionsRepo.holds(this.db, submission.assignment_id, actor.id);
  }

  /** Checkers, instructors and staff who can see the course. */
  private async staffSideOf(actor: Actor, courseId: number): Promise<boolean> {
    if (!canSee(await visibleCourseIds(this.db, actor), courseId)) return false;
    return this.exercises.isStaffSide(actor, { course_id: courseId });
  }

  /** Submissions by id, in the order given, with their files and latest job; unknown ids are left out. */
  private async load(ids: number[]): Promise<Submission[]> {
    if (ids.length === 0) return [];
    const out = new Map<number, Submission>();
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      const rows = await submissionsRepo.byIds(this.db, chunk);
      const treeIds = rows.flatMap((r) => (r.tree_id === null ? [] : [r.tree_id]));
      const entries = await submissionsRepo.treeEntries(this.db, treeIds);
      const files = new Map<number, TreeListing[]>();
      for (const e of entries) files.set(e.tree_id, [...(files.get(e.tree_id) ?? []), { path: e.path, size: e.size, sha256: e.blob, md5: e.md5 }]);
      const jobs = await submissionsRepo.jobs(this.db, chunk);
      const latest = new Map<number, { id: number; status: JobStatus }>();
      for (const j of jobs) latest.set(j.submission_id, { id: j.id, status: j.status as JobStatus });
      for (const r of rows) {
        out.set(r.id, {
          id: r.id,
          exercise_id: r.exercise_id,
          course_id: r.course_id,
          assignment_id: r.assignment_id,
          user_id: r.user_id,
          number: r.number,
          answers: parseAnswers(r.answers),
          created_at: r.created_at,
          files: r.tree_id === null ? [] : (files.get(r.tree_id) ?? []),
          job: latest.get(r.id) ?? null,
        });
      }
    }
    return ids.flatMap((id) => out.get(id) ?? []);
  }

  /**
   * The latest job's state and timeline; its grade once done. Students see only the tests meant
   * for them (and not the problems named after the others), and no log.
   */
  private async gradingOf(submission: Submission, staffSide: boolean, exercise: Pick<Exercise, 'due_at'>): Promise<SubmissionGrading | null> {
    if (!submission.job) return null;
    const job = await this.grading.get(submission.job.id);
    if (!job) return null;
    const events = await this.grading.events(job.id);
    const grade = job.status === 'done' ? readGrade(job.result) : null;
    const now = this.clock.now();
    const tests = grade ? grade.tests.filter((t) => staffSide || studentMaySee(t, exercise, now)) : [];
    // Conventions name problems after tests (native results do): a hidden test's score stays hidden.
    const hidden = new Set(grade ? grade.tests.filter((t) => !tests.includes(t)).map((t) => t.name) : []);
    return {
      status: job.status,
      outcome: job.status === 'done' ? (job.result?.outcome ?? 'success') : null,
      score: grade?.score ?? null,
      max_score: grade?.maxScore ?? null,
      feedback: grade ? grade.feedback : null,
      tests,
      problems: Object.fromEntries(Object.entries(grade?.problems ?? {}).filter(([name]) => !hidden.has(name))),
      log: staffSide && grade ? grade.log : null,
      warnings: staffSide ? (grade?.warnings ?? []) : [],
      timeline: events.filter((e) => staffSide || e.action !== 'warning').map((e) => ({ time: e.time, action: e.action, payload: e.payload })),
    };
  }
}
