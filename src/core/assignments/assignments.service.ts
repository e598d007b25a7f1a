import type { Db } from '../../db/database.ts';
import type { Actor } from '../actor.ts';
import { recordAudit } from '../audit/audit.ts';
import { Clearance } from '../actor.ts';
import type { Clock } from '../clock.ts';
import type { PatbasPolicy } from '../courses/exercise-access.ts';
import { maySeeSolution } from '../courses/exercise-access.ts';
import type { ExercisesService } from '../courses/exercises.service.ts';
import { isRowId } from '../courses/exercises.service.ts';
import { enrolmentsRepo } from '../enrolment/enrolments.repo.ts';
import { canManageCourse } from '../courses/visibility.ts';
import { AssayError, doesNotExist, fromDatabaseError } from '../errors.ts';
import { nestedNotifications } from '../notifications/nested.ts';
import type { NestedNotification } from '../notifications/nested.ts';
import { ThreadChanges } from '../threads/changes.ts';
import { lockThread, unlockThread } from '../threads/locks.ts';
import { setSubscribed, subscribedAmong } from '../threads/subscriptions.ts';
import { assignmentScope } from './assignment-visibility.ts';
import type { AssignmentRecord } from './assignments.repo.ts';
import { assignmentsRepo } from './assignments.repo.ts';
import type { ThreadUserFilters } from '../threads/user-filters.ts';
import { usersRepo } from '../identity/users.repo.ts';
import type { AssignmentStatus } from './status-flow.ts';
import { studentStatus } from './status-flow.ts';
import { assignmentPolicy } from './policy.ts';

/** One student's work on one exercise, as its reader may see it. */
export interface Assignment {
  id: number;
  user_id: number;
  exercise_id: number;
  course_id: number;
  checker_id: number | null;
  checker_first_name: string;
  checker_last_name: string;
  is_subscribed: boolean;
  /** The real status; a student reader gets the status they are shown. */
  status: AssignmentStatus;
  student_status: AssignmentStatus;
  patbas: boolean;
  description: string | null;
  submission_count: number;
  total_check_count: number;
  manual_check_count: number;
  notifications: NestedNotification[];
  last_staff_updated: string;
  flagged: boolean;
  work_time: number;
  timer: string | null;
}

export interface AssignmentFilters extends ThreadUserFilters {
  exerciseId?: number;
  moduleId?: number;
  subjectId?: number;
  tagIds?: number[];
  queueId?: number;
  /** Only assignments changed by staff after this time (the dashboards' incremental poll). */
  staffUpdatedAfter?: string;
}

/** Fields staff set directly; the counters are the core's and are never taken from clients. */
export interface AssignmentInput {
  assignment_status?: AssignmentStatus;
  student_assignment_status?: AssignmentStatus;
  description?: string | null;
  flagged?: boolean;
  timer?: string | null;
}

/** The staff dashboard's feed entry. */
export interface AssignmentNotice {
  id: number;
  user_id: number;
  user_name: string;
  exercise_id: number;
  module_id: number | null;
  subject_id: number | null;
  last_staff_updated: string;
}

const UNIQUE_PAIR = 'The fields user, exercise must make a unique set.';
const ASSIGNEE_OUTSIDE_COURSE = "The user is not enrolled in the exercise's course.";

export const fullName = (u: { first_name: string; last_name: string; username: string }): string =>
  `${u.first_name} ${u.last_name}`.trim() || u.username;

/**
 * Assignments: read by their student and by the course's grading side (checkers of the course,
 * staff, admins), created and changed by the grading side, moved along by responses
 * (responses.service.ts). Invisible ids are not found.
 */
