import type { Actor, CourseRole } from '../actor.ts';
import { Clearance, isStaff } from '../actor.ts';

/**
 * Who may do what with a course's members. `role` is the actor's own current enrolment in the
 * course (null: none). Pure rules; the enrolment service reads them, nobody else decides.
 */
export const enrolmentPolicy = {
  /** Staff manage every course's members; an instructor enrolment manages that course's. */
  canManageMembers: (a: Actor, role: CourseRole | null): boolean => isStaff(a) || role === 'instructor',
  /** The roster is read by those who manage it and by the course's checkers. */
  canReadRoster: (a: Actor, role: CourseRole | null): boolean => enrolmentPolicy.canManageMembers(a, role) || role === 'checker',
  /** A member sees that the course exists (others are told it does not). */
  seesCourse: (a: Actor, role: CourseRole | null): boolean => isStaff(a) || role !== null,
  /**
   * Accounts a roster import creates: students (clearance 1) for student rows, checkers
   * (clearance 2) for checker and instructor rows; the enrolment gives the course, never more.
   */
  clearanceForNewMember: (role: CourseRole): 1 | 2 => (role === 'student' ? Clearance.student : Clearance.checker),
};
