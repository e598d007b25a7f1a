import { Type } from '@sinclair/typebox';
import { AssayError } from '../../../core/errors.ts';
import type { HiveRouter } from '../router.ts';
import { readHiveBody } from '../body.ts';
import { validateBody } from '../validate.ts';

const TokenPair = Type.Object({ access: Type.String(), refresh: Type.String() });
const TokenObtainRequest = Type.Object(
  { username: Type.String({ minLength: 1 }), password: Type.String({ minLength: 1 }) },
  { $id: undefined },
);
const TokenRefreshRequest = Type.Object({ refresh: Type.String({ minLength: 1 }) });

/** SimpleJWT's token endpoints: obtain a pair, and rotate it with the refresh token. */
export function authRoutes(router: HiveRouter): void {
  router.post(
    '/token/',
    { public: true, status: 200, schema: { operationId: 'token_create', tags: ['token'], body: TokenObtainRequest, response: { 200: TokenPair } } },
    async ({ request, services }) => {
      const body = await readHiveBody(request, services);
      const input = validateBody(TokenObtainRequest, body.data, { form: body.form });
      const actor = await services.signIn.authenticate(input.username, input.password, request.ip);
      if (!actor) {
        throw new AssayError('unauthenticated', 'No active account found with the given credentials', { reason: 'no_active_account' });
      }
      return services.tokens.issuePair(actor.id);
    },
  );

  router.post(
    '/token/refresh/',
    { public: true, status: 200, schema: { operationId: 'token_refresh_create', tags: ['token'], body: TokenRefreshRequest, response: { 200: TokenPair } } },
    async ({ request, services }) => {
      const body = await readHiveBody(request, services);
      const input = validateBody(TokenRefreshRequest, body.data, { form: body.form });
      return services.tokens.refresh(input.refresh);
    },
  );
}
