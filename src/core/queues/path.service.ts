import type { Db } from '../../db/database.ts';
import type { Clock } from '../clock.ts';
import type { AssignmentStatus } from '../assignments/status-flow.ts';
import { studentStatus } from '../assignments/status-flow.ts';
import { flattenQueue } from './flatten.ts';
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
    const user = await this.db
      .selectFrom('users')
      .select(['id', 'queue_id', 'user_queue_id', 'override_queue_id', 'disable_queue', 'disable_user_queue', 'current_assignment_id'])
      .where('id', '=', userId)
      .executeTakeFirst();
    if (!user) return { queueId: null, currentAssignmentId: null, options: [] };
    const queueId = effectiveQueueId(user);
    if (queueId === null) return { queueId, currentAssignmentId: user.current_assignment_id, options: [] };
    const steps = await flattenQueue(this.db, queueId);
    const exerciseIds = [...new Set(steps.map((s) => s.exerciseId))];
    const own = exerciseIds.length > 0
      ? await this.db.selectFrom('assignments').select(['id', 'exercise_id', 'status']).where('user_id', '=', userId).where('exercise_id', 'in', exerciseIds).execute()
      : [];
    const state = walkPath(steps, new Map(own.map((a) => [a.exercise_id, a.status as AssignmentStatus])));
    if (state.options.length === 0) return { queueId, currentAssignmentId: user.current_assignment_id, options: [] };

    const have = new Set(own.map((a) => a.exercise_id));
    const now = this.clock.now();
    const current = await this.db.transaction().execute(async (tx) => {
      for (const exerciseId of state.options.filter((e) => !have.has(e))) {
        const made = await tx
          .insertInto('assignments')
          .values({ exercise_id: exerciseId, user_id: userId, status: 'New', last_staff_updated: now, created_at: now, updated_at: now })
          .onConflict((oc) => oc.columns(['user_id', 'exercise_id']).doNothing())
          .returning('id')
          .executeTakeFirst();
        if (made) await tx.insertInto('assignment_members').values({ assignment_id: made.id, user_id: userId, role: 'candidate' }).execute();
      }
      const open = await tx.selectFrom('assignments').select(['id', 'exercise_id']).where('user_id', '=', userId).where('exercise_id', 'in', state.options).execute();
      const byExercise = new Map(open.map((a) => [a.exercise_id, a.id]));
      const ids = state.options.flatMap((e) => (byExercise.has(e) ? [byExercise.get(e)!] : []));
      const chosen = chooseCurrent(ids, user.current_assignment_id);
      if (chosen !== user.current_assignment_id) await tx.updateTable('users').set({ current_assignment_id: chosen }).where('id', '=', userId).execute();
      return chosen;
    });

    const rows = await this.db
      .selectFrom('assignments as a')
      .innerJoin('exercises as e', 'e.id', 'a.exercise_id')
      .leftJoin('modules as m', 'm.id', 'e.module_id')
      .leftJoin('subjects as s', 's.id', 'm.subject_id')
      .select(['a.id', 'a.exercise_id', 'a.status', 'a.student_status', 'e.name', 'e.module_id', 'm.name as module_name', 's.id as subject_id', 's.symbol', 's.color'])
      .where('a.user_id', '=', userId)
      .where('a.exercise_id', 'in', state.options)
      .execute();
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
      const rows = await this.db
        .selectFrom('assignments')
        .select(['id', 'user_id', 'exercise_id', 'status'])
        .where('user_id', 'in', userIds.slice(i, i + 500))
        .where('exercise_id', 'in', exerciseIds)
        .execute();
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