export class AssignmentsService {
  /** Announces committed changes others may be showing (a lock, a status): the inbox's live events. */
  readonly changes = new ThreadChanges();

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly exercises: ExercisesService,
  ) {}

  private scope(actor: Actor) {
    return assignmentScope(this.db, actor);
  }

  private async render(actor: Actor, rows: AssignmentRecord[]): Promise<Assignment[]> {
    const ids = rows.map((r) => r.id);
    const subscribed = await subscribedAmong(this.db, actor.id, 'assignment', ids);
    const notifications = await nestedNotifications(this.db, 'assignment', ids, actor.id);
    const studentReader = actor.clearance < Clearance.checker;
    return rows.map((r) => {
      const real = r.status as AssignmentStatus;
      const shown = studentStatus(real, r.student_status as AssignmentStatus | null);
      return {
        id: r.id,
        user_id: r.user_id!,
        exercise_id: r.exercise_id,
        course_id: r.course_id,
        checker_id: r.checker_id,
        checker_first_name: r.checker_first_name ?? '',
        checker_last_name: r.checker_last_name ?? '',
        is_subscribed: subscribed.has(r.id),
        status: studentReader ? shown : real,
        student_status: shown,
        // Whether the assignment's student may see the solution under the exercise's policy.
        patbas: maySeeSolution({ staffSide: false, done: shown === 'Done' }, { patbas: r.patbas_policy as PatbasPolicy }),
        description: r.description,
        submission_count: r.submission_count,
        total_check_count: r.total_check_count,
        manual_check_count: r.manual_check_count,
        notifications: notifications.get(r.id) ?? [],
        last_staff_updated: r.last_staff_updated,
        flagged: r.flagged,
        work_time: r.work_time,
        timer: r.timer,
      };
    });
  }

  async list(actor: Actor, filters: AssignmentFilters = {}): Promise<Assignment[]> {
    const ids = (n: number | undefined) => n !== undefined && !isRowId(n);
    if (ids(filters.exerciseId) || ids(filters.moduleId) || ids(filters.subjectId) || ids(filters.queueId)) return [];
    const { tagIds: askedTags, queueId, ...query } = filters;
    const tagIds = askedTags?.filter(isRowId);
    if (tagIds?.length === 0) return [];
    // The queue's exercises, as the exercise list's own `queue__id` filter finds them.
    const exerciseIds = queueId === undefined ? undefined : (await this.exercises.list(actor, { queueId })).map((e) => e.id);
    if (exerciseIds?.length === 0) return [];
    return this.render(actor, await assignmentsRepo.list(this.db, await this.scope(actor), { ...query, ...(tagIds ? { tagIds } : {}), ...(exerciseIds ? { exerciseIds } : {}) }));
  }

  async get(actor: Actor, id: number): Promise<Assignment> {
    if (!isRowId(id)) throw AssayError.notFound();
    const row = await assignmentsRepo.byId(this.db, await this.scope(actor), id);
    if (!row) throw AssayError.notFound();
    return (await this.render(actor, [row]))[0]!;
  }

  /** The assignment when the actor grades it: not found if invisible, forbidden for students. */
  async getForGrading(actor: Actor, id: number): Promise<Assignment> {
    const assignment = await this.get(actor, id);
    if (!assignmentPolicy.mayGrade(actor)) throw AssayError.forbidden();
    return assignment;
  }

  async create(actor: Actor, input: AssignmentInput & { user: number; exercise: number }): Promise<Assignment> {
    if (!assignmentPolicy.mayGrade(actor)) throw AssayError.forbidden();
    const problems = [];
    const exercise = await this.exercises.get(actor, input.exercise).catch(() => null);
    if (!exercise) problems.push(doesNotExist('exercise', input.exercise));
    const user = isRowId(input.user) ? await usersRepo.byId(this.db, input.user) : undefined;
    if (!user) problems.push(doesNotExist('user', input.user));
    if (problems.length > 0) throw AssayError.invalid(problems);
    // Whoever creates it, an assignment is work of the exercise's course: its student must belong there.
    if (!(await enrolmentsRepo.belongsToCourse(this.db, input.user, exercise!.course_id))) throw AssayError.field('user', 'invalid', ASSIGNEE_OUTSIDE_COURSE);
    const now = this.clock.now();
    try {
      const id = await this.db.transaction().execute((trx) =>
        assignmentsRepo.insertWithCandidate(trx, {
          exercise_id: input.exercise,
          user_id: input.user,
          status: input.assignment_status ?? 'New',
          student_status: input.student_assignment_status ?? null,
          description: input.description ?? null,
          flagged: input.flagged ?? false,
          timer: input.timer ?? null,
          last_staff_updated: now,
          created_at: now,
          updated_at: now,
        }),
      );
      return this.get(actor, id);
    } catch (e) {
      const mapped = fromDatabaseError(e);
      if (mapped?.details.fields?.[0]?.code === 'unique') throw AssayError.field(null, 'unique', UNIQUE_PAIR);
      throw mapped ?? e;
    }
  }

  async update(actor: Actor, id: number, input: AssignmentInput): Promise<Assignment> {
    await this.getForGrading(actor, id);
    const now = this.clock.now();
    await this.db.transaction().execute(async (trx) => {
      // The assignment's status is Hive's grade of it: a change goes to the audit trail.
      const before = input.assignment_status !== undefined ? await assignmentsRepo.statusOf(trx, id) : null;
      await assignmentsRepo.update(trx, id, {
        ...(input.assignment_status !== undefined ? { status: input.assignment_status } : {}),
        ...(input.student_assignment_status !== undefined ? { student_status: input.student_assignment_status } : {}),
        ...(input.description !== undefined ? { description: input.description } : {}),
        ...(input.flagged !== undefined ? { flagged: input.flagged } : {}),
        ...(input.timer !== undefined ? { timer: input.timer } : {}),
        last_staff_updated: now,
        updated_at: now,
      });
      if (input.assignment_status !== undefined) await recordAudit(trx, [{ kind: 'grade', actorId: actor.id, on: { assignment: id }, field: 'status', before, after: input.assignment_status, at: now }]);
    });
    await this.changes.announce({ kind: 'assignment', id });
    return this.get(actor, id);
  }

  /** Staff and the course's instructors; its responses, submissions and notifications go with it. */
  async delete(actor: Actor, id: number): Promise<void> {
    const assignment = await this.getForGrading(actor, id);
    if (!(await canManageCourse(this.db, actor, assignment.course_id))) throw AssayError.forbidden();
    await this.db.transaction().execute((trx) => assignmentsRepo.deleteWithDependents(trx, id));
  }

  async lock(actor: Actor, id: number): Promise<void> {
    await this.getForGrading(actor, id);
    await lockThread(this.db, { kind: 'assignment', id }, actor, this.clock.now());
    await this.changes.announce({ kind: 'assignment', id });
  }

  async unlock(actor: Actor, id: number): Promise<void> {
    await this.getForGrading(actor, id);
    await unlockThread(this.db, { kind: 'assignment', id }, actor);
    await this.changes.announce({ kind: 'assignment', id });
  }

  async subscribe(actor: Actor, id: number, on: boolean): Promise<void> {
    await this.get(actor, id);
    await setSubscribed(this.db, actor.id, { kind: 'assignment', id }, on);
  }

  /** Recently changed assignments for staff dashboards, the most recent first. */
  async latest(actor: Actor, filters: AssignmentFilters & { id?: number } = {}): Promise<AssignmentNotice[]> {
    if (!assignmentPolicy.mayGrade(actor)) throw AssayError.forbidden();
    if (filters.id !== undefined && !isRowId(filters.id)) return [];
    const rows = await assignmentsRepo.latest(this.db, await this.scope(actor), filters);
    return rows.map((r) => ({
      id: r.id,
      user_id: r.user_id!,
      user_name: fullName(r),
      exercise_id: r.exercise_id,
      module_id: r.module_id,
      subject_id: r.subject_id,
      last_staff_updated: r.last_staff_updated,
    }));
  }
}
