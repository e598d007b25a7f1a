import { sql } from 'kysely';
import type { Expression, SqlBool } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { Actor } from '../actor.ts';
import { Clearance } from '../actor.ts';
import { visibleCourseIds } from '../courses/visibility.ts';

/**
 * Who sees a help thread: hive.md §8 (students their own, checkers their programs' students,
 * staff everything) narrowed or widened by the thread's `visibility`:
 *
 * - its student (`user`) always, whatever the visibility: it is their conversation with staff;
 * - on the staff side (checker and above), its creator and the checker holding its lock always
 *   (so nobody loses a thread they opened or must release);
 * - admins: every thread;
 * - staff (Segel): every thread except other people's `Author Only` ones;
 * - checkers: `All Staff` threads in their scope (students of the programs they check, or an
 *   exercise of those programs, as for assignments), and every `All Staff And Checkers` thread:
 *   that value opens a thread to checkers beyond its program.
 *
 * So `Author Only` (the creator, the student, admins) ⊂ `All Staff` ⊂ `All Staff And Checkers`.
 * A thread outside this set does not exist for the actor (404).
 */
export async function helpVisibility(db: Db, actor: Actor, alias = 'h'): Promise<Expression<SqlBool> | null> {
  const col = (name: string) => sql.ref(`${alias}.${name}`);
  if (actor.clearance < Clearance.checker) return sql<SqlBool>`${col('user_id')} = ${actor.id}`;
  if (actor.clearance >= Clearance.admin) return null;
  const own = sql<SqlBool>`(${col('user_id')} = ${actor.id} OR ${col('created_by')} = ${actor.id} OR ${col('checker_id')} = ${actor.id})`;
  if (actor.clearance >= Clearance.staff) return sql<SqlBool>`(${own} OR ${col('visibility')} <> ${'Author Only'})`;
  const courses = (await visibleCourseIds(db, actor)) ?? [];
  const list = sql.join(courses.map((id) => sql`${id}`));
  const inScope =
    courses.length === 0
      ? sql<SqlBool>`1 = 0`
      : sql<SqlBool>`(EXISTS (SELECT 1 FROM users su WHERE su.id = ${col('user_id')} AND su.program_id IN (${list}))
          OR EXISTS (SELECT 1 FROM exercises se WHERE se.id = ${col('exercise_id')} AND se.course_id IN (${list})))`;
  return sql<SqlBool>`(${own} OR ${col('visibility')} = ${'All Staff And Checkers'} OR (${col('visibility')} = ${'All Staff'} AND ${inScope}))`;
}

/** Whether the actor sees the help thread `id` (the same rule, for one thread). */
export async function helpVisibleTo(db: Db, actor: Actor, id: number): Promise<boolean> {
  let q = db.selectFrom('help_threads as h').select('h.id').where('h.id', '=', id);
  const visible = await helpVisibility(db, actor);
  if (visible) q = q.where(visible);
  return (await q.executeTakeFirst()) !== undefined;
}
