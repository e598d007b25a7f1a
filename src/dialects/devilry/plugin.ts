import type { FastifyInstance } from 'fastify';
import type { Services } from '../../core/services.ts';
import type { FrameworkErrorRenderer } from '../framework-errors.ts';

/** Devilry's simplified REST API (`/{administrator,examiner,student}/restfulsimplified…/`, `/authenticate/login`). */
export async function registerDevilry(_app: FastifyInstance, _services: Services): Promise<void> {}

/** Requests refused before any plugin sees them, rendered in this dialect's envelope when they are its own. */
export const devilryFrameworkError: FrameworkErrorRenderer = () => null;
