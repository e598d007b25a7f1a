import type { AssayError } from '../../core/errors.ts';
import { asAssayError } from '../hive/errors.ts';

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

function fromKind(err: AssayError): AutolabError {
  switch (err.kind) {
    case 'unauthenticated':
      return error(401, TOKEN_FAILED);
    case 'forbidden':
      return error(403, err.message);
    case 'not_found':
      return error(404, err.message);
    case 'invalid':
    case 'conflict':
    case 'parse_error':
      return error(400, err.message);
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
