import type { FastifyInstance } from 'fastify';
import type { Services } from '../../core/services.ts';
import type { FrameworkErrorRenderer } from '../framework-errors.ts';

/** INGInious API v0 under `/api/v0/`. */
export async function registerInginious(_app: FastifyInstance, _services: Services): Promise<void> {}

/** Requests refused before any plugin sees them, rendered in this dialect's envelope when they are its own. */
export const inginiousFrameworkError: FrameworkErrorRenderer = () => null;
