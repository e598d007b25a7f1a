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

/**
 * Why the assessments area refuses, with what a dialect needs to word it (`details`). The core
 * says what happened; the Autolab dialect says it in Autolab's words (src/dialects/autolab/errors.ts).
 */
export const ASSESSMENT_REASONS = [
  'course_not_found',
  'course_disabled',
  'scope_missing',
  'not_admin',
  'not_instructor',
  'assessment_not_found',
  /** details.parameter: the parameter's name. */
  'missing_parameter',
  /** details.value: the text that is no date. */
  'invalid_date',
  /** details.problems: CourseProblem[], in order. */
  'course_invalid',
  'problem_invalid',
  'group_size_invalid',
  /** details.group: the id asked for; details.shown: asked to show it (not to delete it). */
  'group_not_found',
  /** details.group_size: the assessment's group size. */
  'groups_not_allowed',
  'group_too_large',
  'nonexistent_user',
  'invalid_auth_level',
  'user_already_in_course',
  'user_not_in_course',
  /** details.email */
  'score_user_not_found',
  /** details.problem */
  'score_problem_unknown',
  /** details.problem */
  'score_not_a_number',
  /** details.email */
  'no_submission',
  /** details.problem, details.assessment */
  'problem_not_found',
  /** details.version, details.assessment */
  'submission_not_found',
  /** details.problem, details.version, details.assessment */
  'score_not_found',
  'embedded_quiz',
  'handins_disabled',
  'blank_submission',
  /** details.max_size_mb */
  'submission_too_large',
  'group_unconfirmed',
  'group_member_limit',
  'assessment_ended',
  'submission_limit',
] as const;
export type AssessmentReason = (typeof ASSESSMENT_REASONS)[number];

/** What is wrong with a new course, in order (`course_invalid`). */
export type CourseProblem = 'name_blank' | 'name_format' | 'name_taken' | 'semester_blank' | 'end_before_start' | 'instructor_email_invalid';

/** A refusal of the assessments area: a kind, a reason and the reason's details; the message is for logs. */
export function assessmentRefusal(kind: 'not_found' | 'forbidden' | 'invalid', reason: AssessmentReason, details: Record<string, unknown> = {}): AssayError {
  return new AssayError(kind, reason.replaceAll('_', ' '), { ...details, reason });
}

export const refusals = {
  courseNotFound: () => assessmentRefusal('not_found', 'course_not_found'),
  courseDisabled: () => assessmentRefusal('forbidden', 'course_disabled'),
  scopeMissing: () => assessmentRefusal('forbidden', 'scope_missing'),
  notAdmin: () => assessmentRefusal('forbidden', 'not_admin'),
  notInstructor: () => assessmentRefusal('forbidden', 'not_instructor'),
  assessmentNotFound: () => assessmentRefusal('not_found', 'assessment_not_found'),
  missing: (parameter: string) => assessmentRefusal('invalid', 'missing_parameter', { parameter }),
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
