import type { FastifyError } from 'fastify';
import type { AssayError } from '../../core/errors.ts';
import { fromDatabaseError, isAssayError } from '../../core/errors.ts';
import type { TaskReason } from '../../core/tasks/tasks.service.ts';
import { fromFrameworkError, hiveWording } from '../hive/errors.ts';

/** INGInious' error envelope: `{"error": …}` (a failed login is `{"status": "error"}`, see the plugin). */
export interface InginiousError {
  status: number;
  body: { error: string; detail?: string };
}

export const INVALID_ARGUMENTS = 'Invalid arguments for this method';

/** INGInious' exact strings, by the reason the core gives (reference §3–§5). */
const BY_REASON: Record<TaskReason | 'cross_origin' | 'not_authenticated', [number, string]> = {
  course_not_found: [404, 'Course not found'],
  not_registered: [403, 'You are not registered to this course'],
  task_not_found: [404, 'Task not found'],
  not_allowed_to_submit: [403, 'You are not allowed to submit for this task'],
  invalid_arguments: [400, INVALID_ARGUMENTS],
  pending: [409, 'A submission is already pending for this task!'],
  submission_not_found: [404, 'Submission not found'],
  cross_origin: [403, 'Cross-origin request refused'],
  not_authenticated: [403, 'You are not authenticated'],
};

const error = (status: number, message: string, detail?: string): InginiousError => ({ status, body: { error: message, ...(detail ? { detail } : {}) } });

function fromKind(err: AssayError): InginiousError {
  switch (err.kind) {
    case 'unauthenticated':
      return error(403, 'You are not authenticated');
    case 'forbidden':
      return error(403, hiveWording(err));
    case 'not_found':
      return error(404, 'Not found');
    case 'method_not_allowed':
      return error(405, 'This endpoint has no such method');
    case 'too_large':
      return error(413, 'Request too large');
    case 'unsupported_media_type':
    case 'invalid':
    case 'parse_error':
      return error(400, INVALID_ARGUMENTS, err.kind === 'invalid' ? err.message : undefined);
    case 'conflict':
      return error(409, err.message);
    case 'rate_limited':
      return error(429, 'Too many requests');
    case 'unavailable':
      return error(503, 'Grading is temporarily unavailable');
    case 'not_implemented':
      return error(501, 'Not implemented');
  }
}

/** The one place INGInious errors take their wire shape. Invalid answers keep upstream's message and add which problem failed in `detail`. */
export function renderInginiousError(thrown: unknown, method: string): InginiousError {
  let err: AssayError | null = isAssayError(thrown) ? thrown : fromDatabaseError(thrown);
  if (!err && thrown && typeof thrown === 'object' && 'code' in thrown) err = fromFrameworkError(thrown as FastifyError, method);
  if (!err) {
    const status = (thrown as { statusCode?: unknown } | null)?.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) return error(status, status === 413 ? 'Request too large' : INVALID_ARGUMENTS);
    return error(500, 'Internal server error');
  }
  const known = BY_REASON[(err.details.reason ?? '') as keyof typeof BY_REASON];
  if (!known) return fromKind(err);
  return error(known[0], known[1], err.details.reason === 'invalid_arguments' ? err.message : undefined);
}
