import multipart from '@fastify/multipart';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Services } from '../../core/services.ts';
import { isSpooledForm, SpooledForm } from './form-spool.ts';
import type { NgshareAuthenticator } from './auth.ts';
import { ngshareAuthenticator, ngshareAuthHook } from './auth.ts';
import { renderNgshareError } from './errors.ts';
import type { NgshareRouteConfig } from './router.ts';
import { NGSHARE_JSON, NgshareRouter } from './router.ts';
import { ngshareAssignmentRoutes } from './routes/assignments.ts';
import { ngshareHomePage } from './home-page.ts';
import { ngshareCourseRoutes } from './routes/courses.ts';

/** Where ngshare_exchange finds ngshare when it runs as a JupyterHub service. */
export const HUB_SERVICE_PREFIX = '/services/ngshare/';

const NGSHARE_SEGMENTS = new Set([
  'healthz', 'courses', 'course', 'instructor', 'instructors', 'student', 'students',
  'assignments', 'assignment', 'submissions', 'submission', 'feedback',
]);

/**
 * The ngshare dialect under one prefix: raw form bodies (read inside handlers, after the
 * checks that come first), authentication, and `{"success": false, "message": …}` for every
 * failure, unknown routes under the prefix included.
 */
function ngsharePlugin(services: Services, authenticate: NgshareAuthenticator, prefix: string): FastifyPluginAsync {
  return async (app: FastifyInstance) => {
    const limit = services.config.ngshareMaxBodyBytes;
    app.setValidatorCompiler(() => () => true);
    app.removeAllContentTypeParsers();
    // Kept as it arrived (a large one in a temporary file): fields are decoded in the handler,
    // after the checks that come first, and `files` is streamed from it (form-spool.ts).
    const spoolDir = path.join(services.config.dataDir, 'tmp');
    fs.mkdirSync(spoolDir, { recursive: true });
    removeStaleSpools(spoolDir);
    app.addContentTypeParser('application/x-www-form-urlencoded', (_req: FastifyRequest, payload: Readable) => SpooledForm.receive(payload, limit, spoolDir));
    const discard = async (request: FastifyRequest) => {
      if (isSpooledForm(request.body)) request.body.discard();
    };
    app.addHook('onResponse', discard);
    app.addHook('onRequestAbort', discard);
    // Tornado takes arguments only from form bodies; any other body is read and ignored.
    app.addContentTypeParser('*', (_req, payload, done) => {
      payload.on('error', done);
      payload.on('end', () => done(null, undefined));
      payload.resume();
    });
    await app.register(multipart, { limits: { fileSize: limit + 1, fieldSize: limit, parts: 10_000 } });

    app.addHook(ngshareAuthHook(services), async (request) => {
      const config = request.routeOptions.config as Partial<NgshareRouteConfig> | undefined;
      if (request.is404 || !config || config.ngsharePublic !== false) return;
      request.actor = await authenticate(request);
    });

    app.setErrorHandler(async (error, request, reply) => {
      const rendered = renderNgshareError(error, request.method, services.config.ngshareDebugMessages);
      if (rendered.status >= 500) request.log.error({ err: error }, 'request failed');
      return reply.code(rendered.status).type(NGSHARE_JSON).send(rendered.body);
    });

    app.setNotFoundHandler(async (_request, reply) => {
      return reply.code(404).type(NGSHARE_JSON).send({ success: false, message: 'Not found' });
    });

    const router = new NgshareRouter(app, services);
    // At the root, `/healthz` is the server's own health check, which says `"success"` too, and
    // `/` is the web app.
    if (prefix !== '/') {
      router.get('/healthz', { public: true }, async () => ({}));
      app.get('/', { schema: { hide: true } as never }, async (_request, reply) => reply.type('text/html; charset=UTF-8').send(ngshareHomePage(prefix)));
    }
    ngshareCourseRoutes(router);
    ngshareAssignmentRoutes(router);
    router.finish();
  };
}

/** The prefixes ngshare is served under: the configured one and JupyterHub's service path. */
export function ngsharePrefixes(configured: string): string[] {
  return [...new Set([configured, HUB_SERVICE_PREFIX])];
}

/**
 * Requests the router refuses before any plugin sees them (a malformed percent-encoding, an
 * over-long path segment): under an ngshare prefix they still get ngshare's envelope.
 */
export function ngshareFrameworkError(configuredPrefix: string, url: string, status: number): { status: number; body: { success: false; message: string } } | null {
  const path = url.split('?')[0]!;
  // The configured prefix (`/api/` by default) is shared with other dialects: only ngshare's own
  // first segments are ngshare's there.
  const ours =
    path.startsWith(HUB_SERVICE_PREFIX) ||
    (path.startsWith(configuredPrefix) && NGSHARE_SEGMENTS.has(path.slice(configuredPrefix.length).split('/')[0]!));
  if (!ours) return null;
  return { status, body: { success: false, message: status === 414 ? 'Request-URI too long' : 'Bad request' } };
}

/** Mounts ngshare under each of its prefixes, with one authenticator (one token cache) for all. */
export async function registerNgshare(app: FastifyInstance, services: Services): Promise<void> {
  const authenticate = ngshareAuthenticator(services);
  if (services.config.ngshareAuth === 'dev') app.log.warn('ASSAY_NGSHARE_AUTH=dev: ngshare callers name themselves with `user`; never use this in production');
  for (const prefix of ngsharePrefixes(services.config.ngsharePrefix)) {
    await app.register(ngsharePlugin(services, authenticate, prefix), { prefix: prefix.replace(/\/$/, '') });
  }
}

/** Spool files a previous process left behind (it stopped mid-request): older than an hour, they are nobody's. */
function removeStaleSpools(dir: string): void {
  const cutoff = Date.now() - 3600_000;
  for (const name of fs.readdirSync(dir)) {
    if (!/^ngshare-.*\.form$/.test(name)) continue;
    const file = path.join(dir, name);
    const stat = fs.statSync(file, { throwIfNoEntry: false });
    if (stat && stat.mtimeMs < cutoff) fs.rmSync(file, { force: true });
  }
}
