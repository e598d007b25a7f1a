import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import { sharedRateLimitStore } from '../../redis/rate-limit.ts';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { CoreAction } from '../../core/attempts.ts';
import { assertMayAttempt } from '../../core/attempts.ts';
import { AssayError } from '../../core/errors.ts';
import type { Services } from '../../core/services.ts';
import { bearerActor } from './auth.ts';
import type { RawBody } from './body.ts';
import { NOT_FOUND, renderHiveError } from './errors.ts';
import { HiveRouter } from './router.ts';

export type HiveRoutes = (router: HiveRouter, services: Services) => void;

/**
 * Everything Hive-shaped around a set of routes: raw body capture, bearer authentication,
 * view-level permission (the core action a route names, asked of the core), the drf-standardized-errors envelope, 404 and 405 answers.
 * Used for `/api/core/` and for Assay's own `/api/assay/v1/`.
 */
export function hivePlugin(services: Services, routes: HiveRoutes[], extend?: (app: FastifyInstance) => Promise<void>): FastifyPluginAsync {
  return async (app: FastifyInstance) => {
    // Schemas document the routes; bodies and queries are validated DRF-style inside handlers,
    // after the object lookup, so the checks run in upstream's order.
    app.setValidatorCompiler(() => () => true);
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: services.config.maxBodyBytes }, (_req, body, done) => {
      done(null, { kind: 'json', text: body as string } satisfies RawBody);
    });
    app.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: services.config.maxBodyBytes },
      (_req, body, done) => done(null, { kind: 'form', text: body as string } satisfies RawBody),
    );
    await app.register(multipart, {
      limits: { fileSize: services.config.maxUploadBytes + 1, fieldSize: services.config.maxBodyBytes, parts: 10_000 },
    });

    // Only routes that ask for it (`rateLimit` in their options) are limited.
    await app.register(rateLimit, {
      global: false,
      ...sharedRateLimitStore(services, 'hive'),
      errorResponseBuilder: (_request, context) =>
        new AssayError('rate_limited', 'Request was throttled.', { retryAfterSeconds: Math.max(1, Math.ceil(context.ttl / 1000)) }),
    });

    // Another way of authenticating (Assay's cookie sessions) hooks in before the Bearer check below.
    if (extend) await extend(app);

    app.addHook('onRequest', async (request) => {
      const config = request.routeOptions.config as { public?: boolean; action?: CoreAction } | undefined;
      if (!config || request.is404) return;
      const accept = request.headers.accept;
      if (accept && !/(^|[\s,])(\*\/\*|application\/\*|application\/json|application\/vnd\.oai\.openapi[^,]*)(\s*;[^,]*)?($|,)/i.test(accept) && !/application\/(zip|pdf|octet-stream)|text\/(event-stream|plain)/i.test(accept)) {
        throw Object.assign(new Error('not acceptable'), { statusCode: 406, code: 'ASSAY_NOT_ACCEPTABLE' });
      }
      if (config.public) {
        if (request.headers.authorization) request.actor = await bearerActor(request, services).catch(() => null);
        return;
      }
      request.actor ??= await bearerActor(request, services);
      if (config.action) assertMayAttempt(request.actor, config.action);
    });

    app.setErrorHandler(async (error, request, reply) => {
      if ((error as { code?: string }).code === 'ASSAY_NOT_ACCEPTABLE') {
        return reply
          .code(406)
          .type('application/json')
          .send({ type: 'client_error', errors: [{ code: 'not_acceptable', detail: 'Could not satisfy the request Accept header.', attr: null }] });
      }
      const rendered = renderHiveError(error, request.method, request.headers['content-type']);
      if (rendered.status >= 500) request.log.error({ err: error }, 'request failed');
      reply.code(rendered.status).headers(rendered.headers).type('application/json');
      return reply.send(rendered.body);
    });

    app.setNotFoundHandler(async (_request, reply) => {
      return reply.code(404).type('application/json').send({ type: 'client_error', errors: [{ code: 'not_found', detail: NOT_FOUND, attr: null }] });
    });

    const router = new HiveRouter(app, services);
    for (const register of routes) register(router, services);
    router.finish();
  };
}
