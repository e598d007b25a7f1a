import { Type } from '@sinclair/typebox';
import type { HiveRouter } from '../router.ts';

/** Server time and the OpenAPI document (JSON or YAML), both public. */
export function metaRoutes(router: HiveRouter): void {
  router.get('/time/', { public: true, schema: { operationId: 'time_retrieve', tags: ['time'], response: { 200: Type.String({ format: 'date-time' }) } } }, async ({ services, reply }) => {
    reply.type('application/json');
    return JSON.stringify(services.clock.now());
  });

  router.get('/schema/', { public: true, schema: { operationId: 'schema_retrieve', tags: ['schema'] } }, async ({ request, reply, query }) => {
    const app = request.server;
    const wantsJson = query.format === 'json' || /json/i.test(request.headers.accept ?? '');
    if (wantsJson) {
      reply.type('application/json');
      return JSON.stringify(app.swagger());
    }
    reply.type('application/vnd.oai.openapi; charset=utf-8');
    return app.swagger({ yaml: true });
  });
}
