import fastifyStatic from '@fastify/static';
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PAGE_CSP, securityHeaders } from './dialects/assay/security-headers.ts';

/** Where `npm run build` (scripts/build.mjs) leaves the web app: web/dist beside src/ and dist/. */
export const DEFAULT_WEB_DIR = path.resolve(import.meta.dirname, '..', 'web', 'dist');

/**
 * The web app's own top-level paths (web/src/app.tsx routes under them). Each answers index.html
 * even where the root's 404 belongs to ngshare (ASSAY_NGSHARE_PREFIX=/): none of them is an
 * ngshare segment (courses, course, assignment, …), so both can be served from `/`.
 */
export const WEB_APP_PATHS = ['/', '/sign-in', '/c/*', '/e/*', '/s/*', '/help/*', '/inbox', '/check/*', '/admin', '/admin/*'];

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Assay</title></head>
<body><h1>Assay</h1><p>The web app is not built: run <code>npm run build</code> (or <code>npm install</code>), then start the server again.</p>
<p>The APIs are served as usual, e.g. <a href="/api/assay/v1/docs">/api/assay/v1/docs</a>.</p></body></html>`;

/** A hashed asset never changes; index.html is asked for again every time (it names the current assets). */
function cacheHeaders(res: { setHeader(name: string, value: string): void }, filePath: string): void {
  res.setHeader('Cache-Control', filePath.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
}

/** Helmet's page headers as text, for the fallback that answers from the root's 404 handler (outside the app's scope). */
const FALLBACK_HEADERS = {
  'Content-Security-Policy': Object.entries(PAGE_CSP)
    .map(([name, values]) => `${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} ${values.join(' ')}`)
    .join('; '),
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'same-origin',
};

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
  const indexFile = path.join(webDir, 'index.html');
  const built = fs.existsSync(indexFile);
  // index.html is small and names the assets of this build: read once, like the assets' routes.
  const index = built ? fs.readFileSync(indexFile) : Buffer.from(NOT_BUILT);
  const sendIndex = (reply: FastifyReply) => reply.type('text/html; charset=utf-8').header('Cache-Control', 'no-cache').send(index);
  await app.register(async (scope) => {
    await securityHeaders(scope, 'page');
    if (built) {
      // wildcard: false registers one route per file found now, so no `/*` route competes with the dialects.
      await scope.register(fastifyStatic, { root: webDir, wildcard: false, index: false, cacheControl: false, setHeaders: cacheHeaders });
    }
    for (const url of WEB_APP_PATHS) scope.get(url, { schema: { hide: true } }, async (_request, reply) => sendIndex(reply));
  });
  return {
    fallback(request, reply) {
      if (request.method !== 'GET' && request.method !== 'HEAD') return null;
      const pathname = (request.raw.url ?? '/').split('?')[0]!;
      if (pathname.startsWith('/api/') || !(request.headers.accept ?? '').includes('text/html')) return null;
      return sendIndex(reply.code(200).headers(FALLBACK_HEADERS));
    },
  };
}
