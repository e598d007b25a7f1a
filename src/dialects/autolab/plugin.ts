import type { FastifyInstance } from 'fastify';
import type { Services } from '../../core/services.ts';
import type { FrameworkErrorRenderer } from '../framework-errors.ts';

/** Autolab API v1 under `/api/v1/`. */
export async function registerAutolab(_app: FastifyInstance, _services: Services): Promise<void> {}

/** Requests refused before any plugin sees them, rendered in this dialect's envelope when they are its own. */
export const autolabFrameworkError: FrameworkErrorRenderer = () => null;
