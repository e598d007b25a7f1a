import type { FastifyInstance } from 'fastify';
import type { Services } from '../../core/services.ts';
import type { FrameworkErrorRenderer } from '../framework-errors.ts';

/** OAuth2 server for Autolab's clients: `/oauth/…`, `/activate`, consent pages, `/api/assay/v1/oauth/…`. */
export async function registerOAuth(_app: FastifyInstance, _services: Services): Promise<void> {}

/** Requests refused before any plugin sees them, rendered in this dialect's envelope when they are its own. */
export const oauthFrameworkError: FrameworkErrorRenderer = () => null;
