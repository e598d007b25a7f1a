import type { Actor, CourseRole } from '../actor.ts';
import { isStaff } from '../actor.ts';

/**
 * Who reads and who starts an exercise's similarity reports. `role` is the actor's own current
 * enrolment in the exercise's course (null: none). Pure rules; the similarity service reads them,
 * nobody else decides.
 *
 * Checkers read reports: they review and grade the submissions compared, see every student's code
 * already, and are the ones who notice a copy; a report names students to each other only for the
 * staff side. Starting one is the course's instructors' (and staff's): a run takes a server's CPU
 * for a while and replaces the exercise's previous report for everyone.
 */
export const similarityPolicy = {
  canRead: (a: Actor, role: CourseRole | null): boolean => isStaff(a) || role === 'instructor' || role === 'checker',
  canStart: (a: Actor, role: CourseRole | null): boolean => isStaff(a) || role === 'instructor',
};
