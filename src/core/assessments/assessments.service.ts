import type { Readable } from 'node:stream';
import type { Db } from '../../db/database.ts';
import type { Actor } from '../actor.ts';
import { Clearance } from '../actor.ts';
import type { Clock, Timestamp } from '../clock.ts';
import { parseTimestamp } from '../clock.ts';
import { coursesRepo } from '../courses/courses.repo.ts';
import type { ExercisesService } from '../courses/exercises.service.ts';
import { canManageCourse, canSee, visibleCourseIds } from '../courses/visibility.ts';
import type { FieldProblem } from '../errors.ts';
import { AssayError, fromDatabaseError } from '../errors.ts';
import type { FilesService } from '../files/files.service.ts';
import { enrol } from '../enrolment/enrolment-writes.ts';
import { usersRepo } from '../identity/users.repo.ts';
import { USERNAME_PATTERN } from '../identity/users.service.ts';
import { MAX_PROBLEM_NAME } from '../courses/problems.service.ts';
import type { AutolabRole, CourseState, Grant } from './access.ts';
import type { CourseProblem } from './access.ts';
import { assessmentRefusal, checkCourseAccess, checkGrant, courseState, refusals, roleInCourse } from './access.ts';
import type { AssessmentRecord, AssessmentSettingsPatch, CourseRecord, CourseSettingsPatch } from './assessments.repo.ts';
import { assessmentsRepo } from './assessments.repo.ts';
import { peopleRepo } from './people.repo.ts';
import type { AssessmentWindow } from './late-policy.ts';
import { isReleased, MAX_GRACE_DAYS, MAX_LATE_SLACK_SECONDS } from './late-policy.ts';

export interface AutolabCourse {
  id: number;
  name: string;
  display_name: string;
  semester: string;
  late_slack: number;
  grace_days: number;
  start_at: Timestamp | null;
  end_at: Timestamp | null;
  disabled: boolean;
  disable_on_end: boolean;
  version_threshold: number;
}

/** A caller inside a course: what every course-scoped use case starts from. */
export interface CourseContext {
  actor: Actor;
  course: AutolabCourse;
  role: AutolabRole;
}

export type FileFormat = 'none' | 'url' | 'file';

/** Autolab's settings of an assessment that the core's exercise has no column for. */
export type AssessmentSettings = Required<AssessmentSettingsPatch>;
export type CourseSettings = Required<CourseSettingsPatch>;

export interface Assessment {
  id: number;
  course_id: number;
  name: string;
  display_name: string;
  description: string | null;
  category_name: string;
  /** The dates Autolab shows: start defaults to creation, due and end stand in for each other. */
  window: AssessmentWindow;
  updated_at: Timestamp;
  /** -1: unlimited. */
  max_submissions: number;
  max_grace_days: number;
  disable_handins: boolean;
  group_size: number;
  allow_student_assign_group: boolean;
  max_unpenalized_submissions: number;
  handin_filename: string;
  max_size_mb: number;
  has_scoreboard: boolean;
  has_autograder: boolean;
  embedded_quiz: boolean;
  handout_format: FileFormat;
  writeup_format: FileFormat;
  handout_url: string | null;
  writeup_url: string | null;
}

export interface AssessmentProblem {
  id: number;
  name: string;
  description: string;
  max_score: number;
  optional: boolean;
  starred: boolean;
}

export type Download = { kind: 'none' } | { kind: 'url'; url: string } | { kind: 'file'; filename: string; body: Buffer | Readable };

export interface NewCourse {
  name: string;
  semester: string;
  instructorEmail: string;
  /** `YYYY-MM-DD`. */
  startDate?: string;
  endDate?: string;
}

export interface NewProblem {
  name: string;
  max_score: string | number;
  description?: string;
  optional?: boolean;
  starred?: boolean;
}

const COURSE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A course as Autolab sees it (settings defaults included). */
export function toCourse(row: CourseRecord): AutolabCourse {
  return {
    id: row.id,
    name: row.slug,
    display_name: row.name,
    semester: row.semester,
    late_slack: row.late_slack,
    grace_days: row.grace_days,
    start_at: row.start_at,
    end_at: row.end_at,
    disabled: Boolean(row.disabled),
    disable_on_end: Boolean(row.disable_on_end),
    version_threshold: Number(row.version_threshold),
  };
}

