import type { Actor } from '../actor.ts';
import { Clearance } from '../actor.ts';
import type { Timestamp } from '../clock.ts';
import { addSeconds } from '../clock.ts';
import { AssayError, fromDatabaseError } from '../errors.ts';
import type { NewTreeFile } from '../files/files.service.ts';
import type { BaseServices } from '../services.ts';
import { formatInZone } from '../zoned-time.ts';
import type { FileDefaults, ProblemDefinition, RawAnswers, StoredAnswer, StoredFileAnswer } from './problems.ts';
import { answerProblems, gradeInCore, gradedInCore, publicProblem, storedAnswers } from './problems.ts';
import type { SubmissionState } from './submission-state.ts';
import { stateOfCoreResult, stateOfJob } from './submission-state.ts';
import type { CourseRow, SubmissionRow, TaskRow } from './tasks.repo.ts';
import * as repo from './tasks.repo.ts';

export type TaskStatus = 'notviewed' | 'notattempted' | 'succeeded' | 'failed';

export interface CourseView {
  id: string;
  name: string;
  require_password: boolean;
  is_registered: boolean;
  /** Only when registered. */
  tasks?: Record<string, string>;
  /** Only when registered: the weighted mean of the started tasks' grades, rounded. */
  grade?: number;
}

export interface TaskView {
  id: string;
  name: string;
  authors: string[];
  contact_url: string;
  /** When handing in is due (the soft end), else when the task closes; null: never. */
  deadline: Timestamp | null;
  status: TaskStatus;
  grade: number;
  context: string;
  problems: Record<string, unknown>[];
}

/** A stored input value as readers get it: text, a list of texts, or a file with its bytes. */
export type InputValue = string | string[] | { filename: string; content: Buffer };

export interface SubmissionView {
  /** 24 lower-case hex characters. */
  id: string;
  submitted_on: Timestamp;
  state: SubmissionState;
  /** Only when asked for. */
  input?: Record<string, InputValue>;
}

/** Why a call is refused, in INGInious' terms (the dialect turns each into its message). */
export const TASK_REASONS = [
  'course_not_found',
  'not_registered',
  'task_not_found',
  'not_allowed_to_submit',
  'invalid_arguments',
  'pending',
  'submission_not_found',
] as const;
export type TaskReason = (typeof TASK_REASONS)[number];

const refuse = (kind: 'not_found' | 'forbidden' | 'invalid' | 'conflict', reason: TaskReason, message: string = reason) =>
  new AssayError(kind, message, { reason });

/** How long a pending lock may name no submission before it is taken for a crashed request's. */
const ORPHAN_LOCK_SECONDS = 120;

interface Access {
  course: CourseRow;
  /** Course staff: admins and staff, the course's checker, its checkers and instructors. */
  staff: boolean;
  /** Registered and the course is open now (staff: always). */
  open: boolean;
}

const parseJson = <T>(text: string | null, fallback: T): T => {
  if (text === null) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
};

/** Python's round(): halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** An ObjectId-like id: 8 hex digits of the submission's time in seconds, then its row id in 16. */
export function publicSubmissionId(id: number, createdAt: Timestamp): string {
  const seconds = Math.floor(Date.parse(createdAt) / 1000);
  return seconds.toString(16).padStart(8, '0').slice(-8) + id.toString(16).padStart(16, '0');
}

function rowIdOf(publicId: string): number | null {
  if (!/^[0-9a-f]{24}$/.test(publicId)) return null;
  const id = parseInt(publicId.slice(8), 16);
  return Number.isSafeInteger(id) && id > 0 && id <= 2_147_483_647 ? id : null;
}

/**
 * INGInious' courses, tasks and submissions over the core: who sees which course and task, the
 * answers' checks, the one-waiting-submission rule, grading in the core for multiple-choice
 * tasks, task status and grades, and the course grade.
 */
export class TasksService {
  constructor(
    private readonly base: BaseServices,
    private readonly fileDefaults: FileDefaults,
  ) {}

  private get db() {
    return this.base.db;
  }

  private now(): Timestamp {
    return this.base.clock.now();
  }

  private accessTo(actor: Actor, course: CourseRow, roles: Map<number, string>): Access {
    const role = roles.get(course.id);
    const staff = actor.clearance >= Clearance.staff || course.checker_id === actor.id || role === 'checker' || role === 'instructor';
    const now = this.now();
    const accessible = !course.hidden && (course.start_at === null || now >= course.start_at) && (course.end_at === null || now < course.end_at);
    return { course, staff, open: staff || (role === 'student' && accessible) };
  }

