import type { Actor } from '../actor.ts';
import { Clearance, isStaff } from '../actor.ts';

/**
 * Who may do what with the course tree (programs, subjects, modules), exercises, their fields and
 * tags. Pure rules; the services and the dialects' early checks read them, nobody else decides.
 */
export const coursePolicy = {
  /** The staff side of every course: checkers and above (an instructor enrolment adds one course, see canManageCourse). */
  onStaffSide: (a: Actor): boolean => a.clearance >= Clearance.checker,
  /** Staff and admins see and manage every course. */
  managesEveryCourse: (a: Actor): boolean => isStaff(a),
  /** Programs are opened by staff only. */
  mayCreateProgram: (a: Actor): boolean => isStaff(a),
  /**
   * A new course (Assay's API, the web app): staff, and instructors, people on the staff side
   * (clearance checker or more) who instruct a course already. The creator instructs the new one.
   */
  mayCreateCourse: (a: Actor, instructsACourse: boolean): boolean => isStaff(a) || (a.clearance >= Clearance.checker && instructsACourse),
  /** Tags are shared by every course: staff manage them. */
  mayManageTags: (a: Actor): boolean => isStaff(a),
};

/**
 * Who may attempt each course action at all, before any object is looked up. The object's own
 * rule (which course, which program) follows in the service.
 */
export const courseAttempts = {
  'tags.write': coursePolicy.mayManageTags,
  'programs.write': coursePolicy.onStaffSide,
  'subjects.write': coursePolicy.onStaffSide,
  'modules.write': coursePolicy.onStaffSide,
  'exercises.write': coursePolicy.onStaffSide,
  'exercises.notifyStudents': coursePolicy.onStaffSide,
  'fields.write': coursePolicy.onStaffSide,
  'fields.topResults': coursePolicy.onStaffSide,
};
