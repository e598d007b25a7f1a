import type { Db } from '../../db/database.ts';
import type { Actor } from '../actor.ts';
import { Clearance } from '../actor.ts';
import { canSee, visibleCourseIds } from '../courses/visibility.ts';
import type { ThreadRef } from '../threads/thread.ts';
import { helpVisibleTo } from '../help/help-visibility.ts';

/**
 * Whether the actor may see the thread (assignment or help thread) a notification would point at.
 * Students see their own threads (and assignments they are a member of); checkers the threads of
 * students of programs they check, or on exercises of those programs; staff and admins every one.
 * The assignment and help services enforce the same rule on their own resources.
 */
export async function threadVisibleTo(db: Db, actor: Actor, thread: ThreadRef): Promise<boolean> {
  // A help thread's own `visibility` narrows or widens this rule: the help area decides.
  if (thread.kind === 'help') return helpVisibleTo(db, actor, thread.id);
  const row =
    thread.kind === 'assignment'
      ? await db
          .selectFrom('assignments as t')
          .leftJoin('exercises as e', 'e.id', 't.exercise_id')
          .leftJoin('users as u', 'u.id', 't.user_id')
          .select(['t.user_id', 'e.course_id as exercise_course', 'u.program_id'])
          .where('t.id', '=', thread.id)
          .executeTakeFirst()
      : await db
          .selectFrom('help_threads as t')
          .leftJoin('exercises as e', 'e.id', 't.exercise_id')
          .leftJoin('users as u', 'u.id', 't.user_id')
          .select(['t.user_id', 'e.course_id as exercise_course', 'u.program_id'])
          .where('t.id', '=', thread.id)
          .executeTakeFirst();
  if (!row) return false;
  if (actor.clearance >= Clearance.staff) return true;
  if (row.user_id === actor.id) return true;
  if (thread.kind === 'assignment') {
    const member = await db
      .selectFrom('assignment_members')
      .select('assignment_id')
      .where('assignment_id', '=', thread.id)
      .where('user_id', '=', actor.id)
      .executeTakeFirst();
    if (member) return true;
  }
  if (actor.clearance < Clearance.checker) return false;
  const visible = await visibleCourseIds(db, actor);
  return (row.program_id !== null && canSee(visible, row.program_id)) || (row.exercise_course !== null && canSee(visible, row.exercise_course));
}
