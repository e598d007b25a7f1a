import type { Db } from '../../db/database.ts';
import type { Actor, CourseRole } from '../actor.ts';
import { coursePolicy } from './policy.ts';

/**
 * Which courses an actor may see. `null` means every course (staff and admins).
 * Students see the courses they are enrolled in as students; checkers those they check
 * (enrolled as checker or instructor, or named the program's checker).
 */
export async function visibleCourseIds(db: Db, actor: Actor): Promise<number[] | null> {
  if (coursePolicy.managesEveryCourse(actor)) return null;
  const enrolled = await db
    .selectFrom('enrollments')
    .select(['course_id', 'role'])
    .where('user_id', '=', actor.id)
    .where('dropped', '=', false)
    .execute();
  const ids = new Set(enrolled.map((e) => e.course_id));
  if (coursePolicy.onStaffSide(actor)) {
    const checked = await db.selectFrom('courses').select('id').where('checker_id', '=', actor.id).execute();
    for (const c of checked) ids.add(c.id);
  }
  return [...ids].sort((a, b) => a - b);
}

export async function roleIn(db: Db, actor: Actor, courseId: number): Promise<CourseRole | null> {
  const row = await db
    .selectFrom('enrollments')
    .select('role')
    .where('user_id', '=', actor.id)
    .where('course_id', '=', courseId)
    .where('dropped', '=', false)
    .executeTakeFirst();
  return (row?.role as CourseRole | undefined) ?? null;
}

/** Staff and admins manage every course; an instructor enrolment manages that course. */
export async function canManageCourse(db: Db, actor: Actor, courseId: number): Promise<boolean> {
  if (coursePolicy.managesEveryCourse(actor)) return true;
  return (await roleIn(db, actor, courseId)) === 'instructor';
}

export function canSee(visible: number[] | null, courseId: number): boolean {
  return visible === null || visible.includes(courseId);
}
