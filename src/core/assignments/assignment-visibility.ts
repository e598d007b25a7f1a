import { sql } from 'kysely';
import type { Expression, SqlBool } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { Actor } from '../actor.ts';
import { Clearance } from '../actor.ts';
import { visibleCourseIds } from '../courses/visibility.ts';

/**
 * Who sees an assignment, as a condition on `a` (assignments) joined with `e` (its exercise); null
 * when the actor sees every one. Students: their own and those they are a member of. Checkers:
 * those on exercises of courses they check. Staff and admins: all.
 */
export async function assignmentVisibility(db: Db, actor: Actor): Promise<Expression<SqlBool> | null> {
  if (actor.clearance < Clearance.checker) {
    return sql<SqlBool>`(a.user_id = ${actor.id} OR EXISTS (SELECT 1 FROM assignment_members m WHERE m.assignment_id = a.id AND m.user_id = ${actor.id}))`;
  }
  const visible = await visibleCourseIds(db, actor);
  if (visible === null) return null;
  return visible.length > 0 ? sql<SqlBool>`e.course_id IN (${sql.join(visible)})` : sql<SqlBool>`1 = 0`;
}

export async function assignmentVisibleTo(db: Db, actor: Actor, assignmentId: number): Promise<boolean> {
  let q = db.selectFrom('assignments as a').innerJoin('exercises as e', 'e.id', 'a.exercise_id').select('a.id').where('a.id', '=', assignmentId);
  const condition = await assignmentVisibility(db, actor);
  if (condition) q = q.where(condition);
  return (await q.executeTakeFirst()) !== undefined;
}
