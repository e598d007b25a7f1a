import type { Db } from '../../db/database.ts';
import type { Actor } from '../actor.ts';
import type { LatenessService } from '../assessments/lateness.service.ts';
import type { Extension } from '../assessments/late-policy.ts';
import type { Clock } from '../clock.ts';
import { addSeconds } from '../clock.ts';
import type { Exercise, ExercisesService, TreeListing } from '../courses/exercises.service.ts';
import { isRowId } from '../courses/exercises.service.ts';
import type { Field, FieldsService } from '../courses/fields.service.ts';
import { canSee, visibleCourseIds } from '../courses/visibility.ts';
import { enrolmentsRepo } from '../enrolment/enrolments.repo.ts';
import { AssayError } from '../errors.ts';
import type { FilesService } from '../files/files.service.ts';
import type { ProgressAssignment } from './progress.repo.ts';
import { progressRepo } from './progress.repo.ts';

export type CourseRoleName = 'student' | 'checker' | 'instructor';

export interface CourseCard {
  id: number;
  slug: string;
  name: string;
  semester: string;
  role: CourseRoleName;
  /** Null when the course grants no grace days. */
  grace_days: number | null;
  grace_days_left: number | null;
}

/** An exercise with the caller's progress on it. */
export interface ExerciseProgress {
  id: number;
  slug: string;
  name: string;
  due_at: string | null;
  end_at: string | null;
  /** The assignment's status; null before the first submission. */
  status: string | null;
  score: number | null;
  max_score: number | null;
  submissions: number;
}

export interface DueItem extends ExerciseProgress {
  course: { id: number; name: string };
  extension_days: number | null;
  submissions_left: number | null;
}

export interface Curriculum {
  course: { id: number; slug: string; name: string; semester: string };
  subjects: { id: number; symbol: string; name: string; color: string; modules: { id: number; name: string; exercises: ExerciseProgress[] }[] }[];
  /** Exercises in no module. */
  unfiled: ExerciseProgress[];
}

export interface ExerciseOverview extends ExerciseProgress {
  course: { id: number; name: string };
  description: string;
  start_at: string | null;
  max_submissions: number | null;
  submissions_left: number | null;
  extension: Extension | null;
  limits: { max_upload_bytes: number; wall_seconds: number | null; memory_mb: number | null };
  fields: Field[];
  /** The starter files the caller may download ([] when none or not allowed). */
  handout: TreeListing[];
  latest_submission: number | null;
}

const byDeadline = (a: { due_at: string | null; id: number }, b: { due_at: string | null; id: number }) =>
  (a.due_at ?? '').localeCompare(b.due_at ?? '') || a.id - b.id;

/**
 * What a student sees of their own progress: their courses and what is due next across them, a
 * course's curriculum with their status and score per exercise, one exercise before handing in.
 * Read from the core's tables, whatever dialect the submissions came through; visibility is the
 * courses' and exercises' own rules.
 */
