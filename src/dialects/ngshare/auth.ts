import type { FastifyRequest } from 'fastify';
import type { Actor } from '../../core/actor.ts';
import { AssayError, isAssayError } from '../../core/errors.ts';
import { sha256Hex } from '../../core/identity/tokens.service.ts';
import type { Services } from '../../core/services.ts';
import { tokenUserId } from '../hive/auth.ts';
import { argsFrom, spooledArgs } from './args.ts';
import { isSpooledForm } from './form-spool.ts';

/** Who an ngshare request comes from; every failure is a 401 `Login required`. */
export type NgshareAuthenticator = (request: FastifyRequest) => Promise<Actor>;

const loginRequired = () => new AssayError('unauthenticated', 'Login required', { reason: 'login_required' });

/** `Authorization: token <t>` (what ngshare_exchange sends) or `Bearer <t>`, scheme in any case. */
export function credentialOf(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (!header) return null;
  const match = /^\s*(token|bearer)\s+(\S+)\s*$/i.exec(header);
  return match ? match[2]! : null;
}

/** Assay's own personal API tokens and JWT access tokens, as on every other dialect. */
function assayAuthenticator(services: Services): NgshareAuthenticator {
  return async (request) => {
    const token = credentialOf(request);
    if (token === null) throw loginRequired();
    // An invalid JWT throws; anything else (a database failure) is not the caller's fault.
    const userId = await tokenUserId(token, services).catch((err: unknown) => {
      if (isAssayError(err)) return null;
      throw err;
    });
    const actor = userId === null ? null : await services.users.actorFor(userId);
    if (!actor) throw loginRequired();
    return actor;
  };
}

const HUB_CACHE_MS = 60_000;
const HUB_CACHE_ENTRIES = 10_000;
const HUB_TIMEOUT_MS = 10_000;

/**
 * JupyterHub: the token is whatever the hub says it is (`GET {hub}/user`, the `name` of the
 * answer), as upstream ngshare does. Answers are remembered for up to a minute per token, so a
 * busy exchange does not ask the hub on every request; refusals are not remembered, so a new
 * token works at once. Users are created the first time they are seen.
 */
function hubAuthenticator(services: Services, hubUrl: string): NgshareAuthenticator {
  const cache = new Map<string, { username: string; until: number }>();

  async function askHub(token: string): Promise<string | null> {
    let res: Response;
    try {
      res = await fetch(`${hubUrl}/user`, { headers: { authorization: `token ${token}` }, signal: AbortSignal.timeout(HUB_TIMEOUT_MS) });
    } catch (err) {
      throw new AssayError('unavailable', 'Authentication service unavailable', { cause: (err as Error).message });
    }
    if (res.status === 401 || res.status === 403 || res.status === 404) {
      await res.body?.cancel();
      return null;
    }
    const body: unknown = res.ok ? await res.json().catch(() => null) : null;
    const name = (body as { name?: unknown } | null)?.name;
    if (!res.ok || typeof name !== 'string' || name === '') {
      throw new AssayError('unavailable', 'Authentication service unavailable', { status: res.status });
    }
    return name;
  }

  return async (request) => {
    const token = credentialOf(request);
    if (token === null) throw loginRequired();
    const key = sha256Hex(token);
    const now = services.clock.nowMs();
    const cached = cache.get(key);
    let username = cached && cached.until > now ? cached.username : null;
    if (username === null) {
      cache.delete(key);
      username = await askHub(token);
      if (username === null) throw loginRequired();
      if (cache.size >= HUB_CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
      cache.set(key, { username, until: now + HUB_CACHE_MS });
    }
    const actor = await services.exchangeCourses.actorNamed(username);
    if (!actor) throw loginRequired();
    return actor;
  };
}

/**
 * Development only (upstream's stand-alone "vngshare"): the caller is whoever the `user`
 * argument names (query string or form body), created on first sight; no `user` is a 401.
 */
function devAuthenticator(services: Services): NgshareAuthenticator {
  return async (request) => {
    const query = (request.query ?? {}) as Record<string, unknown>;
    const args = isSpooledForm(request.body) ? await spooledArgs(query, request.body) : argsFrom(query, {});
    const username = args.argument('user');
    if (!username) throw loginRequired();
    const actor = await services.exchangeCourses.actorNamed(username);
    if (!actor) throw loginRequired();
    return actor;
  };
}

export function ngshareAuthenticator(services: Services): NgshareAuthenticator {
  const { ngshareAuth, jupyterhubApiUrl } = services.config;
  if (ngshareAuth === 'dev') return devAuthenticator(services);
  return ngshareAuth === 'hub' && jupyterhubApiUrl ? hubAuthenticator(services, jupyterhubApiUrl) : assayAuthenticator(services);
}

/**
 * When authentication runs: as the request arrives (so a refused caller never gets to send a
 * large body), except in development mode, where the name may be in the form body.
 */
export function ngshareAuthHook(services: Services): 'onRequest' | 'preHandler' {
  return services.config.ngshareAuth === 'dev' ? 'preHandler' : 'onRequest';
}
