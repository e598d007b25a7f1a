import { AssayError } from '../errors.ts';

/** Why the exchange refuses; the ngshare dialect words each reason (src/dialects/ngshare/errors.ts). */
export const EXCHANGE_REASONS = [
  'course_not_found',
  'course_exists',
  'not_admin',
  'not_course_instructor',
  'instructor_not_found',
  'student_not_found',
  'cannot_modify_instructors',
  'cannot_modify_other_instructors',
  'instructor_as_student',
  'assignment_not_found',
  'assignment_exists',
  'submission_not_found',
  'incorrect_request_format',
] as const;
export type ExchangeReason = (typeof EXCHANGE_REASONS)[number];

/** A refusal of the exchange: a kind and a reason; the message is for logs. */
export function exchangeRefusal(kind: 'not_found' | 'forbidden' | 'conflict' | 'invalid', reason: ExchangeReason): AssayError {
  return new AssayError(kind, reason.replaceAll('_', ' '), { reason });
}
