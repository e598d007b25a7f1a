/**
 * The OpenAPI document of Assay's own API (`/api/assay/v1/openapi.json`) and its interactive
 * reference page (`/api/assay/v1/docs`). A second @fastify/swagger collects the same routes as
 * Hive's document (at `/api/core/schema/`) but keeps only those under `/api/assay/v1/`, named
 * relative to that server URL; the web app's TypeScript types are generated from it
 * (openapi-typescript).
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { securityHeaders } from './security-headers.ts';

export const ASSAY_API_PREFIX = '/api/assay/v1';

declare module 'fastify' {
  interface FastifyInstance {
    /** Assay's own OpenAPI document (see registerAssayOpenApi). */
    assaySwagger(): Record<string, unknown>;
  }
}

/** Call at the root, before any route is added: it collects routes as they are added. */
export async function registerAssayOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    decorator: 'assaySwagger',
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Assay API',
        version: '1',
        description:
          "Assay's own endpoints. Authenticate with `Authorization: Bearer <token>` or with the browser session cookie of `POST /session/`; " +
          'cookie-authenticated POST, PUT, PATCH and DELETE requests carry the `X-CSRF-Token` header.',
      },
      servers: [{ url: ASSAY_API_PREFIX }],
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer' },
          sessionCookie: { type: 'apiKey', in: 'cookie', name: 'assay_oauth_session' },
        },
      },
      security: [{ bearerAuth: [] }, { sessionCookie: [] }],
    },
    transform: ({ schema, url }) => {
      const ours = url === ASSAY_API_PREFIX || url.startsWith(`${ASSAY_API_PREFIX}/`);
      return ours ? { schema, url } : { schema: { ...schema, hide: true }, url };
    },
  });
}

/** `GET /openapi.json` and the reference page at `/docs`, in a scope of their own (no Hive authentication: the document is public). */
export async function assayApiDocs(scope: FastifyInstance): Promise<void> {
  await securityHeaders(scope, 'page');
  scope.get('/openapi.json', { schema: { hide: true } }, async (_request, reply) => reply.type('application/json; charset=utf-8').send(scope.assaySwagger()));
  await scope.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: { deepLinking: true },
    // The page shows Assay's document, not Hive's (the default decorator).
    transformSpecification: () => scope.assaySwagger(),
    transformSpecificationClone: false,
  });
}
