import fastifyStatic from '@fastify/static';
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Where `npm run build` (scripts/build.mjs) leaves the web app: web/dist beside src/ and dist/. */
export const DEFAULT_WEB_DIR = path.resolve(import.meta.dirname, '..', 'web', 'dist');

/**
 * The web app's own top-level paths (web/src/app.tsx routes under them). Each answers index.html
 * even where the root's 404 belongs to ngshare (ASSAY_NGSHARE_PREFIX=/): none of them is an
 * ngshare segment (courses, course, assignment, …), so both can be served from `/`.
 */
export const WEB_APP_PATHS = ['/', '/sign-in', '/c/*', '/e/*', '/s/*', '/help/*', '/inbox', '/check/*'];

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Assay</title></head>
<body><h1>Assay</h1><p>The web app is not built: run <code>npm run build</code> (or <code>npm install</code>), then start the server again.</p>
<p>The APIs are served as usual, e.g. <a href="/api/assay/v1/docs">/api/assay/v1/docs</a>.</p></body></html>`;

/** A hashed asset never changes; index.html is asked for again every time (it names the current assets). */
function cacheHeaders(res: { setHeader(name: string, value: string): void }, filePath: string): void {
  res.setHeader('Cache-Control', filePath.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
}

function sendIndex(webDir: string | null, reply: FastifyReply): FastifyReply {
  if (webDir === null) return reply.type('text/html; charset=utf-8').header('Cache-Control', 'no-cache').send(NOT_BUILT);
  return reply.header('Cache-Control', 'no-cache').sendFile('index.html', webDir, { cacheControl: false });
}

export interface WebApp {
  /**
   * The history fallback for the root's 404 handler: a browser's page request (GET, accepting
   * HTML) for a path outside `/api/` gets index.html and the app shows its own "not found".
   * Returns null when the request is not such a request.
   */
  fallback(request: FastifyRequest, reply: FastifyReply): FastifyReply | null;
}

/**
 * Serves the single-page app from `webDir` at `/`: its files (assets cached for good), index.html
 * for the app's own paths, and a page saying how to build it when it is not built.
 */
export async function registerWebApp(app: FastifyInstance, webDir: string = DEFAULT_WEB_DIR): Promise<WebApp> {
  const built = fs.existsSync(path.join(webDir, 'index.html')) ? webDir : null;
  if (built !== null) {
    // wildcard: false registers one route per file found now, so no `/*` route competes with the dialects.
    await app.register(fastifyStatic, { root: built, wildcard: false, index: false, cacheControl: false, setHeaders: cacheHeaders });
  }
  for (const url of WEB_APP_PATHS) {
    app.get(url, { schema: { hide: true } }, async (_request, reply) => sendIndex(built, reply));
  }
  return {
    fallback(request, reply) {
      if (request.method !== 'GET' && request.method !== 'HEAD') return null;
      const pathname = (request.raw.url ?? '/').split('?')[0]!;
      if (pathname.startsWith('/api/') || !(request.headers.accept ?? '').includes('text/html')) return null;
      return sendIndex(built, reply.code(200));
    },
  };
}
