import type { Db } from '../../db/database.ts';
import type { Clock } from '../clock.ts';
import type { AssignmentStatus } from '../assignments/status-flow.ts';
import { studentStatus } from '../assignments/status-flow.ts';
import { flattenQueue } from './flatten.ts';
import { pathRepo } from './path.repo.ts';
import type { QueueChoice } from './path.ts';
import { chooseCurrent, effectiveQueueId, walkPath } from './path.ts';

/** One open exercise of the student's path, with its assignment (Hive's AssignmentOptionHanich). */
export interface PathOption {
  assignment_id: number;
  exercise_id: number;
  exercise_name: string;
  module_id: number | null;
  module_name: string | null;
  subject_id: number | null;
  subject_symbol: string | null;
  subject_color: string | null;
  /** The status the student is shown. */
  status: AssignmentStatus;
}

/** A path as it stands, by assignment ids only (the CourseUser view). */
export interface PathGlance {
  currentAssignmentId: number | null;
  options: number[];
}

export interface StudentPath {
  queueId: number | null;
  currentAssignmentId: number | null;
  options: PathOption[];
}

/**
 * Brings a student's path up to date and reports it. The path is evaluated when it is read
 * (`users/me`, the user views), so a submission or a grade moves the student on at their next
 * read without any hook in the response flow: the open exercises get their assignments (New)
 * if they have none yet, and `current_assignment` stays the student's pick while it is open,
 * else becomes the first option. Without a queue, or once it is finished, `current_assignment`
 * is left as it is.
 */
export class PathService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async sync(userId: number): Promise<StudentPath> {
    const user = await pathRepo.user(this.db, userId);
    if (!user) return { queueId: null, currentAssignmentId: null, options: [] };
    const queueId = effectiveQueueId(user);
    if (queueId === null) return { queueId, currentAssignmentId: user.current_assignment_id, options: [] };
    const steps = await flattenQueue(this.db, queueId);
    const exerciseIds = [...new Set(steps.map((s) => s.exerciseId))];
    const own = await pathRepo.assignments(this.db, [userId], exerciseIds);
    const state = walkPath(steps, new Map(own.map((a) => [a.exercise_id, a.status as AssignmentStatus])));
    if (state.options.length === 0) return { queueId, currentAssignmentId: user.current_assignment_id, options: [] };

    const have = new Set(own.map((a) => a.exercise_id));
    const now = this.clock.now();
    const current = await this.db.transaction().execute(async (tx) => {
      for (const exerciseId of state.options.filter((e) => !have.has(e))) {
        await pathRepo.ensureAssignment(tx, userId, exerciseId, now);
      }
      const open = await pathRepo.assignments(tx, [userId], state.options);
      const byExercise = new Map(open.map((a) => [a.exercise_id, a.id]));
      const ids = state.options.flatMap((e) => (byExercise.has(e) ? [byExercise.get(e)!] : []));
      const chosen = chooseCurrent(ids, user.current_assignment_id);
      if (chosen !== user.current_assignment_id) await pathRepo.setCurrentAssignment(tx, userId, chosen);
      return chosen;
    });

    const rows = await pathRepo.options(this.db, userId, state.options);
    const byExercise = new Map(rows.map((r) => [r.exercise_id, r]));
    const options = state.options.flatMap((e) => {
      const r = byExercise.get(e);
      if (!r) return [];
      return [{
        assignment_id: r.id,
        exercise_id: r.exercise_id,
        exercise_name: r.name,
        module_id: r.module_id,
        module_name: r.module_name,
        subject_id: r.subject_id,
        subject_symbol: r.symbol,
        subject_color: r.color,
        status: studentStatus(r.status as AssignmentStatus, r.student_status as AssignmentStatus | null),
      }];
    });
    return { queueId, currentAssignmentId: current, options };
  }

  /**
   * The paths of many students as they stand, for staff lists: nothing is written (no assignment
   * is created, no pick is stored), each queue is walked once and every student's assignments come
   * from one query per 500 students. An open exercise without an assignment yet is not an option
   * here; the student's own read (`sync`) creates it.
   */
  async glance(users: (QueueChoice & { id: number; current_assignment_id: number | null })[]): Promise<Map<number, PathGlance>> {
    const out = new Map<number, PathGlance>();
    const following = users.flatMap((u) => {
      const queueId = effectiveQueueId(u);
      return queueId === null ? [] : [{ user: u, queueId }];
    });
    const steps = new Map<number, Awaited<ReturnType<typeof flattenQueue>>>();
    for (const { queueId } of following) if (!steps.has(queueId)) steps.set(queueId, await flattenQueue(this.db, queueId));
    const exerciseIds = [...new Set([...steps.values()].flatMap((list) => list.map((s) => s.exerciseId)))];
    const byUser = new Map<number, { id: number; exercise_id: number; status: string }[]>();
    const userIds = following.map((f) => f.user.id);
    for (let i = 0; i < userIds.length && exerciseIds.length > 0; i += 500) {
      const rows = await pathRepo.assignments(this.db, userIds.slice(i, i + 500), exerciseIds);
      for (const r of rows) byUser.set(r.user_id!, [...(byUser.get(r.user_id!) ?? []), r]);
    }
    for (const { user, queueId } of following) {
      const own = byUser.get(user.id) ?? [];
      const state = walkPath(steps.get(queueId)!, new Map(own.map((a) => [a.exercise_id, a.status as AssignmentStatus])));
      const assignmentOf = new Map(own.map((a) => [a.exercise_id, a.id]));
      const options = state.options.flatMap((e) => (assignmentOf.has(e) ? [assignmentOf.get(e)!] : []));
      out.set(user.id, { currentAssignmentId: state.options.length === 0 ? user.current_assignment_id : chooseCurrent(options, user.current_assignment_id), options });
    }
    return out;
  }
}
