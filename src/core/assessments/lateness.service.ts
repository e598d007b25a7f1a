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
    const courseRow = await assessmentsRepo.courseById(this.db, exercise.course_id);
    if (!courseRow) throw AssayError.notFound();
    const course = toCourse(courseRow);
    const assessments = (await assessmentsRepo.assessmentsOf(this.db, course.id)).map((r) => toAssessment(r, course));
    const handins = await scoresRepo.lastHandins(this.db, course.id);
    const extensions = await peopleRepo.extensionsInCourse(this.db, course.id);
    const extensionOf = (exId: number, userId: number): Extension | null => {
      const x = extensions.find((e) => e.exercise_id === exId && e.user_id === userId);
      return x ? { days: x.days, infinite: Boolean(x.infinite) } : null;
    };
    const submitters = [...new Set(handins.filter((h) => h.exercise_id === exercise.id).map((h) => h.user_id!))].filter((id) => manager || id === actor.id);
    const users = await peopleRepo.usersByIds(this.db, submitters);
    return users.map((u) => {
      const ledger = graceLedger(
        assessments.map((a) => ({
          exerciseId: a.id,
          window: extendedWindow(a.window, extensionOf(a.id, u.id)),
          maxGraceDays: a.max_grace_days,
          lastHandinAt: handins.find((h) => h.exercise_id === a.id && h.user_id === u.id)?.last ?? null,
        })),
        course.grace_days,
        course.late_slack,
      );
      const spent = [...ledger.values()].reduce((sum, c) => sum + c.graceDays, 0);
      return { user: u.id, username: u.username, email: u.email, ...ledger.get(exercise.id)!, graceDaysLeft: course.grace_days - spent, extension: extensionOf(exercise.id, u.id) };
    });
  }
}
