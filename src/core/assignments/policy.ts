import type { Actor } from '../actor.ts';
import { Clearance } from '../actor.ts';

/** Who may do what with assignments and their responses. Pure rules; services and early checks read them. */
export const assignmentPolicy = {
  /** The grading side: checkers and above create, grade, lock and rerun; students work on their own. */
  mayGrade: (a: Actor): boolean => a.clearance >= Clearance.checker,
};

/** Who may attempt each assignment action at all, before any object is looked up. */
export const assignmentAttempts = {
  'assignments.create': assignmentPolicy.mayGrade,
  'assignments.update': assignmentPolicy.mayGrade,
  'assignments.delete': assignmentPolicy.mayGrade,
  'assignments.lock': assignmentPolicy.mayGrade,
  'assignments.latest': assignmentPolicy.mayGrade,
  'responses.rerunAutochecks': assignmentPolicy.mayGrade,
};
