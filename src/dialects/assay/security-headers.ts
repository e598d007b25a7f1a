import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

/**
 * Content-Security-Policy of the pages Assay serves (the web app built by Vite, the API reference):
 * scripts and everything else from this origin only, never inline scripts; inline styles are
 * allowed (editors and the reference page set them); no framing by other sites.
 */
export const PAGE_CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

/** JSON answers and downloads are never rendered as a page: nothing may load from them. */
const API_CSP = { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] };

/**
 * Helmet's security headers (nosniff, frame refusal, referrer policy, HSTS when served over https,
 * CSP) on every answer of the scope: `api` for JSON and files, `page` for HTML pages.
 */
export async function securityHeaders(scope: FastifyInstance, kind: 'api' | 'page'): Promise<void> {
  await scope.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: kind === 'page' ? PAGE_CSP : API_CSP },
    // Cross-origin isolation headers would stop nothing here and break opening downloads from other tabs.
    crossOriginEmbedderPolicy: false,
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'same-origin' },
  });
}
