import { Type } from '@sinclair/typebox';
import { readHiveBody } from '../hive/body.ts';
import type { HiveRouter } from '../hive/router.ts';
import { EMPTY } from '../hive/router.ts';
import { validateBody } from '../hive/validate.ts';

const TokenRequest = Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }) });
const CreatedToken = Type.Object({ id: Type.Integer(), name: Type.String(), token: Type.String() });
const TokenInfo = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
  last_used_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

/** Personal API tokens: the secret is shown once, only its hash is stored. */
export function tokenRoutes(router: HiveRouter): void {
  const doc = (operationId: string, extra: object = {}) => ({ operationId, tags: ['assay'], ...extra });
  router.post('/tokens/', { schema: doc('assay_tokens_create', { body: TokenRequest, response: { 201: CreatedToken } }) }, async ({ request, services, actor }) => {
    const body = await readHiveBody(request, services);
    const input = validateBody<{ name: string }>(TokenRequest, body.data, { form: body.form });
    return services.tokens.createApiToken(actor.id, input.name);
  });
  router.get('/tokens/', { schema: doc('assay_tokens_list', { response: { 200: Type.Array(TokenInfo) } }) }, async ({ services, actor }) =>
    services.tokens.listApiTokens(actor.id),
  );
  router.delete('/tokens/:id/', { schema: doc('assay_tokens_destroy') }, async ({ services, actor, id }) => {
    await services.tokens.revokeApiToken(actor.id, id());
    return EMPTY;
  });
}
