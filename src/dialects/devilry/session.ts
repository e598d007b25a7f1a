/** Devilry's login cookie and the checks every API request passes (reference §2). */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../../core/actor.ts';
import type { Services } from '../../core/services.ts';
import { tokenUserId } from '../hive/auth.ts';
import { devilryErrors } from './errors.ts';

export const SESSION_COOKIE = 'sessionid';

/** The login cookie's value (parsed by @fastify/cookie, registered in every Devilry scope), or null. */
export function sessionKey(request: FastifyRequest): string | null {
  return request.cookies[SESSION_COOKIE] || null;
}

/** Sets the login cookie for the session's lifetime, or (null) clears it. */
export function setSessionCookie(reply: FastifyReply, services: Services, key: string | null): void {
  const options = { path: '/', httpOnly: true, sameSite: 'lax', secure: services.config.devilry.secureCookie } as const;
  if (key === null) reply.clearCookie(SESSION_COOKIE, options);
  else reply.setCookie(SESSION_COOKIE, key, { ...options, maxAge: services.examination.sessions.lifetimeSeconds });
}

/**
 * A state-changing request from a foreign page is refused: an Origin naming another host, or
 * `null` (a sandboxed frame, a redirect across sites, a `data:` page: never this server's own page).
 */
export function assertSameOrigin(request: FastifyRequest): void {
  if (request.method === 'GET' || request.method === 'HEAD') return;
  const origin = request.headers.origin;
  if (origin === undefined) return;
  let same = false;
  try {
    // Both through URL, so a default port written out (`host:80`) compares equal to none.
    same = new URL(origin).host === new URL(`${new URL(origin).protocol}//${request.headers.host ?? ''}`).host;
  } catch {
    same = false;
  }
  if (!same) throw devilryErrors.crossOrigin();
}

/** The caller: the login cookie, or (for scripts) an Assay bearer token. */
export async function devilryActor(request: FastifyRequest, services: Services): Promise<Actor> {
  const session = sessionKey(request);
  if (session) {
    const actor = await services.examination.sessions.actorOf(session);
    if (actor) return actor;
  }
  const bearer = /^\s*bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
  if (bearer) {
    const userId = await tokenUserId(bearer, services).catch(() => null);
    const actor = userId === null ? null : await services.users.actorFor(userId);
    if (actor) return actor;
  }
  throw devilryErrors.authenticationRequired();
}