export class ProgressService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly exercises: ExercisesService,
    private readonly fields: FieldsService,
    private readonly files: FilesService,
    private readonly lateness: LatenessService,
    private readonly maxUploadBytes: number,
  ) {}

  /** The actor's courses (enrolled in, or checking) and, across the ones they study, the open exercises by deadline. */
  async home(actor: Actor): Promise<{ courses: CourseCard[]; due: DueItem[] }> {
    const roles = new Map<number, CourseRoleName>();
    for (const e of await enrolmentsRepo.currentEnrolments(this.db, actor.id)) roles.set(e.course_id, e.role as CourseRoleName);
    for (const id of await enrolmentsRepo.checkedCourseIds(this.db, actor.id)) if (!roles.has(id)) roles.set(id, 'checker');
    const visible = await visibleCourseIds(this.db, actor);
    const courseIds = [...roles.keys()].filter((id) => canSee(visible, id));
    const courses: CourseCard[] = [];
    const due: DueItem[] = [];
    const now = this.clock.now();
    for (const course of await progressRepo.courses(this.db, courseIds)) {
      const role = roles.get(course.id)!;
      if (role !== 'student') {
        courses.push({ ...course, role, grace_days: null, grace_days_left: null });
        continue;
      }
      const standing = await this.lateness.standing(actor, course.id);
      courses.push({ ...course, role, grace_days: standing.graceDays || null, grace_days_left: standing.graceDaysLeft });
      const exercises = (await this.exercises.list(actor, { courseIds: [course.id] })).filter((e) => e.due_at !== null && !e.is_lecture);
      for (const p of await this.progressOf(actor, exercises)) {
        const exercise = exercises.find((e) => e.id === p.id)!;
        const extension = standing.extensions.get(p.id) ?? null;
        const closesAt = extension?.infinite ? null : shiftDays(exercise.end_at ?? exercise.due_at, extension?.days ?? 0);
        if ((closesAt !== null && closesAt <= now) || p.status === 'Done') continue;
        due.push({
          ...p,
          due_at: shiftDays(p.due_at, extension?.days ?? 0),
          course: { id: course.id, name: course.name },
          extension_days: extension ? extension.days : null,
          submissions_left: exercise.max_submissions === null ? null : Math.max(0, exercise.max_submissions - p.submissions),
        });
      }
    }
    return { courses, due: due.sort(byDeadline) };
  }

  /** A course's subjects, modules and exercises with the actor's progress; not found when the course is not theirs to see. */
  async curriculum(actor: Actor, courseId: number): Promise<Curriculum> {
    if (!isRowId(courseId) || !canSee(await visibleCourseIds(this.db, actor), courseId)) throw AssayError.notFound();
    const [course] = await progressRepo.courses(this.db, [courseId]);
    if (!course) throw AssayError.notFound();
    const exercises = await this.exercises.list(actor, { courseIds: [courseId] });
    const progress = new Map((await this.progressOf(actor, exercises)).map((p) => [p.id, p]));
    const out: Curriculum = { course, subjects: [], unfiled: [] };
    const ordered = [...exercises].sort(
      (a, b) =>
        (a.subject_symbol ?? '').localeCompare(b.subject_symbol ?? '') ||
        (a.subject_id ?? 0) - (b.subject_id ?? 0) ||
        (a.module_order ?? '').localeCompare(b.module_order ?? '', undefined, { numeric: true }) ||
        (a.module_id ?? 0) - (b.module_id ?? 0) ||
        a.order.localeCompare(b.order, undefined, { numeric: true }) ||
        a.id - b.id,
    );
    for (const e of ordered) {
      const p = progress.get(e.id)!;
      if (e.module_id === null || e.subject_id === null) {
        out.unfiled.push(p);
        continue;
      }
      let subject = out.subjects.find((s) => s.id === e.subject_id);
      if (!subject) out.subjects.push((subject = { id: e.subject_id, symbol: e.subject_symbol ?? '', name: e.subject_name ?? '', color: e.subject_color ?? '', modules: [] }));
      let module = subject.modules.find((m) => m.id === e.module_id);
      if (!module) subject.modules.push((module = { id: e.module_id, name: e.module_name ?? '', exercises: [] }));
      module.exercises.push(p);
    }
    return out;
  }

  /** One exercise as the actor hands in to it: description, deadlines, limits, submissions left, fields, handout. */
  async exercise(actor: Actor, exerciseId: number): Promise<ExerciseOverview> {
    const exercise = await this.exercises.get(actor, exerciseId);
    const [progress] = await this.progressOf(actor, [exercise]);
    const [standing, fields, limits, handout] = await Promise.all([
      this.lateness.standing(actor, exercise.course_id),
      this.fields.list(actor, exercise.id),
      progressRepo.graderLimits(this.db, exercise.id),
      this.handout(actor, exercise.id),
    ]);
    const staffSide = await this.exercises.isStaffSide(actor, exercise);
    const extension = standing.extensions.get(exercise.id) ?? null;
    const assignment = (await progressRepo.assignments(this.db, actor.id, [exercise.id]))[0];
    return {
      ...progress!,
      course: { id: exercise.course_id, name: exercise.course_name },
      description: exercise.description,
      start_at: exercise.start_at,
      max_submissions: exercise.max_submissions,
      submissions_left: staffSide || exercise.max_submissions === null ? null : Math.max(0, exercise.max_submissions - progress!.submissions),
      extension,
      limits: { max_upload_bytes: this.maxUploadBytes, wall_seconds: limits?.wall_seconds ?? null, memory_mb: limits?.memory_mb ?? null },
      // The inputs students fill (staff-only ones, such as the AutoCheck report, are not a form field).
      fields: fields.filter((f) => f.hanich_responses),
      handout,
      latest_submission: assignment?.latest_submission_id ?? null,
    };
  }

  private async handout(actor: Actor, exerciseId: number): Promise<TreeListing[]> {
    try {
      const { treeId } = await this.exercises.handoutTree(actor, exerciseId);
      return (await this.files.treeEntries(treeId)).map((e) => ({ path: e.path, size: e.size, sha256: e.blob, md5: e.md5 }));
    } catch (e) {
      // No handout, or students may not download it: nothing to list.
      if (e instanceof AssayError && (e.kind === 'not_found' || e.kind === 'forbidden')) return [];
      throw e;
    }
  }

  /** The actor's status, score and submission count on each exercise (in the order given). */
  private async progressOf(actor: Actor, exercises: Exercise[]): Promise<ExerciseProgress[]> {
    const ids = exercises.map((e) => e.id);
    const assignments = new Map<number, ProgressAssignment>((await progressRepo.assignments(this.db, actor.id, ids)).map((a) => [a.exercise_id, a]));
    const latest = [...assignments.values()].flatMap((a) => (a.latest_submission_id === null ? [] : [a.latest_submission_id]));
    const [scores, maxScores] = await Promise.all([progressRepo.scores(this.db, latest), progressRepo.maxScores(this.db, ids)]);
    return exercises.map((e) => {
      const a = assignments.get(e.id);
      return {
        id: e.id,
        slug: e.slug,
        name: e.name,
        due_at: e.due_at,
        end_at: e.end_at,
        status: a ? a.status : null,
        score: a?.latest_submission_id ? (scores.get(a.latest_submission_id) ?? null) : null,
        max_score: maxScores.get(e.id) ?? null,
        submissions: a?.submissions ?? 0,
      };
    });
  }
}

/** A deadline moved by an extension's days. */
const shiftDays = (at: string | null, days: number): string | null => (at === null || days === 0 ? at : addSeconds(at, days * 86_400));
