import type { OAuthErrorCode } from '../../core/oauth/errors.ts';
import { oauthErrorCode } from '../../core/oauth/errors.ts';
import { isAssayError } from '../../core/errors.ts';

/** Doorkeeper's descriptions of the protocol errors (reference/autolab.md §2.1). */
const DESCRIPTIONS: Partial<Record<OAuthErrorCode, string>> = {
  invalid_grant:
    'The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.',
  invalid_client: 'Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.',
  unsupported_grant_type: 'The authorization grant type is not supported by the authorization server.',
  invalid_scope: 'The requested scope is invalid, unknown, or malformed.',
  invalid_redirect_uri: "The requested redirect uri is malformed or doesn't match client redirect URI.",
  unsupported_response_type: 'The authorization server does not support this response type.',
  access_denied: 'The resource owner or authorization server denied the request.',
  invalid_token: 'The access token is invalid.',
};

/** Autolab's device-flow answers: `{"error": "<message>"}` (reference/autolab.md §2.3). */
const DEVICE_MESSAGES: Partial<Record<OAuthErrorCode, string>> = {
  device_client_id_missing: "Required param 'client_id' not present",
  device_client_id_unknown: 'Unrecognized client_id',
  device_code_missing: "Required param 'device_code' not present",
  device_code_unknown: 'Invalid device_code. User may have denied access',
  authorization_pending: 'authorization_pending',
  device_denied: 'authorization denied by user',
  device_request_failed: 'Failed to create request, try again later',
};

export const RATE_LIMITED_BODY = { error: 'Too Many Requests. Retry Later.' };

export interface OAuthErrorAnswer {
  status: number;
  body: Record<string, string>;
}

/** The description of a protocol error, for JSON answers and error redirects alike. */
export function describeOAuthError(code: OAuthErrorCode, param?: string): string {
  if (code === 'invalid_request') return param ? `Missing required parameter: ${param}.` : 'The request is missing a required parameter, includes an unsupported parameter value, or is otherwise malformed.';
  return DESCRIPTIONS[code] ?? DEVICE_MESSAGES[code] ?? code;
}

/** Every error of `/oauth/…` in its wire shape (the one place the mapping lives). */
export function renderOAuthError(error: unknown): OAuthErrorAnswer {
  const code = oauthErrorCode(error);
  if (code) {
    const device = DEVICE_MESSAGES[code];
    if (device) return { status: code === 'device_request_failed' ? 500 : 400, body: { error: device } };
    const param = isAssayError(error) ? (error.details.param as string | undefined) : undefined;
    const status = code === 'invalid_client' || code === 'invalid_token' ? 401 : 400;
    return { status, body: { error: code, error_description: describeOAuthError(code, param) } };
  }
  if (isAssayError(error) && error.kind === 'rate_limited') return { status: 429, body: RATE_LIMITED_BODY };
  // Input the core refuses outside the protocol's own checks (text holding U+0000, say).
  if (isAssayError(error) && error.kind === 'invalid') return { status: 400, body: { error: 'invalid_request', error_description: describeOAuthError('invalid_request') } };
  const status = (error as { statusCode?: number }).statusCode;
  if (status && status >= 400 && status < 500) return { status, body: { error: 'invalid_request', error_description: describeOAuthError('invalid_request') } };
  return { status: 500, body: { error: 'server_error', error_description: 'The authorization server encountered an unexpected condition which prevented it from fulfilling the request.' } };
}
