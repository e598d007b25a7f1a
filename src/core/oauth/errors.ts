import { AssayError } from '../errors.ts';
import type { ErrorKind } from '../errors.ts';

/**
 * The OAuth2 protocol's error codes (RFC 6749 §5.2, §4.1.2.1) and Autolab's device-flow answers.
 * The core names the case; the OAuth dialect words it exactly as upstream does.
 */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'invalid_redirect_uri'
  | 'unsupported_response_type'
  | 'access_denied'
  | 'invalid_token'
  | 'device_client_id_missing'
  | 'device_client_id_unknown'
  | 'device_code_missing'
  | 'device_code_unknown'
  | 'authorization_pending'
  | 'device_denied'
  | 'device_request_failed';

const KIND: Partial<Record<OAuthErrorCode, ErrorKind>> = {
  invalid_client: 'unauthenticated',
  invalid_token: 'unauthenticated',
  device_request_failed: 'unavailable',
};

/** `param`: the missing parameter; `redirectUri`: where the authorization endpoint may send the error. */
export function oauthError(code: OAuthErrorCode, details: { param?: string; redirectUri?: string } = {}): AssayError {
  return new AssayError(KIND[code] ?? 'invalid', code, { reason: 'oauth', oauthError: code, ...details });
}

export function oauthErrorCode(error: unknown): OAuthErrorCode | null {
  if (!(error instanceof AssayError) || error.details.reason !== 'oauth') return null;
  return error.details.oauthError as OAuthErrorCode;
}

/** RFC 6749's "missing parameter" answer. */
export const missingParameter = (param: string, redirectUri?: string): AssayError => oauthError('invalid_request', { param, redirectUri });
