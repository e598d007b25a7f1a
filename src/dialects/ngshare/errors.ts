import type { FastifyError } from 'fastify';
import { fromDatabaseError, isAssayError } from '../../core/errors.ts';
import type { AssayError } from '../../core/errors.ts';
import type { ExchangeReason } from '../../core/exchange/refusals.ts';
import { fromFrameworkError } from '../hive/errors.ts';

/** ngshare's error envelope: `{"success": false, "message": …}` with the status upstream uses. */
export interface NgshareError {
  status: number;
  body: { success: false; message: string };
}

/**
 * ngshare's exact strings, by the reason the core (or this dialect's argument checks) gives.
 * Reasons absent here fall back to the error kind's generic message.
 */
type ArgumentReason =
  | 'instructors_not_json'
  | 'students_missing'
  | 'students_not_json'
  | 'first_name_missing'
  | 'last_name_missing'
  | 'email_missing'
  | 'files_missing'
  | 'files_not_json'
  | 'illegal_path'
  | 'content_not_base64'
  | 'timestamp_missing'
  | 'timestamp_format';
/** The exchange's refusals worded by kind (a 403, with the debug suffix below), not here. */
type ByKind = 'not_admin' | 'not_course_instructor';

const BY_REASON: Record<Exclude<ExchangeReason, ByKind> | ArgumentReason, [status: number, message: string]> = {
  course_not_found: [404, 'Course not found'],
  course_exists: [409, 'Course already exists'],
  instructor_not_found: [404, 'Instructor not found'],
  student_not_found: [404, 'Student not found'],
  instructor_as_student: [409, 'Cannot add instructor as student'],
  cannot_modify_instructors: [403, 'Permission denied (cannot modify instructors)'],
  cannot_modify_other_instructors: [403, 'Permission denied (cannot modify other instructors)'],
  incorrect_request_format: [400, 'Incorrect request format'],
  instructors_not_json: [400, 'Instructors cannot be JSON decoded'],
  students_missing: [400, 'Please supply students'],
  students_not_json: [400, 'Students cannot be JSON decoded'],
  first_name_missing: [400, 'Please supply first name'],
  last_name_missing: [400, 'Please supply last name'],
  email_missing: [400, 'Please supply email'],
  assignment_not_found: [404, 'Assignment not found'],
  assignment_exists: [409, 'Assignment already exists'],
  submission_not_found: [404, 'Submission not found'],
  files_missing: [400, 'Please supply files'],
  files_not_json: [400, 'Files cannot be JSON decoded'],
  illegal_path: [400, 'Illegal path'],
  content_not_base64: [400, 'Content cannot be base64 decoded'],
  timestamp_missing: [400, 'Please supply timestamp'],
  timestamp_format: [400, 'Time format incorrect'],
};

/** ngshare's message for a reason (for the few that appear inside successful answers). */
export function ngshareMessage(reason: keyof typeof BY_REASON): string {
  return BY_REASON[reason]![1];
}

/** Upstream's debug-mode 403 suffixes (reference §5.3), shown only when configured. */
const DEBUG_SUFFIX: Record<string, string> = {
  not_admin: ' (not admin)',
  not_course_instructor: ' (not course instructor)',
};

const error = (status: number, message: string): NgshareError => ({ status, body: { success: false, message } });

function fromKind(err: AssayError, debugMessages: boolean): NgshareError {
  switch (err.kind) {
    case 'unauthenticated':
      return error(401, 'Login required');
    case 'forbidden': {
      const suffix = debugMessages ? (DEBUG_SUFFIX[err.details.reason ?? ''] ?? '') : '';
      return error(403, `Permission denied${suffix}`);
    }
    case 'not_found':
      return error(404, 'Not found');
    case 'method_not_allowed':
      return error(405, 'Method not allowed');
    case 'too_large':
      return error(413, 'Request too large');
    case 'unsupported_media_type':
      return error(415, 'Unsupported media type');
    case 'invalid':
    case 'parse_error':
      return error(400, 'Incorrect request format');
    case 'conflict':
      return error(409, err.message);
    case 'rate_limited':
      return error(429, 'Too many requests');
    case 'unavailable':
      return error(503, err.message || 'Service unavailable');
    case 'not_implemented':
      return error(501, 'Not implemented');
  }
}

/** The one place ngshare errors take their wire shape. */
export function renderNgshareError(thrown: unknown, method: string, debugMessages: boolean): NgshareError {
  let err: AssayError | null = isAssayError(thrown) ? thrown : fromDatabaseError(thrown);
  if (!err && thrown && typeof thrown === 'object' && 'code' in thrown) err = fromFrameworkError(thrown as FastifyError, method);
  if (!err) {
    const status = (thrown as { statusCode?: unknown } | null)?.statusCode;
    // Malformed requests the framework refuses (bad URL encoding, …) stay client errors.
    if (typeof status === 'number' && status >= 400 && status < 500) return error(status, 'Bad request');
    return error(500, 'Internal server error');
  }
  const known = BY_REASON[(err.details.reason ?? '') as keyof typeof BY_REASON] as [number, string] | undefined;
  return known ? error(known[0], known[1]) : fromKind(err, debugMessages);
}
