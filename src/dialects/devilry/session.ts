/** Devilry's login cookie and the checks every API request passes (reference §2). */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../../core/actor.ts';
import type { Services } from '../../core/services.ts';
import { tokenUserId } from '../hive/auth.ts';
import { devilryErrors } from './errors.ts';

export const SESSION_COOKIE = 'sessionid';

export function cookieValue(request: FastifyRequest, name: string): string | null {
  const header = request.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return null;
}

export function setSessionCookie(reply: FastifyReply, services: Services, token: string | null): void {
  const secure = services.config.devilry.secureCookie ? '; Secure' : '';
  const value = token === null ? `${SESSION_COOKIE}=; Max-Age=0` : `${SESSION_COOKIE}=${token}`;
  reply.header('set-cookie', `${value}; Path=/; HttpOnly; SameSite=Lax${secure}`);
}

/** A state-changing request from a foreign page (its Origin names another host) is refused. */
export function assertSameOrigin(request: FastifyRequest): void {
  if (request.method === 'GET' || request.method === 'HEAD') return;
  const origin = request.headers.origin;
  if (origin === undefined || origin === 'null') return;
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
  const session = cookieValue(request, SESSION_COOKIE);
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
