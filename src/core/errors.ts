/** The one error type of the core. Dialects map `kind` to their own envelope and status. */
export type ErrorKind =
  | 'not_found'
  | 'forbidden'
  | 'unauthenticated'
  | 'invalid'
  | 'conflict'
  | 'too_large'
  | 'rate_limited'
  | 'unavailable'
  | 'not_implemented'
  | 'parse_error'
  | 'unsupported_media_type'
  | 'method_not_allowed';

/** One problem with one input field; `field` is a dotted path, `null` for the whole object. */
export interface FieldProblem {
  field: string | null;
  code: string;
  message: string;
}

export interface ErrorDetails {
  fields?: FieldProblem[];
  /** A machine-readable reason a dialect may need (e.g. `token_not_valid`, `no_active_account`). */
  reason?: string;
  limit?: number;
  retryAfterSeconds?: number;
  [key: string]: unknown;
}

export class AssayError extends Error {
  readonly kind: ErrorKind;
  readonly details: ErrorDetails;

  constructor(kind: ErrorKind, message: string, details: ErrorDetails = {}) {
    super(message);
    this.name = 'AssayError';
    this.kind = kind;
    this.details = details;
  }

  static notFound(message = 'Not found.'): AssayError {
    return new AssayError('not_found', message);
  }

  static forbidden(message = 'You do not have permission to perform this action.'): AssayError {
    return new AssayError('forbidden', message);
  }

  static invalid(fields: FieldProblem[]): AssayError {
    return new AssayError('invalid', fields[0]?.message ?? 'Invalid input.', { fields });
  }

  static field(field: string | null, code: string, message: string): AssayError {
    return AssayError.invalid([{ field, code, message }]);
  }

  static tooLarge(message: string, limit: number, field?: string): AssayError {
    return new AssayError('too_large', message, { limit, fields: field ? [{ field, code: 'max_size', message }] : undefined });
  }
}

export function isAssayError(e: unknown): e is AssayError {
  return e instanceof AssayError;
}