  private registrable(course: CourseRow): boolean {
    const now = this.now();
    return (
      !course.hidden &&
      course.registration_open &&
      (course.registration_start_at === null || now >= course.registration_start_at) &&
      (course.registration_end_at === null || now < course.registration_end_at)
    );
  }

  /** Ids match case-insensitively (reference §1.1): the id as given, else in lower case (as imports store them). */
  private async courseRow(slug: string): Promise<CourseRow | null> {
    return (await repo.courseBySlug(this.db, slug)) ?? (slug === slug.toLowerCase() ? null : repo.courseBySlug(this.db, slug.toLowerCase()));
  }

  /** The course, when it is listed for the actor (open to them or open for registration); else 404. */
  private async course(actor: Actor, slug: string): Promise<Access> {
    const course = await this.courseRow(slug);
    if (!course) throw refuse('not_found', 'course_not_found');
    const access = this.accessTo(actor, course, await repo.rolesOf(this.db, actor.id));
    if (!access.open && !this.registrable(course)) throw refuse('not_found', 'course_not_found');
    return access;
  }

  private async registeredCourse(actor: Actor, slug: string): Promise<Access> {
    const access = await this.course(actor, slug);
    if (!access.open) throw refuse('forbidden', 'not_registered');
    return access;
  }

  /** Non-staff see a task once it is accessible and has started (reference §7 quirk 5). */
  private visible(task: TaskRow, staff: boolean): boolean {
    return staff || (!task.hidden && (task.start_at === null || this.now() >= task.start_at));
  }

  private async task(access: Access, slug: string): Promise<TaskRow> {
    const id = access.course.id;
    const task = (await repo.taskBySlug(this.db, id, slug)) ?? (slug === slug.toLowerCase() ? null : await repo.taskBySlug(this.db, id, slug.toLowerCase()));
    if (!task || !this.visible(task, access.staff)) throw refuse('not_found', 'task_not_found');
    return task;
  }

  // ---- courses ----

  async courses(actor: Actor, slug?: string): Promise<CourseView[]> {
    const roles = await repo.rolesOf(this.db, actor.id);
    const candidates = slug === undefined ? await repo.allCourses(this.db) : [await this.courseRow(slug)].filter((c) => c !== null);
    const listed = candidates.map((c) => this.accessTo(actor, c, roles)).filter((a) => a.open || this.registrable(a.course));
    if (slug !== undefined && listed.length === 0) throw refuse('not_found', 'course_not_found');
    const open = listed.filter((a) => a.open);
    const tasks = await repo.tasksOf(this.db, open.map((a) => a.course.id));
    const grades = await this.taskGrades(actor, tasks);
    return listed.map(({ course, staff, open: isOpen }) => {
      const view: CourseView = { id: course.slug, name: course.name, require_password: course.require_password, is_registered: isOpen };
      if (!isOpen) return view;
      const mine = tasks.filter((t) => t.course_id === course.id && this.visible(t, staff));
      view.tasks = Object.fromEntries(mine.map((t) => [t.slug, t.name]));
      const started = mine.filter((t) => t.start_at === null || this.now() >= t.start_at);
      const weight = started.reduce((sum, t) => sum + (t.weight ?? 1), 0);
      const total = started.reduce((sum, t) => sum + (t.weight ?? 1) * (grades.get(t.id)?.grade ?? 0), 0);
      view.grade = weight > 0 ? roundHalfEven(total / weight) : 0;
      return view;
    });
  }

  // ---- tasks ----

  async tasks(actor: Actor, courseSlug: string, taskSlug?: string): Promise<TaskView[]> {
    const access = await this.registeredCourse(actor, courseSlug);
    const tasks =
      taskSlug === undefined
        ? (await repo.tasksOf(this.db, [access.course.id])).filter((t) => this.visible(t, access.staff))
        : [await this.task(access, taskSlug)];
    const grades = await this.taskGrades(actor, tasks);
    return tasks.map((t) => {
      const problems = parseJson<ProblemDefinition[]>(t.problems, []);
      const { status, grade } = grades.get(t.id)!;
      return {
        id: t.slug,
        name: t.name,
        authors: parseJson<string[]>(t.authors, []),
        contact_url: t.contact_url ?? '',
        deadline: t.due_at ?? t.end_at,
        status,
        grade,
        context: t.context ?? t.description,
        problems: problems.map(publicProblem),
      };
    });
  }