/** An exercise as Autolab sees it, in its course. */
export function toAssessment(row: AssessmentRecord, owner: AutolabCourse): Assessment {
  const end = row.end_at ?? row.due_at ?? owner.end_at;
  const threshold = row.version_threshold ?? owner.version_threshold;
  return {
    id: row.id,
    course_id: row.course_id,
    name: row.slug,
    display_name: row.name,
    description: row.description === '' ? null : row.description,
    category_name: row.module_name ?? 'General',
    window: { start_at: row.start_at ?? row.created_at, due_at: row.due_at ?? end, end_at: end },
    updated_at: row.updated_at,
    max_submissions: row.max_submissions ?? -1,
    max_grace_days: Number(row.max_grace_days),
    disable_handins: Boolean(row.disable_handins),
    group_size: Number(row.group_size),
    allow_student_assign_group: Boolean(row.allow_student_assign_group),
    max_unpenalized_submissions: Number(threshold),
    handin_filename: row.handin_filename,
    max_size_mb: Number(row.max_size_mb),
    has_scoreboard: Boolean(row.has_scoreboard),
    has_autograder: Boolean(row.has_autograder),
    embedded_quiz: Boolean(row.embedded_quiz),
    handout_format: row.handout_url ? 'url' : row.has_handout && row.download ? 'file' : 'none',
    writeup_format: row.writeup_url ? 'url' : row.has_preview && row.preview !== 'Disabled' ? 'file' : 'none',
    handout_url: row.handout_url,
    writeup_url: row.writeup_url,
  };
}

/** A name from a path: the exact one, else (Rails' format suffix) without a trailing `.json`. */
async function byName<T>(name: string, find: (n: string) => Promise<T | undefined>): Promise<T | undefined> {
  const exact = await find(name);
  if (exact !== undefined || !name.endsWith('.json')) return exact;
  return find(name.slice(0, -'.json'.length));
}

const baseName = (p: string) => p.split('/').pop()!;

/** The account with this email (or named so); else a new one, without a password, as upstream's quick_create does. */
async function accountFor(db: Db, email: string, now: Timestamp): Promise<number> {
  const known = (await peopleRepo.usersByEmail(db, email))[0] ?? (await usersRepo.byUsername(db, email));
  if (known) return known.id;
  return (await usersRepo.insert(db, { username: email, email, clearance: Clearance.student, status_date: now, created_at: now })).id;
}

/**
 * Autolab's courses, assessments and problems over the core's courses, exercises and problems:
 * who may enter a course (in Autolab's check order), what an assessment looks like, its files.
 */
