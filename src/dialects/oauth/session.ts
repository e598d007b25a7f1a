import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../../core/actor.ts';
import { oauthError } from '../../core/oauth/errors.ts';
import type { Services } from '../../core/services.ts';

/** The HttpOnly cookie holding a browser session key of the consent and activation pages. */
export const SESSION_COOKIE = 'assay_oauth_session';

export function browserActor(request: FastifyRequest, services: Services): Promise<Actor | null> {
  return services.oauth.sessionActor(request.cookies[SESSION_COOKIE]);
}

export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, key: string, seconds: number): void {
  reply.setCookie(SESSION_COOKIE, key, { path: '/', httpOnly: true, sameSite: 'lax', secure: request.protocol === 'https', maxAge: seconds });
}

export function clearSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/' });
}

/** The longest path the sign-in page returns to: an authorization request is far shorter; more is not echoed in a Location. */
export const MAX_RETURN_TO = 4096;

/** Only local paths of a sane length may be returned to after signing in (no open redirect, no echo of huge input). */
export function safeReturnTo(value: string | undefined, fallback: string): string {
  const local = value && value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\');
  return local && value.length <= MAX_RETURN_TO ? value : fallback;
}

/** Sends the browser to the sign-in page, coming back to `returnTo` afterwards; an over-long one is a 400 `invalid_request`. */
export function toSignIn(reply: FastifyReply, returnTo: string): FastifyReply {
  if (returnTo.length > MAX_RETURN_TO) throw oauthError('invalid_request');
  return reply.redirect(`/oauth/sign_in?return_to=${encodeURIComponent(returnTo)}`, 302);
}

const PAGE_HEADERS = {
  'cache-control': 'no-store',
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
};

export function sendPage(reply: FastifyReply, html: string, status = 200): FastifyReply {
  return reply.code(status).headers(PAGE_HEADERS).type('text/html; charset=utf-8').send(html);
}
