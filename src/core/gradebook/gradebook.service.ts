import type { Db } from '../../db/database.ts';
import type { CourseRole } from '../actor.ts';
import { assessmentsRepo } from '../assessments/assessments.repo.ts';
import { toAssessment, toCourse } from '../assessments/assessments.service.ts';
import type { Extension, LateCharge } from '../assessments/late-policy.ts';
import { extendedWindow, graceLedger } from '../assessments/late-policy.ts';
import { peopleRepo } from '../assessments/people.repo.ts';
import { roleIn } from '../courses/visibility.ts';
import type { Caller, CourseRef } from '../enrolment/enrolment.service.ts';
import { OPERATOR } from '../enrolment/enrolment.service.ts';
import { enrolmentsRepo } from '../enrolment/enrolments.repo.ts';
import { AssayError } from '../errors.ts';
import type { GradebookExerciseRow } from './gradebook.repo.ts';
import { gradebookRepo } from './gradebook.repo.ts';
import { gradebookPolicy } from './policy.ts';

/** A gradebook column: one exercise of the course (lectures have none). */
export interface GradebookExercise {
  id: number;
  slug: string;
  name: string;
  due_at: string | null;
  /** The sum of its problems' maximums; null without problems. */
  max_score: number | null;
}

/** One student on one exercise. */
export interface GradebookCell {
  /** The assignment's status; null before the first submission. */
  status: string | null;
  /** The latest submission's score, as the student's own pages show it (its latest released feedback with points). */
  score: number | null;
  submissions: number;
  latest_submission: number | null;
  /** The latest submission's time (the handin lateness is counted from). */
  submitted_at: string | null;
  /** Started days past the due date (after the late slack and any extension) of that handin. */
  days_late: number;
  grace_days: number;
  penalty_days: number;
  extension: Extension | null;
}

export interface GradebookStudent {
  id: number;
  username: string;
  email: string;
  first_name: string;
  last_name: string;
  section: string;
  /** The sum of the scores shown. */
  total: number;
  /** The course's grace days this student has not spent; null when the course grants none. */
  grace_days_left: number | null;
  /** One per exercise, in the order of `exercises`. */
  cells: GradebookCell[];
}

export interface Gradebook {
  course: { id: number; slug: string; name: string; grace_days: number };
  exercises: GradebookExercise[];
  students: GradebookStudent[];
}

/** Timestamps are stored in one canonical UTC form, so comparing them as text compares them in time. */
const NO_CHARGES = new Map<number, LateCharge>();

const numeric = (a: string | null, b: string | null) => (a ?? '').localeCompare(b ?? '', undefined, { numeric: true });

/** The curriculum's order: subject, module, the exercise's own order, id; exercises in no module last. */
function curriculumOrder(a: GradebookExerciseRow, b: GradebookExerciseRow): number {
  return (
    Number(a.module_id === null) - Number(b.module_id === null) ||
    (a.subject_symbol ?? '').localeCompare(b.subject_symbol ?? '') ||
    (a.subject_id ?? 0) - (b.subject_id ?? 0) ||
    numeric(a.module_order, b.module_order) ||
    (a.module_id ?? 0) - (b.module_id ?? 0) ||
    numeric(a.order, b.order) ||
    a.id - b.id
  );
}

/**
 * A course's gradebook: its students × its exercises, each cell the student's status, score,
 * lateness and extension as their own pages and the late policy count them. Course staff only
 * (staff, admins, the course's instructors); its checkers and students are refused, everyone else
 * is told the course does not exist. The whole course is read in a fixed number of queries.
 */
export class GradebookService {
  constructor(private readonly db: Db) {}

  async gradebook(caller: Caller, ref: CourseRef): Promise<Gradebook> {
    const found = 'slug' in ref && ref.slug === '' ? undefined : await enrolmentsRepo.course(this.db, ref);
    if (!found) throw AssayError.notFound('slug' in ref ? `No course "${ref.slug}".` : undefined);
    if (caller !== OPERATOR) {
      const role = (await roleIn(this.db, caller, found.id)) as CourseRole | null;
      if (!gradebookPolicy.seesCourse(caller, role)) throw AssayError.notFound();
      if (!gradebookPolicy.canRead(caller, role)) throw AssayError.forbidden();
    }
    return this.read(found.id);
  }

  /** One exercise's column of its course's gradebook (`exercise`: its id, or its slug in that course). */
  async exerciseSheet(caller: Caller, ref: CourseRef, exercise: number | string): Promise<{ gradebook: Gradebook; index: number }> {
    const gradebook = await this.gradebook(caller, ref);
    const index = gradebook.exercises.findIndex((e) => (typeof exercise === 'number' ? e.id === exercise : e.slug === exercise));
    if (index < 0) throw AssayError.notFound(`No exercise ${JSON.stringify(exercise)} in the course.`);
    return { gradebook, index };
  }

