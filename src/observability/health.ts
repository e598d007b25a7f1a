import type { FastifyInstance } from 'fastify';
import { serverHealth } from '../core/admin/health.ts';
import type { Services } from '../core/services.ts';

export function registerHealth(app: FastifyInstance, services: Services): void {
  app.get('/healthz', { schema: { hide: true } as never }, async (_request, reply) => {
    const health = await serverHealth(services);
    const body = {
      // ngshare's health check (`GET /healthz` → `{"success": true}`) shares this path.
      success: health.ok,
      status: health.ok ? 'ok' : 'error',
      database: health.database,
      blobs: health.blobs,
      // The server runs without a sandbox; grading jobs then wait (status `waiting`) until there is one.
      sandbox: health.sandbox,
      grading: health.grading,
    };
    reply.code(health.ok ? 200 : 503);
    return body;
  });
}
