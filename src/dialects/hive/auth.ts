import type { FastifyRequest } from 'fastify';
import type { Actor } from '../../core/actor.ts';
import { AssayError } from '../../core/errors.ts';
import { API_TOKEN_PREFIX } from '../../core/identity/tokens.service.ts';
import type { Services } from '../../core/services.ts';

const notProvided = () => new AssayError('unauthenticated', 'Authentication credentials were not provided.', { reason: 'not_authenticated' });
const notValid = () => new AssayError('unauthenticated', 'Given token not valid for any token type', { reason: 'token_not_valid' });

/** `Authorization: Bearer <JWT access token>` or `Bearer <personal API token>`. */
export async function bearerActor(request: FastifyRequest, services: Services): Promise<Actor> {
  const header = request.headers.authorization;
  if (!header) throw notProvided();
  const [scheme, token, ...rest] = header.trim().split(/\s+/);
  if (scheme?.toLowerCase() !== 'bearer') throw notProvided();
  if (!token || rest.length > 0) throw new AssayError('unauthenticated', 'Invalid Authorization header.', { reason: 'authentication_failed' });
  // A personal API token is read with its user in one query; a JWT names the user, read next.
  const found = token.startsWith(API_TOKEN_PREFIX) ? await services.tokens.apiTokenActor(token) : { actor: await services.users.actorFor(await services.tokens.verifyAccess(token)) };
  if (found === null) throw notValid();
  if (!found.actor) throw new AssayError('unauthenticated', 'User not found', { reason: 'user_not_found' });
  return found.actor;
}

/** The user a personal API token or a JWT access token names; throws when a JWT is not valid. */
export function tokenUserId(token: string, services: Services): Promise<number | null> {
  return token.startsWith(API_TOKEN_PREFIX) ? services.tokens.resolveApiToken(token) : services.tokens.verifyAccess(token);
}
