import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import { sharedRateLimitStore } from '../../redis/rate-limit.ts';
import type { FastifyInstance } from 'fastify';
import { AssayError } from '../../core/errors.ts';
import type { Services } from '../../core/services.ts';
import type { FrameworkErrorRenderer } from '../framework-errors.ts';
import { activateRoutes } from './activate-routes.ts';
import { authorizeRoutes } from './authorize-routes.ts';
import { isThrottledLivePoll, deviceRoutes } from './device-routes.ts';
import { renderOAuthError } from './errors.ts';
import { refusedFormPage, registerFormTokens } from './forms.ts';
import { tokenRoutes } from './token-routes.ts';

const JSON_TYPE = 'application/json; charset=utf-8';

/** The OpenAPI document describes Hive's and Assay's own API; Autolab's wire protocol stays out of it, as ngshare's does. */
function hideFromOpenApi(scope: FastifyInstance): void {
  scope.addHook('onRoute', (route) => {
    route.schema = { ...route.schema, hide: true } as typeof route.schema;
  });
}

/** OAuth2 server for Autolab's clients: `/oauth/…` and `/activate` (Assay's own endpoints are in src/dialects/assay/oauth.ts). */
export async function registerOAuth(app: FastifyInstance, services: Services): Promise<void> {
  await app.register(
    async (scope) => {
      hideFromOpenApi(scope);
      await scope.register(formbody, { bodyLimit: services.config.maxBodyBytes });
      await scope.register(cookie);
      await registerFormTokens(scope);
      await scope.register(rateLimit, {
        global: false,
        ...sharedRateLimitStore(services, 'oauth'),
        errorResponseBuilder: (_request, context) =>
          new AssayError('rate_limited', 'Too Many Requests. Retry Later.', { limit: context.max, resetAt: Math.ceil((Date.now() + context.ttl) / 1000) }),
      });
      scope.setErrorHandler(async (error, request, reply) => {
        const refused = refusedFormPage(error, reply);
        if (refused) return refused;
        const limited = error instanceof AssayError && error.kind === 'rate_limited';
        if (limited) {
          for (const h of ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'retry-after']) reply.removeHeader(h);
          if (await isThrottledLivePoll(request, services)) return reply.code(400).type(JSON_TYPE).send({ error: 'authorization_pending' });
          reply.headers({ 'X-RateLimit-Limit': String(error.details.limit), 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': String(error.details.resetAt) });
        }
        const answer = renderOAuthError(error);
        if (answer.status >= 500) request.log.error({ err: error }, 'request failed');
        return reply.code(answer.status).type(JSON_TYPE).send(answer.body);
      });
      scope.setNotFoundHandler(async (_request, reply) => reply.code(404).type(JSON_TYPE).send({ error: 'Not found' }));
      tokenRoutes(scope, services);
      deviceRoutes(scope, services);
      authorizeRoutes(scope, services);
    },
    { prefix: '/oauth' },
  );
  await app.register(async (scope) => {
    hideFromOpenApi(scope);
    await scope.register(formbody, { bodyLimit: services.config.maxBodyBytes });
    await scope.register(cookie);
    await registerFormTokens(scope);
    scope.setErrorHandler(async (error, request, reply) => {
      const refused = refusedFormPage(error, reply);
      if (refused) return refused;
      const answer = renderOAuthError(error);
      if (answer.status >= 500) request.log.error({ err: error }, 'request failed');
      return reply.code(answer.status).type(JSON_TYPE).send(answer.body);
    });
    activateRoutes(scope, services);
  });
}

/** Requests refused before any plugin sees them, rendered in this dialect's envelope when they are its own. */
export const oauthFrameworkError: FrameworkErrorRenderer = (url, status) => {
  const path = url.split('?')[0]!;
  if (!path.startsWith('/oauth/') && path !== '/oauth' && path !== '/activate' && !path.startsWith('/activate/')) return null;
  const answer = renderOAuthError(Object.assign(new Error('refused'), { statusCode: status }));
  return { status: answer.status, body: answer.body };
};
