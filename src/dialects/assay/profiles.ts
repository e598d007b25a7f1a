import { Type } from '@sinclair/typebox';
import type { ProfileInput } from '../../core/identity/users.service.ts';
import { MAX_EMAIL_LENGTH, MAX_NAME_LENGTH } from '../../core/identity/users.service.ts';
import { readHiveBody } from '../hive/body.ts';
import type { HiveContext, HiveRouter } from '../hive/router.ts';
import { validateBody } from '../hive/validate.ts';

const ProfileWire = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  email: Type.String({ description: 'What Autolab’s API names the user by; "" when none.' }),
  first_name: Type.String(),
  last_name: Type.String(),
});
const ProfilePatch = Type.Object({
  email: Type.Optional(Type.String({ maxLength: MAX_EMAIL_LENGTH, description: 'One address no other account holds (whatever its case), or "" for none.' })),
  first_name: Type.Optional(Type.String({ maxLength: MAX_NAME_LENGTH })),
  last_name: Type.Optional(Type.String({ maxLength: MAX_NAME_LENGTH })),
});

const doc = (operationId: string, summary: string, extra: object = {}) => ({ operationId, summary, tags: ['assay'], ...extra });

/**
 * An account's profile (email, first and last name), read and changed by the user themself and
 * by admins; others who can see the account get 403, the rest 404.
 *
 * - `GET /users/me/`, `GET /users/{id}/`: `{id, username, email, first_name, last_name}`.
 * - `PATCH` the same paths with any of `email`, `first_name`, `last_name`.
 */
export function profileRoutes(router: HiveRouter): void {
  const target = (ctx: HiveContext, self: boolean) => (self ? ctx.actor.id : ctx.id());
  for (const [path, self] of [['/users/me/', true], ['/users/:id/', false]] as const) {
    const suffix = self ? 'me' : 'user';
    router.get(path, { schema: doc(`assay_profile_${suffix}_get`, "An account's email and names", { response: { 200: ProfileWire } }) }, async (ctx) =>
      ctx.services.users.accountProfile(ctx.actor, target(ctx, self)),
    );
    router.patch(
      path,
      { schema: doc(`assay_profile_${suffix}_update`, "Changes an account's email or names", { body: ProfilePatch, response: { 200: ProfileWire } }) },
      async (ctx) => {
        const body = await readHiveBody(ctx.request, ctx.services);
        const input = validateBody<ProfileInput>(ProfilePatch, body.data, { form: body.form });
        return ctx.services.users.updateAccountProfile(ctx.actor, target(ctx, self), input);
      },
    );
  }
}
