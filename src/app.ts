import swagger from '@fastify/swagger';
import Fastify from 'fastify';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Services } from './core/services.ts';
import { assayRoutes, assayScope } from './dialects/assay/routes.ts';
import { assayApiDocs, registerAssayOpenApi } from './dialects/assay/openapi.ts';
import { hiveRoutes } from './dialects/hive/routes/index.ts';
import { hivePlugin } from './dialects/hive/plugin.ts';
import { ngshareFrameworkError, registerNgshare } from './dialects/ngshare/plugin.ts';
import { NGSHARE_JSON } from './dialects/ngshare/router.ts';
import { autolabFrameworkError, registerAutolab } from './dialects/autolab/plugin.ts';
import { oauthFrameworkError, registerOAuth } from './dialects/oauth/plugin.ts';
import { inginiousFrameworkError, registerInginious } from './dialects/inginious/plugin.ts';
import { devilryFrameworkError, registerDevilry } from './dialects/devilry/plugin.ts';
import type { FrameworkErrorRenderer } from './dialects/framework-errors.ts';
import { clientErrorAnswer, renderFrameworkError } from './dialects/framework-errors.ts';
import { hiveFrameworkError } from './dialects/hive/errors.ts';
import { registerHealth } from './observability/health.ts';
import { registerMetrics } from './observability/metrics.ts';
import { redactingLoggerOptions } from './observability/log-redaction.ts';
import { registerGradingMetrics } from './grading/queue/index.ts';
import { registerWebApp } from './web-static.ts';

export const HIVE_VERSION = '5.12.0';

/** Builds the whole HTTP server: every dialect mounted on one core. */
export async function buildApp(services: Services, options: { logger?: boolean | object; webDir?: string } = {}): Promise<FastifyInstance> {
  const { config } = services;
  const ngshare: FrameworkErrorRenderer = (url, status) => {
    const answer = ngshareFrameworkError(config.ngsharePrefix, url, status);
    return answer && { ...answer, contentType: NGSHARE_JSON };
  };
  const frameworkRenderers = [ngshare, hiveFrameworkError, autolabFrameworkError, oauthFrameworkError, inginiousFrameworkError, devilryFrameworkError];
  const app = Fastify({
    // A caller's logger options (a test's stream, a level) are added to the redaction, never replace it.
    logger: options.logger === false ? false : { ...redactingLoggerOptions(config.logLevel), ...(typeof options.logger === 'object' ? options.logger : {}) },
    // ngshare names courses and users by strings in the path, longer than find-my-way's default 100.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1024 },
    bodyLimit: config.maxBodyBytes,
    trustProxy: config.trustProxy,
    frameworkErrors: (error, request, frameworkReply) => {
      const reply = frameworkReply as unknown as FastifyReply;
      const answer = renderFrameworkError(frameworkRenderers, request.raw.url ?? '', error.statusCode ?? 400);
      reply.code(answer.status).type(answer.contentType).send(answer.body);
    },
    clientErrorHandler: clientErrorAnswer(frameworkRenderers),
  });
  // Fastify's own 404 names the method and the whole URL; this one echoes nothing. ngshare mounted
  // at `/` owns the root's 404 (Fastify takes one per prefix), and its answer echoes nothing either.
  // Elsewhere, a browser's page request gets the web app's index.html (its history fallback).
  const webApp = await registerWebApp(app, options.webDir);
  if (config.ngsharePrefix !== '/') {
    app.setNotFoundHandler(async (request, reply) => webApp.fallback(request, reply) ?? reply.code(404).send({ statusCode: 404, error: 'Not Found', message: 'Not Found' }));
  }
  app.decorateRequest('actor', null);

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Core API', version: HIVE_VERSION, description: 'Core Course System' },
      components: { securitySchemes: { jwtAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      security: [{ jwtAuth: [] }],
    },
  });

  await registerAssayOpenApi(app);

  registerGradingMetrics(registerMetrics(app), services.grading);
  registerHealth(app, services);
  await app.register(hivePlugin(services, hiveRoutes), { prefix: '/api/core' });
  await app.register(hivePlugin(services, assayRoutes, assayScope(services)), { prefix: '/api/assay/v1' });
  await app.register(assayApiDocs, { prefix: '/api/assay/v1' });
  await registerNgshare(app, services);
  await registerOAuth(app, services);
  await registerAutolab(app, services);
  await registerInginious(app, services);
  await registerDevilry(app, services);
  return app;
}
