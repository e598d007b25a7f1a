/**
 * The browser pages' forms are refused when another site sends them: a signed-in browser must
 * not approve an attacker's device code or authorization request by a cross-site POST. Two
 * checks: the Origin (and Fetch Metadata) must be this server's, and a form token issued with the
 * page (@fastify/csrf-protection, its secret in an HttpOnly SameSite=Strict cookie) must come back.
 */
import csrf from '@fastify/csrf-protection';
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerHookHandler } from 'fastify';
import { AssayError } from '../../core/errors.ts';
import type { Services } from '../../core/services.ts';
import { messagePage } from './pages.ts';
import { browserActor, sendPage } from './session.ts';

/** The hidden field that carries the form token. */
export const FORM_TOKEN_FIELD = '_csrf';
const SECRET_COOKIE = 'assay_oauth_csrf';

export async function registerFormTokens(scope: FastifyInstance): Promise<void> {
  await scope.register(csrf, { cookieKey: SECRET_COOKIE, cookieOpts: { path: '/', sameSite: 'strict', httpOnly: true } });
}

/** The token a page's form carries back (the secret cookie is set with the first page). */
export function formToken(request: FastifyRequest, reply: FastifyReply): string {
  return reply.generateCsrf({ path: '/', sameSite: 'strict', httpOnly: true, secure: request.protocol === 'https' });
}

function ownOrigins(request: FastifyRequest, publicUrl: string | null): Set<string> {
  const own = new Set<string>();
  for (const base of [`${request.protocol}://${request.host}`, publicUrl]) {
    if (!base) continue;
    try {
      own.add(new URL(base).origin);
    } catch {
      // A Host header that is no host names no origin of ours.
    }
  }
  return own;
}

/** A foreign Origin (`null` included: sandboxed frames, cross-site redirects) or a cross-site fetch. */
export function isCrossOrigin(request: FastifyRequest, publicUrl: string | null): boolean {
  if (request.headers['sec-fetch-site'] === 'cross-site') return true;
  const origin = request.headers.origin;
  if (origin === undefined) return false;
  try {
    return !ownOrigins(request, publicUrl).has(new URL(origin).origin);
  } catch {
    return true;
  }
}

const crossOrigin = () => new AssayError('forbidden', 'Cross-origin request refused', { reason: 'cross_origin' });

/** Sign-in and sign-out forms: same origin only. */
export function sameOriginOnly(services: Services): preHandlerHookHandler {
  return (request, _reply, done) => done(isCrossOrigin(request, services.config.publicUrl) ? crossOrigin() : undefined);
}

/**
 * Forms acting for the signed-in user: same origin, and the page's form token. A request without
 * a live session acts for nobody (the handler sends it to the sign-in page) and needs no token.
 */
export function sameOriginWithToken(scope: FastifyInstance, services: Services): preHandlerHookHandler {
  return (request, reply, done) => {
    if (isCrossOrigin(request, services.config.publicUrl)) return done(crossOrigin());
    browserActor(request, services).then(
      (actor) => (actor ? scope.csrfProtection(request, reply, done) : done()),
      (error: Error) => done(error),
    );
  };
}

/** A refused form (foreign origin, missing or wrong token) as a page; null for any other error. */
export function refusedFormPage(error: unknown, reply: FastifyReply): FastifyReply | null {
  const code = (error as { code?: unknown } | null)?.code;
  const refused = (error instanceof AssayError && error.details.reason === 'cross_origin') || (typeof code === 'string' && code.startsWith('FST_CSRF_'));
  if (!refused) return null;
  return sendPage(reply, messagePage('Request refused', 'This form was sent from another site, or has expired. Go back, reload the page and try again.'), 403);
}
