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

  /** Nothing there (or nothing the caller may see); without a message, the generic one (reason `no_such_object`) each dialect words its own way. */
  static notFound(message?: string): AssayError {
    return message === undefined ? new AssayError('not_found', 'no such object', { reason: 'no_such_object' }) : new AssayError('not_found', message);
  }

  /** A refusal; without a message, the generic one (reason `not_permitted`) each dialect words its own way. */
  static forbidden(message?: string): AssayError {
    return message === undefined ? new AssayError('forbidden', 'not permitted', { reason: 'not_permitted' }) : new AssayError('forbidden', message);
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

/** DRF's problem for a reference to a row that does not exist (`Invalid pk "7" - object does not exist.`). */
export function doesNotExist(field: string, id: unknown): FieldProblem {
  return { field, code: 'does_not_exist', message: `Invalid pk "${String(id)}" - object does not exist.` };
}

export function isAssayError(e: unknown): e is AssayError {
  return e instanceof AssayError;
}

/**
 * A constraint the database enforced (a race the service's own checks could not see) becomes
 * a client error instead of a server error.
 */
export function fromDatabaseError(e: unknown): AssayError | null {
  const code = (e as { code?: unknown } | null)?.code;
  if (code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return new AssayError('conflict', 'This object already exists.', { fields: [{ field: null, code: 'unique', message: 'This object already exists.' }] });
  }
  if (code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
    return new AssayError('invalid', 'A referenced object does not exist.', { fields: [{ field: null, code: 'does_not_exist', message: 'A referenced object does not exist.' }] });
  }
  if (code === '22003') {
    return new AssayError('invalid', 'A number is out of range.', { fields: [{ field: null, code: 'max_value', message: 'A number is out of range.' }] });
  }
  if (code === '23514' || code === 'SQLITE_CONSTRAINT_CHECK') {
    return new AssayError('invalid', 'The data breaks a rule of this object.', { fields: [{ field: null, code: 'invalid', message: 'The data breaks a rule of this object.' }] });
  }
  return null;
}
