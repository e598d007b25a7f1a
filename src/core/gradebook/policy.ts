import type { Actor, CourseRole } from '../actor.ts';
import { isStaff } from '../actor.ts';

/**
 * Who reads a course's gradebook. `role` is the actor's own current enrolment in the course
 * (null: none). Pure rules; the gradebook service reads them, nobody else decides.
 */
export const gradebookPolicy = {
  /** A member (or staff) is told the course exists; everyone else that it does not. */
  seesCourse: (a: Actor, role: CourseRole | null): boolean => isStaff(a) || role !== null,
  /** Course staff: staff and admins, and the course's instructors (not its checkers or students). */
  canRead: (a: Actor, role: CourseRole | null): boolean => isStaff(a) || role === 'instructor',
};
