import type { AssessmentReason, CourseProblem } from '../../core/assessments/access.ts';
import { AssayError } from '../../core/errors.ts';
import type { ErrorDetails } from '../../core/errors.ts';
import { asAssayError, hiveWording } from '../hive/errors.ts';

/** Autolab's error envelope: `{"error": "<message>"}` and a status. */
export interface AutolabError {
  status: number;
  body: { error: string };
  headers?: Record<string, string>;
}

/** The exact strings autolab-cli depends on. */
export const TOKEN_FAILED = 'OAuth2 authorization failed';
export const TOO_MANY_REQUESTS = 'Too Many Requests. Retry Later.';
export const INVALID_PATH = 'Invalid request path';

const error = (status: number, message: string): AutolabError => ({ status, body: { error: message } });

/** A parameter this dialect's own argument checks refuse, already in Autolab's words. */
export const badParameter = (message: string) => new AssayError('invalid', message, { reason: 'bad_parameter' });

const COURSE_PROBLEMS: Record<CourseProblem, string> = {
  name_blank: "Name can't be blank",
  name_format: 'Name may only contain letters, digits, ".", "_" and "-"',
  name_taken: 'Name has already been taken',
  semester_blank: "Semester can't be blank",
  end_before_start: 'End date must be after the start date',
  instructor_email_invalid: 'Instructor email is invalid',
};

/** Autolab's exact words for each reason the assessments area gives (the status follows the kind). */
const WORDING: Record<AssessmentReason, (d: ErrorDetails) => string> = {
  course_not_found: () => 'Course does not exist',
  course_disabled: () => 'Your course has been disabled by your instructor. Please contact them directly if you have any questions',
  scope_missing: () => 'Your client does not have the required scope for this action',
  not_admin: () => 'User does not have admin privileges',
  not_instructor: () => 'User does not have instructor privileges for this course',
  assessment_not_found: () => 'Assessment does not exist',
  missing_parameter: (d) => `Required parameter '${String(d.parameter)}' not found`,
  invalid_date: (d) => `Invalid date: ${String(d.value)}`,
  course_invalid: (d) => `Failed to create course: ${(d.problems as CourseProblem[]).map((p) => COURSE_PROBLEMS[p]).join(', ')}`,
  problem_invalid: () => 'Unable to create problem',
  group_size_invalid: () => 'Group size must be a positive integer',
  group_not_found: (d) => (d.shown ? `Couldn't find group with id ${String(d.group)}` : `Couldn't find group ${String(d.group)}`),
  groups_not_allowed: (d) => `Group size of assessment is currently ${String(d.group_size)}, so you can't create group`,
  group_too_large: () => 'Cannot have groups with size more than group_size',
  nonexistent_user: () => 'Nonexistent user',
  invalid_auth_level: () => 'Invalid auth_level',
  user_already_in_course: () => 'User is already in the course',
  user_not_in_course: () => 'User is not in course',
  score_user_not_found: (d) => `User with email ${String(d.email)} not found in course.`,
  score_problem_unknown: (d) => `Problem '${String(d.problem)}' not found in this assessment`,
  score_not_a_number: (d) => `Unable to update ${String(d.problem)} score`,
  no_submission: (d) => `User with email ${String(d.email)} has no submission for this assessment.`,
  problem_not_found: (d) => `Problem named ${String(d.problem)} does not exist for ${String(d.assessment)}`,
  submission_not_found: (d) => `Submission version ${String(d.version)} does not exist for ${String(d.assessment)}`,
  score_not_found: (d) => `Score for ${String(d.problem)} of submission version ${String(d.version)} of ${String(d.assessment)} does not exist`,
  embedded_quiz: () => 'Assessment is an embedded quiz',
  handins_disabled: () => 'Handins for this assessment is disabled',
  blank_submission: () => 'Submission was blank',
  submission_too_large: (d) => `Submission is larger than the max allowed size (${String(d.max_size_mb)} MB) - please remove any unnecessary logfiles and binaries.`,
  group_unconfirmed: () => 'Submission not allowed until all group members confirm their group membership',
  group_member_limit: () => 'A member of your group has reached the submission limit for this assessment',
  assessment_ended: () => 'The end date of this assessment has passed',
  submission_limit: () => 'You have reached the maximum number of submissions for this assessment',
};

/** The words of a refusal: Autolab's for a reason it knows, else what the rest of the core says (as Hive words it). */
function wording(err: AssayError): string {
  const word = WORDING[(err.details.reason ?? '') as AssessmentReason] as ((d: ErrorDetails) => string) | undefined;
  return word ? word(err.details) : hiveWording(err);
}

function fromKind(err: AssayError): AutolabError {
  switch (err.kind) {
    case 'unauthenticated':
      return error(401, TOKEN_FAILED);
    case 'forbidden':
      return error(403, wording(err));
    case 'not_found':
      return error(404, wording(err));
    case 'invalid':
    case 'conflict':
    case 'parse_error':
      return error(400, wording(err));
    case 'too_large':
      return error(413, err.message);
    case 'unsupported_media_type':
      return error(415, err.message);
    case 'method_not_allowed':
      return error(405, err.message);
    case 'rate_limited': {
      const { limit, resetAt } = err.details as { limit?: number; resetAt?: number };
      return {
        ...error(429, TOO_MANY_REQUESTS),
        headers: { 'x-ratelimit-limit': String(limit ?? 0), 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(resetAt ?? 0) },
      };
    }
    case 'unavailable':
      return error(503, err.message || 'Service unavailable');
    case 'not_implemented':
      return error(501, err.message || 'Not implemented');
  }
}

/** The one place Autolab errors take their wire shape. */
export function renderAutolabError(thrown: unknown, method: string): AutolabError {
  const err = asAssayError(thrown, method);
  if (!err) {
    const status = (thrown as { statusCode?: unknown } | null)?.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) return error(status, 'Bad request');
    return error(500, 'Internal server error');
  }
  return fromKind(err);
}

/** Requests the router refuses before the plugin runs, under `/api/v1/`. */
export function autolabFrameworkAnswer(url: string, status: number): AutolabError | null {
  const path = url.split('?')[0]!;
  if (path !== '/api/v1' && !path.startsWith('/api/v1/')) return null;
  return error(status, status === 414 ? 'Request-URI too long' : status === 413 ? 'Request body is too large.' : 'Bad request');
}