export class AssessmentsService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly exercises: ExercisesService,
    private readonly files: FilesService,
  ) {}

  /** Checks of a request outside any course (`/user`, `/courses`): scope, then admin. */
  authorize(actor: Actor, grant: Grant): void {
    const refused = checkGrant(false, actor.clearance >= Clearance.admin, grant);
    if (refused) throw refused;
  }

  async profile(actor: Actor): Promise<{ first_name: string; last_name: string; email: string }> {
    const user = await usersRepo.byId(this.db, actor.id);
    if (!user) throw AssayError.notFound();
    return { first_name: user.first_name, last_name: user.last_name, email: user.email };
  }

  /** The caller's courses (every course, as instructor, for staff), sorted by display name, optionally in one state. */
  async listCourses(actor: Actor, state?: CourseState): Promise<(AutolabCourse & { auth_level: AutolabRole })[]> {
    const rows =
      actor.clearance >= Clearance.staff
        ? (await assessmentsRepo.allCourses(this.db)).map((c) => ({ course: c, role: null }))
        : await assessmentsRepo.coursesOf(this.db, actor.id);
    const now = this.clock.now();
    return rows
      .flatMap(({ course: row, role }) => {
        const level = roleInCourse(actor, role, row.checker_id);
        const c = toCourse(row);
        return level && (state === undefined || courseState(c, now) === state) ? [{ ...c, auth_level: level }] : [];
      })
      .sort((a, b) => (a.display_name < b.display_name ? -1 : a.display_name > b.display_name ? 1 : a.id - b.id));
  }

  /** `POST /courses`: the course, and its instructor (an account is made for an unknown email). */
  async createCourse(actor: Actor, input: NewCourse): Promise<AutolabCourse> {
    if (actor.clearance < Clearance.admin) throw refusals.notAdmin();
    const dates: (Timestamp | null)[] = [];
    for (const value of [input.startDate, input.endDate]) {
      if (value === undefined || value === '') {
        dates.push(null);
        continue;
      }
      const parsed = DATE.test(value) ? parseTimestamp(`${value}T00:00:00Z`) : null;
      if (!parsed) throw assessmentRefusal('invalid', 'invalid_date', { value });
      dates.push(parsed);
    }
    const problems: CourseProblem[] = [];
    if (input.name.trim() === '') problems.push('name_blank');
    else if (!COURSE_NAME.test(input.name)) problems.push('name_format');
    else if (await assessmentsRepo.courseBySlug(this.db, input.name)) problems.push('name_taken');
    if (input.semester.trim() === '') problems.push('semester_blank');
    if (dates[0] && dates[1] && dates[1] < dates[0]) problems.push('end_before_start');
    if (input.instructorEmail.trim() === '' || !USERNAME_PATTERN.test(input.instructorEmail)) problems.push('instructor_email_invalid');
    if (problems.length > 0) throw assessmentRefusal('invalid', 'course_invalid', { problems });
    const now = this.clock.now();
    const id = await this.db.transaction().execute(async (trx) => {
      const instructorId = await accountFor(trx, input.instructorEmail, now);
      const courseId = await coursesRepo.create(trx, { slug: input.name, name: input.name, semester: input.semester, start_at: dates[0]!, end_at: dates[1]!, created_at: now });
      await enrol(trx, { by: actor.id, at: now }, { courseId, userId: instructorId, role: 'instructor' });
      return courseId;
    }).catch((e: unknown) => {
      // Another request took the name (or the instructor's username) first.
      if (fromDatabaseError(e)?.kind === 'conflict') throw assessmentRefusal('invalid', 'course_invalid', { problems: ['name_taken'] satisfies CourseProblem[] });
      throw e;
    });
    return toCourse((await assessmentsRepo.courseById(this.db, id))!);
  }

  /** Enters a course by its name, with Autolab's checks in order (see access.ts). */
  async openCourse(actor: Actor, name: string, grant: Grant): Promise<CourseContext> {
    const row = await byName(name, (n) => assessmentsRepo.courseBySlug(this.db, n));
    if (!row) throw refusals.courseNotFound();
    const enrollment = actor.clearance >= Clearance.staff ? undefined : await assessmentsRepo.enrollmentRole(this.db, row.id, actor.id);
    const role = roleInCourse(actor, enrollment?.role ?? null, row.checker_id);
    const c = toCourse(row);
    const refused = checkCourseAccess(role, c, this.clock.now(), grant);
    if (refused) throw refused;
    return { actor, course: c, role: role! };
  }

  /** An assessment of the course; students do not find unreleased ones. */
  async openAssessment(ctx: CourseContext, name: string): Promise<Assessment> {
    const row = await byName(name, (n) => assessmentsRepo.assessmentBySlug(this.db, ctx.course.id, n));
    if (!row) throw refusals.assessmentNotFound();
    const found = toAssessment(row, ctx.course);
    if (ctx.role === 'student' && !isReleased(found.window, this.clock.now())) throw refusals.assessmentNotFound();
    return found;
  }

  /** The course's assessments by due date, then name; students see the released ones. */
  async listAssessments(ctx: CourseContext): Promise<Assessment[]> {
    const now = this.clock.now();
    const all = (await assessmentsRepo.assessmentsOf(this.db, ctx.course.id)).map((r) => toAssessment(r, ctx.course));
    const key = (a: Assessment) => a.window.due_at ?? '\uffff';
    return all
      .filter((a) => ctx.role !== 'student' || isReleased(a.window, now))
      .sort((a, b) => key(a).localeCompare(key(b)) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async problems(assessmentId: number): Promise<AssessmentProblem[]> {
    const rows = await assessmentsRepo.problemsOf(this.db, assessmentId);
    return rows.map((r) => ({ id: r.id, name: r.name, description: r.description, max_score: Number(r.max_score), optional: Boolean(r.optional), starred: Boolean(r.starred) }));
  }

  /** `POST …/problems` (instructors, checked by openCourse): a new problem at the end of the list. */
  async addProblem(target: Assessment, input: NewProblem): Promise<AssessmentProblem> {
    const unable = () => assessmentRefusal('invalid', 'problem_invalid');
    const score = typeof input.max_score === 'number' ? input.max_score : input.max_score.trim() === '' ? Number.NaN : Number(input.max_score);
    const name = input.name.trim();
    if (name === '' || [...name].length > MAX_PROBLEM_NAME || !Number.isFinite(score) || score < 0) throw unable();
    if ((await this.problems(target.id)).some((p) => p.name === name)) throw unable();
    const problem = { name, description: input.description ?? '', max_score: score, optional: input.optional ?? false, starred: input.starred ?? false };
    const id = await this.db.transaction().execute((trx) => assessmentsRepo.addProblem(trx, target.id, problem)).catch((e: unknown) => {
      // Another request created the same name first (unique per exercise).
      if (fromDatabaseError(e)?.kind === 'conflict') throw unable();
      throw e;
    });
    return { id, ...problem };
  }

  /** `set_group_settings` (instructors, checked by openCourse). */
  async setGroupSettings(target: Assessment, input: { group_size: number; allow_student_assign_group: boolean }): Promise<void> {
    if (!Number.isSafeInteger(input.group_size) || input.group_size < 1) throw assessmentRefusal('invalid', 'group_size_invalid');
    await this.db.transaction().execute((trx) => assessmentsRepo.saveAssessmentSettings(trx, target.id, input));
  }

  /** Autolab's settings of an exercise (defaults when never set), for the staff who manage its course. */
  async assessmentSettings(actor: Actor, exerciseId: number): Promise<AssessmentSettings> {
    const exercise = await this.exercises.getForWrite(actor, exerciseId);
    const row = (await assessmentsRepo.assessmentById(this.db, exercise.id))!;
    return {
      max_grace_days: Number(row.max_grace_days),
      disable_handins: Boolean(row.disable_handins),
      group_size: Number(row.group_size),
      allow_student_assign_group: Boolean(row.allow_student_assign_group),
      version_threshold: row.version_threshold,
      handin_filename: row.handin_filename,
      max_size_mb: Number(row.max_size_mb),
      has_scoreboard: Boolean(row.has_scoreboard),
      embedded_quiz: Boolean(row.embedded_quiz),
      handout_url: row.handout_url,
      writeup_url: row.writeup_url,
    };
  }

  /** Changes Autolab's settings of an exercise (keys left out stay as they are). */
  async configureAssessment(actor: Actor, exerciseId: number, patch: AssessmentSettingsPatch): Promise<AssessmentSettings> {
    const exercise = await this.exercises.getForWrite(actor, exerciseId);
    const problems: FieldProblem[] = [];
    const atLeast = (field: 'group_size' | 'max_grace_days' | 'max_size_mb', min: number) => {
      const v = patch[field];
      if (v !== undefined && (!Number.isSafeInteger(v) || v < min)) problems.push({ field, code: 'min_value', message: `Ensure this value is a whole number greater than or equal to ${min}.` });
    };
    atLeast('group_size', 1);
    atLeast('max_grace_days', 0);
    atLeast('max_size_mb', 1);
    const name = patch.handin_filename;
    if (name !== undefined && (name === '' || /[/\\\0]/.test(name) || name === '.' || name === '..')) {
      problems.push({ field: 'handin_filename', code: 'invalid', message: 'A file name without directories is required.' });
    }
    if (problems.length > 0) throw AssayError.invalid(problems);
    await this.db.transaction().execute((trx) => assessmentsRepo.saveAssessmentSettings(trx, exercise.id, patch));
    return this.assessmentSettings(actor, exercise.id);
  }

  /** Autolab's settings of a course, for the staff who manage it. */
  async courseSettings(actor: Actor, courseId: number): Promise<CourseSettings> {
    const row = await assessmentsRepo.courseById(this.db, courseId);
    if (!row || !canSee(await visibleCourseIds(this.db, actor), courseId)) throw AssayError.notFound();
    if (!(await canManageCourse(this.db, actor, courseId))) throw AssayError.forbidden();
    const c = toCourse(row);
    return { disabled: c.disabled, disable_on_end: c.disable_on_end, version_threshold: c.version_threshold, grace_days: c.grace_days, late_slack: c.late_slack };
  }

  /** Changes Autolab's settings of a course (keys left out stay as they are). */
  async configureCourse(actor: Actor, courseId: number, patch: CourseSettingsPatch): Promise<CourseSettings> {
    await this.courseSettings(actor, courseId);
    const problems: FieldProblem[] = [];
    for (const [field, max] of [['grace_days', MAX_GRACE_DAYS], ['late_slack', MAX_LATE_SLACK_SECONDS]] as const) {
      const v = patch[field];
      if (v !== undefined && (!Number.isSafeInteger(v) || v < 0 || v > max)) problems.push({ field, code: 'invalid', message: `Ensure this value is a whole number from 0 to ${max}.` });
    }
    if (problems.length > 0) throw AssayError.invalid(problems);
    await this.db.transaction().execute((trx) => assessmentsRepo.saveCourseSettings(trx, courseId, patch));
    return this.courseSettings(actor, courseId);
  }

  /**
   * The handout (the exercise's starter files: one file as itself, several as a zip) or the
   * writeup (the exercise's statement preview), as a URL, a file or nothing.
   */
  async download(ctx: CourseContext, target: Assessment, which: 'handout' | 'writeup'): Promise<Download> {
    const format = which === 'handout' ? target.handout_format : target.writeup_format;
    const url = which === 'handout' ? target.handout_url : target.writeup_url;
    if (format === 'url' && url) return { kind: 'url', url };
    if (format === 'none') return { kind: 'none' };
    if (which === 'writeup') {
      const { entry } = await this.exercises.previewFile(ctx.actor, target.id, 'preview');
      return { kind: 'file', filename: baseName(entry.path), body: this.files.open(entry.blob) };
    }
    const { treeId } = await this.exercises.handoutTree(ctx.actor, target.id);
    const entries = await this.files.treeEntries(treeId);
    if (entries.length === 1) return { kind: 'file', filename: baseName(entries[0]!.path), body: this.files.open(entries[0]!.blob) };
    return { kind: 'file', filename: `${target.name}-handout.zip`, body: await this.files.zipTree(treeId) };
  }
}