  /** Each task's status and grade for the actor, per the task's evaluation mode (`best` or `last`). */
  private async taskGrades(actor: Actor, tasks: TaskRow[]): Promise<Map<number, { status: TaskStatus; grade: number }>> {
    const ids = tasks.map((t) => t.id);
    const submissions = await repo.submissionsBy(this.db, actor.id, ids);
    const states = await this.states(submissions);
    const viewed = await repo.viewedTasks(this.db, actor.id, ids);
    const out = new Map<number, { status: TaskStatus; grade: number }>();
    for (const t of tasks) {
      const mine = submissions.filter((s) => s.exercise_id === t.id);
      const done = mine.map((s) => states.get(s.id)!).filter((s) => s.status === 'done');
      if (mine.length === 0) {
        out.set(t.id, { status: viewed.has(t.id) ? 'notattempted' : 'notviewed', grade: 0 });
        continue;
      }
      // Newest first: `last` takes the first; `best` the highest grade, a success first among equals.
      const counted =
        t.evaluate === 'last'
          ? done[0]
          : done.reduce<(typeof done)[number] | undefined>((best, s) => {
              if (!best || s.grade > best.grade || (s.grade === best.grade && s.result === 'success' && best.result !== 'success')) return s;
              return best;
            }, undefined);
      out.set(t.id, { status: counted?.result === 'success' ? 'succeeded' : 'failed', grade: counted?.grade ?? 0 });
    }
    return out;
  }

  // ---- submissions ----

  private async states(submissions: Pick<SubmissionRow, 'id'>[]): Promise<Map<number, SubmissionState & { status: string }>> {
    const ids = submissions.map((s) => s.id);
    const [core, jobs] = await Promise.all([repo.coreResults(this.db, ids), repo.latestJobs(this.db, ids)]);
    return new Map(ids.map((id) => [id, core.has(id) ? stateOfCoreResult(core.get(id)!) : stateOfJob(jobs.get(id))]));
  }

  /** The actor's submissions on the task, newest first. */
  async submissions(actor: Actor, courseSlug: string, taskSlug: string, withInput: boolean): Promise<SubmissionView[]> {
    const access = await this.registeredCourse(actor, courseSlug);
    const task = await this.task(access, taskSlug);
    const rows = await repo.submissionsBy(this.db, actor.id, [task.id]);
    return this.views(rows, withInput);
  }

  async submission(actor: Actor, courseSlug: string, taskSlug: string, publicId: string, withInput: boolean): Promise<SubmissionView> {
    const access = await this.registeredCourse(actor, courseSlug);
    const task = await this.task(access, taskSlug);
    const id = rowIdOf(publicId);
    const row = id === null ? null : await repo.submissionById(this.db, id);
    if (!row || row.exercise_id !== task.id || row.user_id !== actor.id || publicSubmissionId(row.id, row.created_at) !== publicId) {
      throw refuse('not_found', 'submission_not_found');
    }
    return (await this.views([row], withInput))[0]!;
  }

  private async views(rows: SubmissionRow[], withInput: boolean): Promise<SubmissionView[]> {
    const states = await this.states(rows);
    return Promise.all(
      rows.map(async (r) => ({
        id: publicSubmissionId(r.id, r.created_at),
        submitted_on: r.created_at,
        state: states.get(r.id)!,
        ...(withInput ? { input: await this.input(r) } : {}),
      })),
    );
  }

  /** The stored input, file answers with their bytes. */
  private async input(row: SubmissionRow): Promise<Record<string, InputValue>> {
    const answers = parseJson<Record<string, unknown>>(row.answers, {});
    const entries = row.tree_id === null ? [] : await this.base.files.treeEntries(row.tree_id);
    const out: Record<string, InputValue> = {};
    for (const [key, value] of Object.entries(answers)) {
      const file = value as Partial<StoredFileAnswer> | null;
      const entry = file && typeof file === 'object' && typeof file.path === 'string' ? entries.find((e) => e.path === file.path) : undefined;
      out[key] = entry ? { filename: String(file!.filename ?? ''), content: await this.base.files.read(entry.blob) } : (value as InputValue);
    }
    return out;
  }

