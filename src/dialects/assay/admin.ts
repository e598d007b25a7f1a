import { Type } from '@sinclair/typebox';
import { CLEARANCES, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../../core/admin/admin.service.ts';
import { OAUTH_SCOPES } from '../../core/oauth/index.ts';
import { readHiveBody } from '../hive/body.ts';
import type { HiveRouter } from '../hive/router.ts';
import { EMPTY } from '../hive/router.ts';
import { DateTime, Enum, Nullable } from '../hive/schema-helpers.ts';
import { validateBody } from '../hive/validate.ts';
import { ErrorEnvelope } from './checker-wire.ts';

const Clearance = Enum(CLEARANCES, { description: '1 student, 2 checker, 3 staff, 5 admin.' });
const Password = Type.String({ minLength: MIN_PASSWORD_LENGTH, maxLength: MAX_PASSWORD_LENGTH });

const UserWire = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  email: Type.String(),
  first_name: Type.String(),
  last_name: Type.String(),
  clearance: Type.Integer(),
  is_active: Type.Boolean({ description: 'False: the account signs in nowhere and its tokens do not work.' }),
  created_at: DateTime(),
});
const NewUser = Type.Object({
  username: Type.String({ minLength: 1, maxLength: 150 }),
  password: Password,
  clearance: Clearance,
  email: Type.Optional(Type.String({ maxLength: 254 })),
  first_name: Type.Optional(Type.String({ maxLength: 150 })),
  last_name: Type.Optional(Type.String({ maxLength: 150 })),
});
const UserChange = Type.Object({
  clearance: Type.Optional(Clearance),
  is_active: Type.Optional(Type.Boolean()),
  password: Type.Optional(Type.Intersect([Password], { description: 'A new password (a reset).' })),
});
const TokenWire = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  user: Type.Object({ id: Type.Integer(), username: Type.String() }),
  created_at: DateTime(),
  last_used_at: Nullable(DateTime()),
});
const ClientWire = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  client_id: Type.String(),
  redirect_uris: Type.Array(Type.String()),
  scopes: Type.Array(Type.String()),
  created_at: DateTime(),
  created_by: Nullable(Type.String()),
  live_tokens: Type.Integer({ description: 'Access tokens issued through it that still work.' }),
});
const NewClient = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 255 }),
  redirect_uris: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
  scopes: Type.Optional(Type.Array(Enum(OAUTH_SCOPES))),
});
const CreatedClient = Type.Object({ ...ClientWire.properties, client_secret: Type.String({ description: 'Shown this once.' }) });
const Check = Type.Object({ ok: Type.Boolean(), error: Type.Optional(Type.String()) });
const HealthWire = Type.Object({
  ok: Type.Boolean({ description: 'The database and the blob store answer (what /healthz answers 200 for).' }),
  database: Type.Object({ ...Check.properties, engine: Enum(['sqlite', 'postgres'] as const) }),
  blobs: Check,
  sandbox: Type.Object({ ...Check.properties, bwrap: Type.Optional(Nullable(Type.String())), cgroup_driver: Type.Optional(Nullable(Type.String())), separation: Type.Optional(Nullable(Type.String())) }),
  grading: Type.Object({ queue: Type.String(), jobs: Nullable(Type.Record(Type.String(), Type.Integer(), { description: 'Jobs by status.' })) }),
});

const idParams = Type.Object({ id: Type.Integer() });
const refused = { 403: ErrorEnvelope };
const doc = <Extra extends object>(operationId: string, summary: string, extra: Extra) => ({ operationId, summary, tags: ['assay'], ...extra });

