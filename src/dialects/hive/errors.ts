import type { FastifyError } from 'fastify';
import { AssayError, fromDatabaseError, isAssayError } from '../../core/errors.ts';

/** drf-standardized-errors envelope: the one place Hive errors take their wire shape. */
export interface HiveErrorBody {
  type: 'validation_error' | 'client_error' | 'server_error';
  errors: { code: string; detail: string; attr: string | null }[];
}

export interface RenderedError {
  status: number;
  body: HiveErrorBody;
  headers: Record<string, string>;
}

/** DRF's words for a refusal the core gives no message of its own (`not_permitted`). */
export const NOT_PERMITTED = 'You do not have permission to perform this action.';

/** DRF's words for a missing object the core gives no message of its own (`no_such_object`). */
export const NOT_FOUND = 'Not found.';

/** An error's words as Hive says them: DRF's defaults for the generic refusal and the generic missing object, else the core's message. */
export function hiveWording(err: AssayError): string {
  if (err.kind === 'forbidden' && err.details.reason === 'not_permitted') return NOT_PERMITTED;
  if (err.kind === 'not_found' && err.details.reason === 'no_such_object') return NOT_FOUND;
  return err.message;
}

const client = (status: number, code: string, detail: string, attr: string | null = null): RenderedError => ({
  status,
  body: { type: 'client_error', errors: [{ code, detail, attr }] },
  headers: {},
});

/** Codes and details of the refusals made before a Hive route runs (see framework-errors.ts). */
const FRAMEWORK_REFUSALS: Record<number, [string, string]> = {
  408: ['request_timeout', 'Request timed out.'],
  413: ['request_too_large', 'Request body is too large.'],
  414: ['uri_too_long', 'Request-URI too long.'],
  431: ['request_header_fields_too_large', 'Request header fields too large.'],
};

/** A refusal by the router or the HTTP parser under `/api/core/` or `/api/assay/v1/`, in drf-standardized-errors' shape. */
export function hiveFrameworkError(url: string, status: number): { status: number; body: HiveErrorBody } | null {
  if (!/^\/api\/(core|assay\/v1)(\/|\?|$)/.test(url)) return null;
  const [code, detail] = FRAMEWORK_REFUSALS[status] ?? ['parse_error', 'Malformed request.'];
  return { status, body: { type: 'client_error', errors: [{ code, detail, attr: null }] } };
}

/** Turns framework errors (body parsing, size limits, media types) into core errors. */
export function fromFrameworkError(err: FastifyError, method: string): AssayError | null {
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return new AssayError('unsupported_media_type', err.message);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
    case 'FST_REQ_FILE_TOO_LARGE':
    case 'FST_PARTS_LIMIT':
    case 'FST_FILES_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return new AssayError('too_large', 'Request body is too large.');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AssayError('parse_error', 'JSON parse error - ' + err.message);
    case 'FST_ERR_VALIDATION':
      return AssayError.field(null, 'invalid', err.message);
    default:
      if (err.statusCode === 405) return new AssayError('method_not_allowed', `Method "${method}" not allowed.`);
      if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500 && err.message.toLowerCase().includes('multipart')) {
        return new AssayError('parse_error', `Multipart form parse error - ${err.message}`);
      }
      return null;
  }
}

/** Any thrown value as a core error: itself, a database constraint, or a framework refusal; null for anything else. */
export function asAssayError(thrown: unknown, method: string): AssayError | null {
  const err = isAssayError(thrown) ? thrown : fromDatabaseError(thrown);
  if (err) return err;
  return thrown && typeof thrown === 'object' && 'code' in thrown ? fromFrameworkError(thrown as FastifyError, method) : null;
}

export function renderHiveError(error: unknown, method: string, contentType: string | undefined): RenderedError {
  let err: AssayError | null = isAssayError(error) ? error : fromDatabaseError(error);
  if (!err && error && typeof error === 'object' && 'code' in error) err = fromFrameworkError(error as FastifyError, method);
  if (!err) return { status: 500, body: { type: 'server_error', errors: [{ code: 'error', detail: 'A server error occurred.', attr: null }] }, headers: {} };
  switch (err.kind) {
    case 'invalid':
    case 'conflict': {
      const fields = err.details.fields ?? [{ field: null, code: err.kind === 'conflict' ? 'unique' : 'invalid', message: err.message }];
      return {
        status: 400,
        body: { type: 'validation_error', errors: fields.map((f) => ({ code: f.code, detail: f.message, attr: f.field ?? 'non_field_errors' })) },
        headers: {},
      };
    }
    case 'parse_error':
      return client(400, 'parse_error', err.message);
    case 'unauthenticated': {
      const out = client(401, err.details.reason ?? 'not_authenticated', err.message);
      out.headers['www-authenticate'] = 'Bearer realm="api"';
      return out;
    }
    case 'forbidden':
      return client(403, 'permission_denied', hiveWording(err));
    case 'not_found':
      return client(404, 'not_found', NOT_FOUND);
    case 'method_not_allowed':
      return client(405, 'method_not_allowed', `Method "${method}" not allowed.`);
    case 'unsupported_media_type':
      // DRF names the media type; a long one is cut so the answer stays small.
      return client(415, 'unsupported_media_type', `Unsupported media type "${(contentType ?? '').split(';')[0]!.slice(0, 100)}" in request.`);
    case 'too_large': {
      const field = err.details.fields?.[0]?.field ?? null;
      return client(413, field ? 'max_size' : 'request_too_large', err.message, field);
    }
    case 'rate_limited': {
      const seconds = err.details.retryAfterSeconds ?? 1;
      const out = client(429, 'throttled', `Request was throttled. Expected available in ${seconds} seconds.`);
      out.headers['retry-after'] = String(seconds);
      return out;
    }
    case 'unavailable':
      return { status: 503, body: { type: 'server_error', errors: [{ code: 'service_unavailable', detail: err.message, attr: null }] }, headers: {} };
    case 'not_implemented':
      return { status: 501, body: { type: 'server_error', errors: [{ code: 'not_implemented', detail: err.message, attr: null }] }, headers: {} };
  }
}
