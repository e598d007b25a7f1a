import type { Db } from '../../db/database.ts';
import type { Actor } from '../actor.ts';
import type { ExercisesService } from '../courses/exercises.service.ts';
import { canManageCourse } from '../courses/visibility.ts';
import { AssayError } from '../errors.ts';
import { assessmentsRepo } from './assessments.repo.ts';
import { toAssessment, toCourse } from './assessments.service.ts';
import type { Extension, LateCharge } from './late-policy.ts';
import { extendedWindow, graceLedger } from './late-policy.ts';
import { peopleRepo } from './people.repo.ts';
import { scoresRepo } from './scores.repo.ts';

export interface LatenessEntry extends LateCharge {
  user: number;
  username: string;
  email: string;
  /** The course's grace days this student has not spent (on any assessment). */
  graceDaysLeft: number;
  extension: Extension | null;
}

/**
 * Grace days and penalty days of each submitter of an assessment: their latest handin on every
 * assessment of the course, after their extensions, charged in due-date order against the
 * course's grace days (each assessment capped by its own maximum), with the course's late slack.
 * Staff who manage the course see everyone; a student sees their own.
 */
export class LatenessService {
  constructor(
    private readonly db: Db,
    private readonly exercises: ExercisesService,
  ) {}

  async report(actor: Actor, exerciseId: number): Promise<LatenessEntry[]> {
    const exercise = await this.exercises.get(actor, exerciseId);
    const manager = await canManageCourse(this.db, actor, exercise.course_id);
    const { course, handins, extensionOf, ledgerOf } = await this.courseLedgers(exercise.course_id);
    const submitters = [...new Set(handins.filter((h) => h.exercise_id === exercise.id).map((h) => h.user_id!))].filter((id) => manager || id === actor.id);
    const users = await peopleRepo.usersByIds(this.db, submitters);
    return users.map((u) => {
      const ledger = ledgerOf(u.id);
      const spent = [...ledger.values()].reduce((sum, c) => sum + c.graceDays, 0);
      return { user: u.id, username: u.username, email: u.email, ...ledger.get(exercise.id)!, graceDaysLeft: course.grace_days - spent, extension: extensionOf(exercise.id, u.id) };
    });
  }

  /**
   * The actor's own standing in a course they can see: the course's grace days they have not
   * spent (null when the course grants none) and their extensions, by exercise.
   */
  async standing(actor: Actor, courseId: number): Promise<{ graceDays: number; graceDaysLeft: number | null; extensions: Map<number, Extension> }> {
    const courseRow = await assessmentsRepo.courseById(this.db, courseId);
    if (!courseRow) throw AssayError.notFound();
    const mineOf = (extensions: { user_id: number; exercise_id: number; days: number; infinite: unknown }[]) =>
      new Map(extensions.filter((e) => e.user_id === actor.id).map((e) => [e.exercise_id, { days: e.days, infinite: Boolean(e.infinite) }]));
    // Without grace days there is no ledger to keep: the extensions alone.
    if (courseRow.grace_days === 0) return { graceDays: 0, graceDaysLeft: null, extensions: mineOf(await peopleRepo.extensionsInCourse(this.db, courseId)) };
    const { course, extensions, ledgerOf } = await this.courseLedgers(courseId);
    const mine = mineOf(extensions);
    const spent = [...ledgerOf(actor.id).values()].reduce((sum, c) => sum + c.graceDays, 0);
    return { graceDays: course.grace_days, graceDaysLeft: course.grace_days - spent, extensions: mine };
  }

  /** A course's assessments, latest handins and extensions, and each submitter's charges against its grace days. */
  private async courseLedgers(courseId: number) {
    const courseRow = await assessmentsRepo.courseById(this.db, courseId);
    if (!courseRow) throw AssayError.notFound();
    const course = toCourse(courseRow);
    const assessments = (await assessmentsRepo.assessmentsOf(this.db, course.id)).map((r) => toAssessment(r, course));
    const handins = await scoresRepo.lastHandins(this.db, course.id);
    const extensions = await peopleRepo.extensionsInCourse(this.db, course.id);
    const extensionOf = (exId: number, userId: number): Extension | null => {
      const x = extensions.find((e) => e.exercise_id === exId && e.user_id === userId);
      return x ? { days: x.days, infinite: Boolean(x.infinite) } : null;
    };
    const ledgerOf = (userId: number) =>
      graceLedger(
        assessments.map((a) => ({
          exerciseId: a.id,
          window: extendedWindow(a.window, extensionOf(a.id, userId)),
          maxGraceDays: a.max_grace_days,
          lastHandinAt: handins.find((h) => h.exercise_id === a.id && h.user_id === userId)?.last ?? null,
        })),
        course.grace_days,
        course.late_slack,
      );
    return { course, handins, extensions, extensionOf, ledgerOf };
  }
}
