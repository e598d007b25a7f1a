import type { Db } from '../../db/database.ts';
import type { Actor, CourseRole } from '../actor.ts';
import { enrolmentsRepo } from '../enrolment/enrolments.repo.ts';
import { coursePolicy } from './policy.ts';

/**
 * Which courses an actor may see. `null` means every course (staff and admins).
 * Students see the courses they are enrolled in as students; checkers those they check
 * (enrolled as checker or instructor, or named the program's checker).
 */
export async function visibleCourseIds(db: Db, actor: Actor): Promise<number[] | null> {
  if (coursePolicy.managesEveryCourse(actor)) return null;
  const ids = new Set((await enrolmentsRepo.currentEnrolments(db, actor.id)).map((e) => e.course_id));
  if (coursePolicy.onStaffSide(actor)) for (const id of await enrolmentsRepo.checkedCourseIds(db, actor.id)) ids.add(id);
  return [...ids].sort((a, b) => a - b);
}

export async function roleIn(db: Db, actor: Actor, courseId: number): Promise<CourseRole | null> {
  return (await enrolmentsRepo.currentRole(db, courseId, actor.id)) as CourseRole | null;
}

/** Staff and admins manage every course; an instructor enrolment manages that course. */
export async function canManageCourse(db: Db, actor: Actor, courseId: number): Promise<boolean> {
  if (coursePolicy.managesEveryCourse(actor)) return true;
  return (await roleIn(db, actor, courseId)) === 'instructor';
}

export function canSee(visible: number[] | null, courseId: number): boolean {
  return visible === null || visible.includes(courseId);
}