/**
 * The server's admin pages (admins; anyone else gets 403 from the core).
 *
 * - `GET /admin/users/`, `POST /admin/users/` `{username, password, clearance, …}`,
 *   `PATCH /admin/users/{id}/` `{clearance?, is_active?, password?}` (a password reset, a new
 *   clearance, deactivation; never one's own clearance or active flag).
 * - `GET /admin/tokens/`, `DELETE /admin/tokens/{id}/`: everyone's personal tokens.
 * - `GET /admin/oauth-clients/`, `POST /admin/oauth-clients/`, `DELETE /admin/oauth-clients/{id}/`.
 * - `GET /admin/health/`: database, blobs, sandbox, grading queue.
 */
export function adminRoutes(router: HiveRouter): void {
  router.get('/admin/users/', { schema: doc('assay_admin_users_list', 'Every account', { response: { 200: Type.Array(UserWire), ...refused } }) }, async ({ services, actor }) =>
    services.admin.listUsers(actor),
  );
  router.post('/admin/users/', { schema: doc('assay_admin_users_create', 'Creates an account', { body: NewUser, response: { 201: UserWire, ...refused } }) }, async ({ request, services, actor }) => {
    services.admin.assertMayAdminister(actor);
    const body = await readHiveBody(request, services);
    const input = validateBody<{ username: string; password: string; clearance: number; email?: string; first_name?: string; last_name?: string }>(NewUser, body.data, { form: body.form });
    return services.admin.createUser(actor, input);
  });
  router.patch(
    '/admin/users/:id/',
    { schema: doc('assay_admin_users_update', 'Resets a password, changes a clearance, (de)activates an account', { params: idParams, body: UserChange, response: { 200: UserWire, ...refused } }) },
    async ({ request, services, actor, params }) => {
      const userId = params.id;
      services.admin.assertMayAdminister(actor);
      const body = await readHiveBody(request, services);
      const input = validateBody<{ clearance?: number; is_active?: boolean; password?: string }>(UserChange, body.data, { form: body.form });
      return services.admin.updateUser(actor, userId, input);
    },
  );
  router.get('/admin/tokens/', { schema: doc('assay_admin_tokens_list', 'Every personal token', { response: { 200: Type.Array(TokenWire), ...refused } }) }, async ({ services, actor }) =>
    services.admin.tokens(actor),
  );
  router.delete('/admin/tokens/:id/', { schema: doc('assay_admin_tokens_revoke', 'Revokes a personal token', { params: idParams, response: refused }) }, async ({ services, actor, params }) => {
    await services.admin.revokeToken(actor, params.id);
    return EMPTY;
  });
  router.get('/admin/oauth-clients/', { schema: doc('assay_admin_clients_list', 'The OAuth client applications', { response: { 200: Type.Array(ClientWire), ...refused } }) }, async ({ services, actor }) =>
    services.admin.clients(actor),
  );
  router.post(
    '/admin/oauth-clients/',
    { schema: doc('assay_admin_clients_create', 'Registers an OAuth client application (its secret is shown once)', { body: NewClient, response: { 201: CreatedClient, ...refused } }) },
    async ({ request, services, actor }) => {
      services.admin.assertMayAdminister(actor);
      const body = await readHiveBody(request, services);
      const input = validateBody<{ name: string; redirect_uris: string[]; scopes?: string[] }>(NewClient, body.data, { form: body.form });
      const created = await services.admin.createClient(actor, { name: input.name, redirectUris: input.redirect_uris, scopes: input.scopes ?? [] });
      const listed = (await services.admin.clients(actor)).find((c) => c.id === created.id)!;
      return { ...listed, client_secret: created.clientSecret };
    },
  );
  router.delete('/admin/oauth-clients/:id/', { schema: doc('assay_admin_clients_destroy', 'Deletes an OAuth client application and its tokens', { params: idParams, response: refused }) }, async ({ services, actor, params }) => {
    await services.admin.deleteClient(actor, params.id);
    return EMPTY;
  });
  router.get('/admin/health/', { schema: doc('assay_admin_health', 'The server’s health: database, blobs, sandbox, grading queue', { response: { 200: HealthWire, ...refused } }) }, async ({ services, actor }) =>
    services.admin.health(actor),
  );
}