  /**
   * Hands in answers for a task, with the reference's checks in its order (§5.1): course, registration,
   * task, (marks the task viewed), the right to submit, the answers, the one waiting submission.
   */
  async submit(actor: Actor, courseSlug: string, taskSlug: string, raw: RawAnswers): Promise<{ id: string }> {
    const access = await this.registeredCourse(actor, courseSlug);
    const task = await this.task(access, taskSlug);
    await repo.markViewed(this.db, task.id, actor.id, this.now());
    if (!access.staff) await this.assertMaySubmit(actor, task);

    const problems = parseJson<ProblemDefinition[]>(task.problems, []);
    const complaints = answerProblems(problems, raw, this.fileDefaults);
    if (complaints.length > 0) {
      throw new AssayError('invalid', complaints.join('; '), { reason: 'invalid_arguments', fields: complaints.map((c) => ({ field: c.split(':')[0]!, code: 'invalid', message: c })) });
    }
    const answers = storedAnswers(problems, raw);
    const files: NewTreeFile[] = [];
    for (const p of problems) {
      const file = p.type === 'file' ? raw.files[p.id]?.[0] : undefined;
      if (file) files.push({ path: (answers[p.id] as StoredFileAnswer).path, blob: await this.base.files.store(file.data) });
    }
    const inCore = gradedInCore(problems);
    if (!inCore) await this.takePendingLock(task.id, actor.id);
    try {
      const attempts = await repo.countSince(this.db, task.id, actor.id, null);
      const input: Record<string, StoredAnswer | unknown> = {
        ...answers,
        '@username': actor.username,
        '@email': await repo.emailOf(this.db, actor.id),
        '@lang': 'en',
        // Upstream's str() of the submission time (the run script's `getinput @time` reads it too).
        '@time': formatInZone(this.now(), this.base.config.inginious.timezone),
        '@attempts': String(attempts + 1),
        '@random': [],
        '@state': '',
      };
      const submission = await this.base.submissions.submit(actor, task.id, { files, answers: input });
      if (inCore) {
        const result = gradeInCore(problems, answers);
        await this.db.transaction().execute((tx) =>
          repo.recordCoreResult(tx, submission.id, { json: JSON.stringify(result), feedback: result.feedback, points: result.grade, passing: result.result === 'success' }, this.now()),
        );
      } else {
        await repo.setPendingSubmission(this.db, task.id, actor.id, submission.id);
      }
      return { id: publicSubmissionId(submission.id, submission.created_at) };
    } catch (err) {
      if (!inCore) await repo.dropPending(this.db, task.id, actor.id);
      if (err instanceof AssayError && err.kind === 'forbidden') throw refuse('forbidden', 'not_allowed_to_submit');
      throw err;
    }
  }

  /** Course closed, task not accessible now, or the submission limit used up (reference §5.1 step 5). */
  private async assertMaySubmit(actor: Actor, task: TaskRow): Promise<void> {
    const now = this.now();
    if (task.hidden || (task.start_at !== null && now < task.start_at) || (task.end_at !== null && now >= task.end_at)) throw refuse('forbidden', 'not_allowed_to_submit');
    const amount = task.submission_amount ?? -1;
    if (amount < 0) return;
    const period = task.submission_period ?? -1;
    const since = period > 0 ? addSeconds(now, -period * 3600) : null;
    if ((await repo.countSince(this.db, task.id, actor.id, since)) >= amount) throw refuse('forbidden', 'not_allowed_to_submit');
  }

  /**
   * Takes the task's one waiting-submission slot for the user, or refuses with a conflict: the
   * slot is free when its submission is graded (or errored), or when it names none and is old
   * (a request that crashed between taking it and submitting).
   */
  private async takePendingLock(exerciseId: number, userId: number): Promise<void> {
    const held = await repo.pendingOf(this.db, exerciseId, userId);
    if (held) {
      let busy: boolean;
      if (held.submission_id === null) busy = held.created_at > addSeconds(this.now(), -ORPHAN_LOCK_SECONDS);
      else busy = (await this.states([{ id: held.submission_id }])).get(held.submission_id)!.status === 'waiting';
      if (busy) throw refuse('conflict', 'pending');
      await repo.dropPending(this.db, exerciseId, userId, held.created_at);
    }
    try {
      await repo.takePending(this.db, exerciseId, userId, this.now());
    } catch (err) {
      // Another request took it first.
      if (fromDatabaseError(err)?.kind === 'conflict') throw refuse('conflict', 'pending');
      throw err;
    }
  }
}
