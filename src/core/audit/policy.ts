import type { Actor, CourseRole } from '../actor.ts';
import { isStaff } from '../actor.ts';

/** Who reads a course's audit trail. `role` is the actor's own current enrolment in the course (null: none). */
export const auditPolicy = {
  /** Staff, and the course's instructors; its checkers and students are refused. */
  canReadTrail: (a: Actor, role: CourseRole | null): boolean => isStaff(a) || role === 'instructor',
  /** A member sees that the course exists (others are told it does not). */
  seesCourse: (a: Actor, role: CourseRole | null): boolean => isStaff(a) || role !== null,
};