  /** The course of an exercise (for routes that name the exercise alone); not found when there is none. */
  async courseOfExercise(exerciseId: number): Promise<number> {
    const row = await assessmentsRepo.assessmentById(this.db, exerciseId);
    if (!row) throw AssayError.notFound();
    return row.course_id;
  }

  private async read(courseId: number): Promise<Gradebook> {
    const db = this.db;
    const [courseRow, students, exerciseRows, assessmentRows, assignments, candidates, maxScores, extensions] = await Promise.all([
      assessmentsRepo.courseById(db, courseId),
      gradebookRepo.students(db, courseId),
      gradebookRepo.exercises(db, courseId),
      assessmentsRepo.assessmentsOf(db, courseId),
      gradebookRepo.assignments(db, courseId),
      gradebookRepo.candidates(db, courseId),
      gradebookRepo.maxScores(db, courseId),
      peopleRepo.extensionsInCourse(db, courseId),
    ]);
    if (!courseRow) throw AssayError.notFound();
    const course = toCourse(courseRow);
    const ordered = exerciseRows.filter((e) => !e.is_lecture).sort(curriculumOrder);
    const windows = [...assessmentRows.map((r) => toAssessment(r, course))];
    const dueAt = new Map(assessmentRows.map((r) => [r.id, r.due_at]));

    // Each student's assignment per exercise: their own, else the oldest group they are a candidate of.
    const held = new Map<string, (typeof assignments)[number]>();
    const byId = new Map(assignments.map((a) => [a.id, a]));
    for (const a of assignments) if (a.user_id !== null) held.set(`${a.user_id}/${a.exercise_id}`, a);
    for (const m of candidates) {
      const a = byId.get(m.assignment_id);
      if (!a) continue;
      const key = `${m.user_id}/${a.exercise_id}`;
      const mine = held.get(key);
      if (!mine || (mine.user_id !== m.user_id && a.id < mine.id)) held.set(key, a);
    }
    const extensionOf = new Map(extensions.map((x) => [`${x.user_id}/${x.exercise_id}`, { days: x.days, infinite: Boolean(x.infinite) }]));

    const rows: GradebookStudent[] = students.map((student) => {
      // A handin at or before the due date is on time whatever the extension (which only moves it
      // later): the ledger is given only the others, so only they are parsed and counted.
      let late = false;
      const entries = windows.map((a) => {
        const at = held.get(`${student.id}/${a.id}`)?.latest_at ?? null;
        const maybeLate = at !== null && a.window.due_at !== null && at > a.window.due_at;
        late ||= maybeLate;
        return { exerciseId: a.id, window: a.window, maxGraceDays: a.max_grace_days, lastHandinAt: maybeLate ? at : null };
      });
      const ledger = late ? graceLedger(entries.map((e) => ({ ...e, window: extendedWindow(e.window, extensionOf.get(`${student.id}/${e.exerciseId}`) ?? null) })), course.grace_days, course.late_slack) : NO_CHARGES;
      let spent = 0;
      for (const charge of ledger.values()) spent += charge.graceDays;
      let total = 0;
      const cells = ordered.map((e): GradebookCell => {
        const key = `${student.id}/${e.id}`;
        const assignment = held.get(key);
        const score = assignment?.score == null ? null : Number(assignment.score);
        total += score ?? 0;
        const charge = ledger.get(e.id) ?? { daysLate: 0, graceDays: 0, penaltyDays: 0 };
        return {
          status: assignment?.status ?? null,
          score,
          submissions: assignment?.latest_number ?? 0,
          latest_submission: assignment?.latest_id ?? null,
          submitted_at: assignment?.latest_at ?? null,
          days_late: charge.daysLate,
          grace_days: charge.graceDays,
          penalty_days: charge.penaltyDays,
          extension: extensionOf.get(key) ?? null,
        };
      });
      return { ...student, total, grace_days_left: course.grace_days > 0 ? course.grace_days - spent : null, cells };
    });
    return {
      course: { id: courseRow.id, slug: courseRow.slug, name: courseRow.name, grace_days: course.grace_days },
      exercises: ordered.map((e) => ({ id: e.id, slug: e.slug, name: e.name, due_at: dueAt.get(e.id) ?? null, max_score: maxScores.get(e.id) ?? null })),
      students: rows,
    };
  }
}
