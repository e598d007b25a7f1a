import { Type } from '@sinclair/typebox';
import { HELP_STATUSES } from '../../core/help/help-enums.ts';
import type { ThreadKind } from '../../core/threads/thread.ts';
import { readHiveBody } from '../hive/body.ts';
import type { HiveContext, HiveRouter } from '../hive/router.ts';
import { EMPTY } from '../hive/router.ts';
import { Enum, Nullable } from '../hive/schema-helpers.ts';
import { validateBody } from '../hive/validate.ts';
import { LockHolder, doc, idParams } from './checker-wire.ts';

const LockWire = Type.Object({ locked_by: Nullable(LockHolder) });
const ResolveRequest = Type.Object({ text: Type.Optional(Nullable(Type.String({ maxLength: 10_000, description: 'A last reply to the student.' }))) });
const ResolvedWire = Type.Object({ id: Type.Integer(), status: Enum(HELP_STATUSES) });

const PATHS: Record<ThreadKind, string> = { assignment: '/assignments/:id/lock/', help: '/help/:id/lock/' };
const NAMES: Record<ThreadKind, string> = { assignment: 'assignment', help: 'help thread' };

/**
 * Locks on inbox items (Hive's: the core decides) and resolving help threads.
 *
 * - `POST /assignments/{id}/lock/`, `POST /help/{id}/lock/`: the course's grading side takes the
 *   item (again: no-op; staff take over anyone's); 200 `{locked_by}`; 403 when another checker
 *   holds it. Students: 403.
 * - `DELETE …/lock/`: its holder (or staff) releases it; 204.
 * - `POST /help/{id}/resolve/` `{text?}`: a `Resolve` response; 200 `{id, status}`.
 */
export function checkerLockRoutes(router: HiveRouter): void {
  for (const kind of ['assignment', 'help'] as const) {
    const thread = (ctx: HiveContext) => ({ kind, id: ctx.id() });
    const action = kind === 'assignment' ? 'assignments.lock' : 'help.lock';
    router.post(
      PATHS[kind],
      { status: 200, action, schema: doc(`assay_${kind}_lock`, `Lock the ${NAMES[kind]} (open it for grading)`, { params: idParams, response: { 200: LockWire } }) },
      async (ctx) => ({ locked_by: await ctx.services.review.locks.lock(ctx.actor, thread(ctx)) }),
    );
    router.delete(PATHS[kind], { action, schema: doc(`assay_${kind}_unlock`, `Release the ${NAMES[kind]}'s lock`, { params: idParams }) }, async (ctx) => {
      await ctx.services.review.locks.unlock(ctx.actor, thread(ctx));
      return EMPTY;
    });
  }

  router.post(
    '/help/:id/resolve/',
    { status: 200, schema: doc('assay_help_resolve', 'Resolve a help thread, with an optional last reply', { params: idParams, body: ResolveRequest, response: { 200: ResolvedWire } }) },
    async ({ request, services, actor, id }) => {
      const helpId = id();
      await services.review.helpDesk.assertMayAnswer(actor, helpId);
      const body = await readHiveBody(request, services);
      const input = validateBody<{ text?: string | null }>(ResolveRequest, body.data, { form: body.form });
      return services.review.helpDesk.resolve(actor, helpId, input.text ?? null);
    },
  );
}
