/**
 * Browser sessions on Assay's own API: the web app signs in with a username and password and
 * then calls `/api/assay/v1/` with an HttpOnly cookie instead of a Bearer token. The sessions are
 * the core's browser sessions (rows in the database, shared with the OAuth consent pages: one
 * sign-in per browser), the password check is the core's, within the sign-in limits.
 *
 * Cookie-authenticated requests that change something (POST, PUT, PATCH, DELETE) must carry the
 * CSRF token (`X-CSRF-Token`) given by the session answers (@fastify/csrf-protection; its secret
 * in an HttpOnly SameSite=Strict cookie). Bearer requests need none: another site cannot make a
 * browser send an Authorization header.
 */
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../../core/actor.ts';
import { globalRole } from '../../core/actor.ts';
import { AssayError } from '../../core/errors.ts';
import type { Services } from '../../core/services.ts';
import { isCrossOrigin } from '../oauth/forms.ts';
import { SESSION_COOKIE, clearSessionCookie, setSessionCookie } from '../oauth/session.ts';
import { readHiveBody } from '../hive/body.ts';
import type { HiveRouter } from '../hive/router.ts';
import { EMPTY } from '../hive/router.ts';
import { validateBody } from '../hive/validate.ts';
import { ErrorEnvelope } from './checker-wire.ts';

/** The CSRF secret's cookie (HttpOnly: the app never reads cookies; it gets tokens from the API). */
const CSRF_SECRET_COOKIE = 'assay_csrf';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Cookie sessions for a Hive-shaped scope (see hivePlugin's `extend`): sets `request.actor` from
 * the session cookie of a request without an Authorization header, and refuses an unsafe such
 * request without a valid CSRF token. Runs before the scope's own Bearer authentication, which
 * then leaves a cookie's actor in place. Public routes (signing in) use no cookie.
 */
export function cookieSessions(services: Services) {
  return async (scope: FastifyInstance): Promise<void> => {
    await scope.register(cookie);
    await scope.register(csrf, { cookieKey: CSRF_SECRET_COOKIE, cookieOpts: { path: '/', sameSite: 'strict', httpOnly: true } });
    scope.addHook('onRequest', (request, reply, done) => {
      const config = request.routeOptions.config as { public?: boolean } | undefined;
      if (!config || config.public || request.is404 || request.headers.authorization) return done();
      services.oauth.sessionActor(request.cookies[SESSION_COOKIE]).then((actor) => {
        if (!actor) return done();
        request.actor = actor;
        if (SAFE_METHODS.has(request.method)) return done();
        // The plugin sends its refusal itself; this one goes through the scope's error handler, in its envelope.
        const refusing = Object.create(reply, { send: { value: () => done(csrfRefused()) } }) as FastifyReply;
        scope.csrfProtection(request, refusing, done);
      }, done);
    });
  };
}

const csrfRefused = () => AssayError.forbidden('CSRF Failed: CSRF token missing or incorrect.');

function csrfToken(request: FastifyRequest, reply: FastifyReply): string {
  return reply.generateCsrf({ path: '/', sameSite: 'strict', httpOnly: true, secure: request.protocol === 'https' });
}

export const MeWire = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  first_name: Type.String(),
  last_name: Type.String(),
  email: Type.String(),
  clearance: Type.Union([Type.Literal(1), Type.Literal(2), Type.Literal(3), Type.Literal(5)]),
  role: Type.Union([Type.Literal('student'), Type.Literal('checker'), Type.Literal('staff'), Type.Literal('admin')], {
    description: 'The global role its clearance gives; per-course roles are in /me/courses/.',
  }),
});
const SessionWire = Type.Object({ user: MeWire, csrf_token: Type.String({ description: 'Send back as X-CSRF-Token on POST, PUT, PATCH and DELETE.' }) });
const SignInRequest = Type.Object({ username: Type.String({ minLength: 1, maxLength: 150 }), password: Type.String({ minLength: 1, maxLength: 4096 }) });

async function me(services: Services, actor: Actor) {
  const profile = await services.users.accountProfile(actor, actor.id);
  return { id: actor.id, username: actor.username, first_name: profile.first_name, last_name: profile.last_name, email: profile.email, clearance: actor.clearance, role: globalRole(actor) };
}

/** Error answers, in Hive's envelope (429: past the sign-in limits, with Retry-After). */
const ERRORS = { 400: ErrorEnvelope, 401: ErrorEnvelope, 403: ErrorEnvelope, 429: ErrorEnvelope };
const doc = (operationId: string, summary: string, extra: { response?: object } & Record<string, unknown> = {}) => ({ operationId, summary, tags: ['session'], ...extra, response: { ...ERRORS, ...extra.response } });

/**
 * - `POST /session/` `{username, password}`: signs in; 200 `{user, csrf_token}` and the session
 *   cookie. 401 wrong credentials, 429 past the sign-in limits, 403 from another site.
 * - `GET /session/`: the signed-in user and a CSRF token; 401 without a session.
 * - `GET /session/csrf/`: a CSRF token.
 * - `DELETE /session/`: ends the session on the server and clears the cookie; 204.
 */
export function sessionRoutes(router: HiveRouter): void {
  router.post(
    '/session/',
    { public: true, status: 200, schema: doc('assay_session_create', 'Sign in: a browser session cookie', { body: SignInRequest, response: { 200: SessionWire } }) },
    async ({ request, reply, services }) => {
      if (isCrossOrigin(request, services.config.publicUrl)) throw AssayError.forbidden('Cross-origin sign-in refused.');
      const body = await readHiveBody(request, services);
      const input = validateBody<{ username: string; password: string }>(SignInRequest, body.data, { form: body.form });
      const signed = await services.oauth.signIn(input.username, input.password, request.ip);
      if (!signed) throw new AssayError('unauthenticated', 'No active account found with the given credentials', { reason: 'authentication_failed' });
      // A session from before (another user's, perhaps) ends with this sign-in.
      await services.oauth.signOut(request.cookies[SESSION_COOKIE]);
      setSessionCookie(request, reply, signed.key, services.config.oauth.sessionSeconds);
      return { user: await me(services, signed.actor), csrf_token: csrfToken(request, reply) };
    },
  );

  router.get('/session/', { schema: doc('assay_session_retrieve', 'The signed-in user and a CSRF token', { response: { 200: SessionWire } }) }, async ({ request, reply, services, actor }) => ({
    user: await me(services, actor),
    csrf_token: csrfToken(request, reply),
  }));

  router.get(
    '/session/csrf/',
    { public: true, schema: doc('assay_session_csrf', 'A CSRF token for cookie-authenticated unsafe requests', { response: { 200: Type.Object({ csrf_token: Type.String() }) } }) },
    async ({ request, reply }) => ({ csrf_token: csrfToken(request, reply) }),
  );

  router.delete('/session/', { schema: doc('assay_session_destroy', 'Sign out: ends the session on the server', { response: { 204: Type.Null({ description: 'Signed out; the cookie is cleared.' }) } }) }, async ({ request, reply, services }) => {
    await services.oauth.signOut(request.cookies[SESSION_COOKIE]);
    clearSessionCookie(reply);
    return EMPTY;
  });
}
