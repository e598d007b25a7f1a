import type { FastifyInstance, FastifyReply } from 'fastify';
import { isAssayError } from '../../core/errors.ts';
import type { OAuthErrorCode } from '../../core/oauth/errors.ts';
import { oauthErrorCode } from '../../core/oauth/errors.ts';
import type { AuthorizationRequest } from '../../core/oauth/index.ts';
import type { Services } from '../../core/services.ts';
import { describeOAuthError } from './errors.ts';
import { FORM_TOKEN_FIELD, formToken, sameOriginOnly, sameOriginWithToken } from './forms.ts';
import { codePage, consentPage, messagePage, signInPage } from './pages.ts';
import { requestParams } from './params.ts';
import { browserActor, clearSessionCookie, safeReturnTo, sendPage, setSessionCookie, SESSION_COOKIE, toSignIn } from './session.ts';

const OUT_OF_BAND = 'urn:ietf:wg:oauth:2.0:oob';
const AUTHORIZE_FIELDS = ['client_id', 'redirect_uri', 'response_type', 'scope', 'state'] as const;

function redirectWith(reply: FastifyReply, redirectUri: string, values: Record<string, string | undefined>): FastifyReply {
  const url = new URL(redirectUri);
  for (const [k, v] of Object.entries(values)) if (v !== undefined) url.searchParams.set(k, v);
  return reply.redirect(url.toString(), 302);
}

/**
 * A failed check is redirected to the client when its redirect URI is trusted; otherwise the
 * browser sees an error page (RFC 6749 §4.1.2.1).
 */
function authorizationError(reply: FastifyReply, error: unknown, state: string | undefined): FastifyReply {
  const code = oauthErrorCode(error);
  if (!code || !isAssayError(error)) throw error;
  const description = describeOAuthError(code, error.details.param as string | undefined);
  const redirectUri = error.details.redirectUri as string | undefined;
  if (redirectUri && redirectUri !== OUT_OF_BAND) return redirectWith(reply, redirectUri, { error: code, error_description: description, state });
  return sendPage(reply, messagePage('Authorization failed', description), 400);
}

/** `/oauth/authorize` (consent page, then the code or the refusal), `/oauth/sign_in`, `/oauth/sign_out`. */
export function authorizeRoutes(scope: FastifyInstance, services: Services): void {
  const check = async (params: Record<string, string>): Promise<AuthorizationRequest> =>
    services.oauth.checkAuthorization({ clientId: params.client_id, redirectUri: params.redirect_uri, responseType: params.response_type, scope: params.scope });

  scope.get('/authorize', async (request, reply) => {
    const params = requestParams(request);
    const actor = await browserActor(request, services);
    if (!actor) return toSignIn(reply, request.url);
    let checked: AuthorizationRequest;
    try {
      checked = await check(params);
    } catch (e) {
      return authorizationError(reply, e, params.state);
    }
    const fields: Record<string, string> = {};
    for (const name of AUTHORIZE_FIELDS) if (params[name] !== undefined) fields[name] = params[name];
    fields.redirect_uri = checked.redirectUri;
    fields.scope = checked.scopes.join(' ');
    fields[FORM_TOKEN_FIELD] = formToken(request, reply);
    return sendPage(reply, consentPage(checked.client.name, checked.scopes, fields, '/oauth/authorize'));
  });

  scope.post('/authorize', { preHandler: sameOriginWithToken(scope, services) }, async (request, reply) => {
    const params = requestParams(request);
    const actor = await browserActor(request, services);
    if (!actor) {
      const query = new URLSearchParams(AUTHORIZE_FIELDS.flatMap((k) => (params[k] !== undefined ? [[k, params[k]]] : [])));
      return toSignIn(reply, `/oauth/authorize?${query.toString()}`);
    }
    let checked: AuthorizationRequest;
    try {
      checked = await check(params);
    } catch (e) {
      return authorizationError(reply, e, params.state);
    }
    if (params.decision !== 'approve') {
      const denied: OAuthErrorCode = 'access_denied';
      if (checked.redirectUri === OUT_OF_BAND) return sendPage(reply, messagePage('Authorization denied', describeOAuthError(denied)));
      return redirectWith(reply, checked.redirectUri, { error: denied, error_description: describeOAuthError(denied), state: params.state });
    }
    const code = await services.oauth.grantAuthorization(actor, checked);
    if (checked.redirectUri === OUT_OF_BAND) return sendPage(reply, codePage(code));
    return redirectWith(reply, checked.redirectUri, { code, state: params.state });
  });

  scope.get('/sign_in', async (request, reply) => {
    return sendPage(reply, signInPage(safeReturnTo(requestParams(request).return_to, '/activate')));
  });

  scope.post('/sign_in', { preHandler: sameOriginOnly(services) }, async (request, reply) => {
    const params = requestParams(request);
    const returnTo = safeReturnTo(params.return_to, '/activate');
    let session: Awaited<ReturnType<typeof services.oauth.signIn>> = null;
    try {
      session = params.username && params.password ? await services.oauth.signIn(params.username, params.password, request.ip) : null;
    } catch (e) {
      if (!isAssayError(e) || e.kind !== 'rate_limited') throw e;
      const seconds = e.details.retryAfterSeconds ?? 1;
      reply.header('retry-after', String(seconds));
      return sendPage(reply, signInPage(returnTo, `Too many failed sign-in attempts. Try again in ${Math.ceil(seconds / 60)} minute(s).`), 429);
    }
    if (!session) return sendPage(reply, signInPage(returnTo, 'Invalid username or password.'), 401);
    setSessionCookie(request, reply, session.key, services.config.oauth.sessionSeconds);
    return reply.redirect(returnTo, 303);
  });

  scope.post('/sign_out', { preHandler: sameOriginOnly(services) }, async (request, reply) => {
    await services.oauth.signOut(request.cookies[SESSION_COOKIE]);
    clearSessionCookie(reply);
    return sendPage(reply, messagePage('Signed out', 'You are signed out.'));
  });
}
