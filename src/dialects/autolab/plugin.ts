import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import { sharedRateLimitStore } from '../../redis/rate-limit.ts';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../core/services.ts';
import type { FrameworkErrorRenderer } from '../framework-errors.ts';
import type { RawBody } from '../hive/body.ts';
import { rateLimiters } from './auth.ts';
import { autolabFrameworkAnswer, INVALID_PATH, renderAutolabError } from './errors.ts';
import { AUTOLAB_JSON, AutolabRouter, answerUnknownPath, sendJson } from './router.ts';
import { assessmentRoutes } from './routes/assessments.ts';
import { courseRoutes } from './routes/courses.ts';
import { courseUserDataRoutes } from './routes/course-user-data.ts';
import { groupRoutes } from './routes/groups.ts';
import { scoreRoutes } from './routes/scores.ts';
import { submissionRoutes } from './routes/submissions.ts';

export const AUTOLAB_PREFIX = '/api/v1';

/**
 * Autolab API v1 under `/api/v1/`: Rails-style parameters from the query and any body (kept raw
 * until the handler reads them, after the token check), OAuth2 access tokens, upstream's rate
 * limits, and `{"error": …}` for every failure, unknown paths included.
 */
export async function registerAutolab(app: FastifyInstance, services: Services): Promise<void> {
  await app.register(
    async (scope) => {
      scope.setValidatorCompiler(() => () => true);
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => done(null, { kind: 'json', text: body as string } satisfies RawBody));
      scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
        done(null, { kind: 'form', text: body as string } satisfies RawBody),
      );
      // Other bodies carry no parameters: read and ignored.
      scope.addContentTypeParser('*', (_req, payload, done) => {
        payload.on('error', done);
        payload.on('end', () => done(null, undefined));
        payload.resume();
      });
      await scope.register(multipart, { limits: { fileSize: services.config.maxUploadBytes + 1, parts: 1000 } });
      await scope.register(rateLimit, { global: false, ...sharedRateLimitStore(services, 'autolab') });

      scope.setErrorHandler(async (error, request, reply) => {
        const rendered = renderAutolabError(error, request.method);
        if (rendered.status >= 500) request.log.error({ err: error }, 'request failed');
        for (const [name, value] of Object.entries(rendered.headers ?? {})) reply.header(name, value);
        return reply.code(rendered.status).type(AUTOLAB_JSON).send(JSON.stringify(rendered.body));
      });
      scope.setNotFoundHandler(async (request, reply) => {
        await answerUnknownPath(request, services);
        return sendJson(reply, 404, { error: INVALID_PATH });
      });

      const router = new AutolabRouter(scope, services, rateLimiters(scope, services));
      courseRoutes(router);
      assessmentRoutes(router);
      submissionRoutes(router);
      scoreRoutes(router);
      groupRoutes(router);
      courseUserDataRoutes(router);
    },
    { prefix: AUTOLAB_PREFIX },
  );
}

/** Requests refused before any plugin sees them, rendered in this dialect's envelope when they are its own. */
export const autolabFrameworkError: FrameworkErrorRenderer = (url, status) => autolabFrameworkAnswer(url, status);
