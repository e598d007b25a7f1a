// The app's one way to the server: openapi-fetch typed by schema.d.ts (generated from the API's
// own OpenAPI document), the CSRF header on unsafe requests, and one error shape.
import createClient from 'openapi-fetch';
import type { Middleware } from 'openapi-fetch';
import type { paths } from './schema.d.ts';

export const API_BASE = '/api/assay/v1';

let csrfToken: string | null = null;
/** The session's CSRF token (from POST/GET /session/), sent as X-CSRF-Token on unsafe requests. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Called when the server says the caller is not signed in (the session ended or expired). */
let onSignedOut: () => void = () => {};
export function whenSignedOut(callback: () => void): void {
  onSignedOut = callback;
}

const session: Middleware = {
  onRequest({ request }) {
    if (csrfToken !== null && UNSAFE.has(request.method)) request.headers.set('X-CSRF-Token', csrfToken);
    return request;
  },
  onResponse({ response, request }) {
    if (response.status === 401 && !request.url.endsWith('/session/')) onSignedOut();
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: API_BASE, credentials: 'same-origin' });
api.use(session);

/** The API's error envelope: `{type, errors: [{code, detail, attr}]}`. */
interface Envelope {
  type?: string;
  errors?: { code?: string; detail?: string; attr?: string | null }[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly attr: string | null = null,
    /** Every problem the server listed (a 400 names one per field or per file). */
    readonly problems: { attr: string | null; detail: string }[] = [],
  ) {
    super(message);
  }
}

function describe(status: number, body: unknown): ApiError {
  const first = (body as Envelope | undefined)?.errors?.[0];
  const problems = ((body as Envelope | undefined)?.errors ?? []).map((e) => ({ attr: e.attr ?? null, detail: e.detail ?? '' }));
  if (first?.detail) return new ApiError(status, first.code ?? 'error', first.detail, first.attr ?? null, problems);
  if (status === 0) return new ApiError(0, 'network', 'The server cannot be reached. Check your connection and try again.');
  if (status === 413) return new ApiError(status, 'too_large', 'That is larger than the server accepts.');
  return new ApiError(status, 'error', `The server answered ${status}.`);
}

/** The data of an openapi-fetch answer, or an ApiError with the server's own message. */
export async function ok<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let answer: { data?: T; error?: unknown; response: Response };
  try {
    answer = await call;
  } catch {
    throw describe(0, undefined);
  }
  if (!answer.response.ok) throw describe(answer.response.status, answer.error);
  return answer.data as T;
}

/**
 * A request openapi-fetch cannot type (multipart bodies, binary answers) through the same
 * session rules: CSRF header, sign-out on 401, the API's error messages.
 */
export async function rawFetch(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const method = (init.method ?? 'GET').toUpperCase();
  if (csrfToken !== null && UNSAFE.has(method)) headers.set('X-CSRF-Token', csrfToken);
  let response: Response;
  try {
    response = await fetch(API_BASE + path, { ...init, headers, credentials: 'same-origin' });
  } catch {
    throw describe(0, undefined);
  }
  if (response.status === 401) onSignedOut();
  if (!response.ok) throw describe(response.status, await response.json().catch(() => undefined));
  return response;
}
