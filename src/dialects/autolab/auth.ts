import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor } from '../../core/actor.ts';
import { AssayError } from '../../core/errors.ts';
import type { Services } from '../../core/services.ts';
import type { AutolabParams } from './params.ts';

/** Who an Autolab request speaks for, through which OAuth grant. */
export interface AutolabCaller {
  actor: Actor;
  scopes: string[];
}

const failed = () => new AssayError('unauthenticated', 'OAuth2 authorization failed');

/** Doorkeeper's carriers: `Authorization: Bearer`, then the `access_token` and `bearer_token` parameters. */
export function tokenOf(request: FastifyRequest, params?: AutolabParams): string | null {
  const header = /^\s*bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  if (header) return header[1]!;
  const query = (request.query ?? {}) as Record<string, unknown>;
  for (const name of ['access_token', 'bearer_token']) {
    const value = params?.text(name) ?? query[name];
    if (typeof value === 'string' && value !== '') return value;
  }
  return null;
}

export async function authenticate(services: Services, token: string | null): Promise<AutolabCaller> {
  if (token === null) throw failed();
  const access = await services.oauth.verifyAccessToken(token);
  if (!access) throw failed();
  const actor = await services.users.actorFor(access.userId);
  if (!actor) throw failed();
  return { actor, scopes: access.scopes };
}

/** Counts a request of an authenticated caller (`request.actor`); throws `rate_limited` past the limit. */
export type RateLimiter = (request: FastifyRequest) => Promise<void>;

/**
 * Upstream's limits (API requests, submissions) per authenticated user, whatever carries the
 * token; a refusal is a 429 with upstream's message and `X-RateLimit-*` headers.
 */
export function rateLimiters(app: FastifyInstance, services: Services): { api: RateLimiter; submit: RateLimiter } {
  const settings = services.config.autolab;
  const make = (max: number, seconds: number, group: string): RateLimiter => {
    if (max === 0) return async () => {};
    const check = app.createRateLimit({ max, timeWindow: seconds * 1000, keyGenerator: (req) => `${group}:${req.actor?.id}` });
    return async (request) => {
      const result = await check(request);
      if (!result.isAllowed && result.isExceeded) {
        throw new AssayError('rate_limited', 'Too Many Requests. Retry Later.', { limit: max, resetAt: Math.ceil((Date.now() + result.ttl) / 1000) });
      }
    };
  };
  return {
    api: make(settings.apiRequests, settings.apiWindowSeconds, 'api'),
    submit: make(settings.submitRequests, settings.submitWindowSeconds, 'submit'),
  };
}
