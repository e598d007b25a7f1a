import type { Actor } from '../actor.ts';
import { Clearance } from '../actor.ts';
import type { Timestamp } from '../clock.ts';
import { timestampToMicros } from '../clock.ts';
import { AssayError } from '../errors.ts';

/** A caller's part in a course, in Autolab's words. */
export type AutolabRole = 'student' | 'course_assistant' | 'instructor';
export const AUTOLAB_ROLES = ['student', 'course_assistant', 'instructor'] as const;

/** The core's enrollment roles under Autolab's names. */
export const ROLE_OF_ENROLLMENT: Record<string, AutolabRole> = { student: 'student', checker: 'course_assistant', instructor: 'instructor' };
export const ENROLLMENT_OF_ROLE: Record<AutolabRole, 'student' | 'checker' | 'instructor'> = { student: 'student', course_assistant: 'checker', instructor: 'instructor' };

/** Autolab's exact refusals, each with the reason dialects map to a status. */
export const refusals = {
  courseNotFound: () => new AssayError('not_found', 'Course does not exist', { reason: 'course_not_found' }),
  courseDisabled: () =>
    new AssayError('forbidden', 'Your course has been disabled by your instructor. Please contact them directly if you have any questions', { reason: 'course_disabled' }),
  scopeMissing: () => new AssayError('forbidden', 'Your client does not have the required scope for this action', { reason: 'scope_missing' }),
  notAdmin: () => new AssayError('forbidden', 'User does not have admin privileges', { reason: 'not_admin' }),
  notInstructor: () => new AssayError('forbidden', 'User does not have instructor privileges for this course', { reason: 'not_instructor' }),
  assessmentNotFound: () => new AssayError('not_found', 'Assessment does not exist', { reason: 'assessment_not_found' }),
  missing: (name: string) => new AssayError('invalid', `Required parameter '${name}' not found`, { reason: 'missing_parameter' }),
  bad: (message: string) => new AssayError('invalid', message, { reason: 'bad_parameter' }),
};

/** What the caller's token allows, and what the endpoint needs. */
export interface Grant {
  scopes: readonly string[];
  /** null: any valid token will do. */
  required: string | null;
  /** `admin_all` endpoints need an administrator, `instructor_all` ones an instructor of the course. */
  needs?: 'admin' | 'instructor';
}

/** Staff and administrators are instructors of every course, without an enrollment. */
export function roleInCourse(actor: Actor, enrollmentRole: string | null, checkerId: number | null): AutolabRole | null {
  if (actor.clearance >= Clearance.staff) return 'instructor';
  if (enrollmentRole !== null) return ROLE_OF_ENROLLMENT[enrollmentRole] ?? null;
  if (checkerId === actor.id && actor.clearance >= Clearance.checker) return 'course_assistant';
  return null;
}

export interface CourseDates {
  start_at: Timestamp | null;
  end_at: Timestamp | null;
  disabled: boolean;
  disable_on_end: boolean;
}

export type CourseState = 'disabled' | 'upcoming' | 'completed' | 'current';
export const COURSE_STATES = ['current', 'completed', 'upcoming', 'disabled'] as const;

const before = (a: Timestamp, b: Timestamp) => timestampToMicros(a) < timestampToMicros(b);

/** A course's state for `GET /courses?state=`. */
export function courseState(course: CourseDates, now: Timestamp): CourseState {
  const ended = course.end_at !== null && before(course.end_at, now);
  if (course.disabled || (course.disable_on_end && ended)) return 'disabled';
  if (course.start_at !== null && before(now, course.start_at)) return 'upcoming';
  if (ended) return 'completed';
  return 'current';
}

/**
 * The checks of a course-scoped request after the course is found, in Autolab's order:
 * membership (not found, so course names cannot be probed), disabled course (for everyone below
 * instructor), the token's scope, then the role the endpoint needs.
 */
export function checkCourseAccess(role: AutolabRole | null, course: CourseDates, now: Timestamp, grant: Grant): AssayError | null {
  if (role === null) return refusals.courseNotFound();
  if (role !== 'instructor' && courseState(course, now) === 'disabled') return refusals.courseDisabled();
  return checkGrant(role === 'instructor', false, grant);
}

/** Scope, then role (for requests outside a course, `instructor` is never asked). */
export function checkGrant(isInstructor: boolean, isAdmin: boolean, grant: Grant): AssayError | null {
  if (grant.required !== null && !grant.scopes.includes(grant.required)) return refusals.scopeMissing();
  if (grant.needs === 'admin' && !isAdmin) return refusals.notAdmin();
  if (grant.needs === 'instructor' && !isInstructor) return refusals.notInstructor();
  return null;
}
