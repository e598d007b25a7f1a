import assert from 'node:assert/strict';
import type { TestServer } from '../helpers/harness.ts';
import { actorClient, makeUser, PASSWORD } from '../helpers/fixtures.ts';
import { call } from '../helpers/http.ts';

export const CLI_SCOPES = ['user_info', 'user_courses', 'user_scores', 'user_submit'];

export interface RegisteredClient {
  id: number;
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
  scopes: string[];
}

/** Registers a client through `POST /api/assay/v1/oauth/clients/` as a fresh admin. */
export async function registerClient(server: TestServer, redirectUris = ['https://app.example/callback'], scopes = CLI_SCOPES): Promise<RegisteredClient> {
  const admin = await actorClient(server, 5);
  const res = await admin.api.post('/api/assay/v1/oauth/clients/', { json: { name: 'Test app', redirect_uris: redirectUris, scopes } });
  assert.equal(res.status, 201, res.text);
  return res.body as RegisteredClient;
}

const setCookie = (res: { headers: Record<string, unknown> }, name: string): string | undefined =>
  [res.headers['set-cookie']].flat().map(String).find((c) => c.startsWith(`${name}=`));

/**
 * Signs a user in on the browser form, then opens a page as a browser would; returns the Cookie
 * header to send afterwards (the session and the form-token secret).
 */
export async function browserSession(server: TestServer, username: string, password = PASSWORD): Promise<string> {
  const res = await call(server.app, 'POST', '/oauth/sign_in', { form: { username, password, return_to: '/activate' } });
  assert.equal(res.status, 303, res.text);
  const session = setCookie(res, 'assay_oauth_session');
  assert.ok(session, 'session cookie set');
  assert.match(session, /HttpOnly/i);
  const page = await call(server.app, 'GET', '/activate', { headers: { cookie: session.split(';')[0]! } });
  const secret = setCookie(page, 'assay_oauth_csrf');
  assert.ok(secret, 'form-token secret cookie set with the first page');
  assert.match(secret, /HttpOnly/i);
  assert.match(secret, /SameSite=Strict/i);
  return `${session.split(';')[0]!}; ${secret.split(';')[0]!}`;
}

/** The value of a page's hidden form field. */
export function hiddenField(html: string, name: string): string {
  const value = new RegExp(`<input type="hidden" name="${name}" value="([^"]*)">`).exec(html)?.[1];
  assert.ok(value !== undefined, `no hidden ${name} in ${html}`);
  return value;
}

/** The form token the pages of this browser session carry (`_csrf`). */
export async function formToken(server: TestServer, cookie: string): Promise<string> {
  const page = await call(server.app, 'GET', '/activate', { headers: { cookie } });
  assert.equal(page.status, 200, page.text);
  return hiddenField(page.text, '_csrf');
}

/** A new user signed in on the browser pages. */
export async function signedInUser(server: TestServer) {
  const user = await makeUser(server, 1);
  return { user, cookie: await browserSession(server, user.username) };
}

/** Consents on the authorize form and returns the code from the redirect. */
export async function authorizationCode(server: TestServer, client: RegisteredClient, cookie: string, scope = 'user_info user_courses', state = 'xyz'): Promise<string> {
  const query = new URLSearchParams({ client_id: client.client_id, redirect_uri: client.redirect_uris[0]!, response_type: 'code', scope, state });
  const consent = await call(server.app, 'GET', `/oauth/authorize?${query}`, { headers: { cookie } });
  assert.equal(consent.status, 200, consent.text);
  const res = await call(server.app, 'POST', '/oauth/authorize', {
    headers: { cookie },
    form: { ...Object.fromEntries(query), _csrf: hiddenField(consent.text, '_csrf'), decision: 'approve' },
  });
  assert.equal(res.status, 302, res.text);
  const location = new URL(String(res.headers.location));
  assert.equal(location.searchParams.get('state'), state);
  return location.searchParams.get('code')!;
}

/** `POST /oauth/token` with form-encoded client credentials, as autolab-cli sends them. */
export function tokenRequest(server: TestServer, form: Record<string, string>) {
  return call(server.app, 'POST', '/oauth/token', { form });
}

export const INVALID_GRANT = {
  error: 'invalid_grant',
  error_description:
    'The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.',
};
export const INVALID_CLIENT = {
  error: 'invalid_client',
  error_description: 'Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.',
};
export const UNSUPPORTED_GRANT = { error: 'unsupported_grant_type', error_description: 'The authorization grant type is not supported by the authorization server.' };
export const missing = (name: string) => ({ error: 'invalid_request', error_description: `Missing required parameter: ${name}.` });
