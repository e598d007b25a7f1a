import type { FastifyError } from 'fastify';
import { AssayError, fromDatabaseError, isAssayError } from '../../core/errors.ts';
import type { FieldProblem } from '../../core/errors.ts';
import { fromFrameworkError } from '../hive/errors.ts';

/** Devilry's error envelopes (reference §4.2): `errormessages`, `fielderrors`, and the odd `{"error"}`. */
export interface DevilryError {
  status: number;
  body: Record<string, unknown> | unknown[];
  headers: Record<string, string>;
}

const messages = (status: number, ...list: string[]): DevilryError => ({ status, body: { errormessages: list }, headers: {} });

/** Why a request fails before reaching the core; each has its wire form here. */
export const devilryErrors = {
  authenticationRequired: () => new AssayError('unauthenticated', 'Authentication required', { reason: 'authentication_required' }),
  crossOrigin: () => new AssayError('forbidden', 'Cross-origin request refused'),
  notFound: () => new AssayError('not_found', 'Not found', { reason: 'no_route' }),
  badRequestData: (parserMessage: string) =>
    new AssayError(
      'parse_error',
      `Bad request data: ${parserMessage}. Perhaps you meant to send GET data as a querystring? In that case, add getdata_in_qrystring=1 to your querystring.`,
    ),
  getUnsupported: (withId: boolean) =>
    new AssayError(
      'invalid',
      withId ? 'GET method with identifier (read) is not supported.' : 'GET method with no identifier (search) is not supported.',
      { reason: 'get_unsupported' },
    ),
  methodNotAllowed: (allow: string[]) => new AssayError('method_not_allowed', 'Method not supported for this resource', { allow }),
  notImplemented: () => new AssayError('not_implemented', 'Not implemented'),
  pksRequired: () => new AssayError('invalid', 'Requires "pks" as a JSON encoded array.', { reason: 'message' }),
  pksMissingInQuery: () =>
    new AssayError('invalid', 'The querystring must contain a JSON encoded array of primary-keys in the "pks" attribute.', { reason: 'message' }),
};

/** Devilry's words for the core's refusals, by reason; a refusal with no reason here keeps the core's message. */
const REFUSALS: Partial<Record<string, string>> = {
  not_permitted: 'Forbidden',
  inactive: 'Account is not active',
};

/** Django's form errors: messages by field, and those of no field. */
function fieldErrors(fields: FieldProblem[]): { fielderrors: Record<string, string[]>; errormessages: string[] } {
  const fielderrors: Record<string, string[]> = {};
  const errormessages: string[] = [];
  for (const p of fields) {
    if (p.field === null) errormessages.push(p.message);
    else (fielderrors[p.field] ??= []).push(p.message);
  }
  return { fielderrors, errormessages };
}

function fromAssayError(err: AssayError): DevilryError {
  switch (err.kind) {
    case 'invalid': {
      if (err.details.reason === 'get_unsupported') return { status: 400, body: { error: err.message }, headers: {} };
      if (err.details.reason === 'bulk') {
        const items = (err.details.items as FieldProblem[][]).map((fields) => fieldErrors(fields));
        return { status: 400, body: items, headers: {} };
      }
      const fields = err.details.fields;
      if (!fields || err.details.reason) return messages(400, err.message);
      return { status: 400, body: fieldErrors(fields), headers: {} };
    }
    case 'parse_error':
      return messages(400, err.message);
    case 'unauthenticated':
      // Upstream answers a missing login with 403; a failed login is our 401.
      return err.details.reason === 'invalid_credentials' ? messages(401, err.message) : messages(403, 'Authentication required');
    case 'forbidden':
      return messages(403, REFUSALS[err.details.reason ?? ''] ?? err.message);
    case 'not_found':
      // A missing object is a 403 like one the caller may not see; only unknown routes are 404.
      return err.details.reason === 'no_route' ? messages(404, 'Not found') : messages(403, 'Forbidden');
    case 'method_not_allowed': {
      const allow = (err.details.allow as string[] | undefined) ?? [];
      return { status: 405, body: { errormessages: [err.message] }, headers: { allow: allow.join(', ') } };
    }
    case 'conflict':
      return messages(400, err.message);
    case 'too_large':
      return messages(413, 'Request body is too large.');
    case 'unsupported_media_type':
      return messages(415, 'Unsupported media type');
    case 'rate_limited': {
      const out = messages(429, 'Too many requests');
      if (err.details.retryAfterSeconds) out.headers['retry-after'] = String(err.details.retryAfterSeconds);
      return out;
    }
    case 'unavailable':
      return messages(503, err.message || 'Service unavailable');
    case 'not_implemented':
      return messages(501, err.message);
  }
}

/** The one place Devilry errors take their wire shape; ExtJS callers also get `"success": false`. */
export function renderDevilryError(thrown: unknown, method: string, extjs: boolean): DevilryError {
  let err: AssayError | null = isAssayError(thrown) ? thrown : fromDatabaseError(thrown);
  if (!err && thrown && typeof thrown === 'object' && 'code' in thrown) err = fromFrameworkError(thrown as FastifyError, method);
  let out: DevilryError;
  if (err) out = fromAssayError(err);
  else {
    const status = (thrown as { statusCode?: unknown } | null)?.statusCode;
    out = typeof status === 'number' && status >= 400 && status < 500 ? messages(status, 'Bad request') : messages(500, 'Internal server error');
  }
  if (extjs && !Array.isArray(out.body)) out.body = { ...out.body, success: false };
  return out;
}
