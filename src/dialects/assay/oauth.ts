import { Type } from '@sinclair/typebox';
import { OAUTH_SCOPES } from '../../core/oauth/index.ts';
import { readHiveBody } from '../hive/body.ts';
import type { HiveRouter } from '../hive/router.ts';
import { validateBody } from '../hive/validate.ts';

const ClientRequest = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 255 }),
  redirect_uris: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
  scopes: Type.Optional(Type.Array(Type.Union(OAUTH_SCOPES.map((s) => Type.Literal(s))))),
});
const CreatedClient = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  client_id: Type.String(),
  client_secret: Type.String(),
  redirect_uris: Type.Array(Type.String()),
  scopes: Type.Array(Type.String()),
});
const DeviceAnswer = Type.Object({ user_code: Type.String({ minLength: 1, maxLength: 64 }) });
const DeviceAnswered = Type.Object({ user_code: Type.String(), status: Type.Union([Type.Literal('approved'), Type.Literal('denied')]) });

/** A single string is accepted where a list is expected: scopes space-separated, as OAuth writes them. */
function asList(value: unknown, split: boolean): unknown {
  if (typeof value !== 'string') return value;
  return split ? value.split(/\s+/).filter((s) => s !== '') : [value];
}

/** OAuth2 client registration (admins) and device-code answers (the signed-in user). */
export function oauthRoutes(router: HiveRouter): void {
  const doc = (operationId: string, extra: object = {}) => ({ operationId, tags: ['assay'], ...extra });
  router.post('/oauth/clients/', { schema: doc('assay_oauth_clients_create', { body: ClientRequest, response: { 201: CreatedClient } }) }, async ({ request, services, actor }) => {
    const body = await readHiveBody(request, services);
    const data = { ...body.data, redirect_uris: asList(body.data.redirect_uris, false), scopes: asList(body.data.scopes, true) };
    const input = validateBody<{ name: string; redirect_uris: string[]; scopes?: string[] }>(ClientRequest, data, { form: body.form });
    const created = await services.oauth.createClient(actor, { name: input.name, redirectUris: input.redirect_uris, scopes: input.scopes ?? [] });
    return {
      id: created.id,
      name: created.name,
      client_id: created.clientId,
      client_secret: created.clientSecret,
      redirect_uris: created.redirectUris,
      scopes: created.scopes,
    };
  });
  for (const [action, approve] of [['approve', true], ['deny', false]] as const) {
    const schema = doc(`assay_oauth_device_${action}`, { body: DeviceAnswer, response: { 200: DeviceAnswered } });
    router.post(`/oauth/device/${action}`, { status: 200, schema }, async ({ request, services, actor }) => {
      const body = await readHiveBody(request, services);
      const input = validateBody<{ user_code: string }>(DeviceAnswer, body.data, { form: body.form });
      await services.oauth.answerDeviceRequest(actor, input.user_code.trim(), approve);
      return { user_code: input.user_code.trim(), status: approve ? 'approved' : 'denied' };
    });
  }
}
