import type { TSchema } from '@sinclair/typebox';
import { Type } from '@sinclair/typebox';
import type { CoreAction } from '../../core/attempts.ts';
import { readHiveBody } from './body.ts';
import type { FilterSpec, Filters } from './filters.ts';
import { filterQuerySchema, parseFilters } from './filters.ts';
import type { HiveContext, HiveRouter } from './router.ts';
import { EMPTY } from './router.ts';
import { validateBody } from './validate.ts';

/**
 * The six DRF ModelViewSet routes of one Hive resource (list, create, retrieve, update,
 * partial update, destroy), in upstream's order of checks: the object is looked up before
 * the body is read, and every write body is validated DRF-style.
 */
export interface CrudSpec<S extends FilterSpec, Wire, Input> {
  /** e.g. `/course/programs/` */
  path: string;
  /** operationId prefix, e.g. `course_programs` */
  operation: string;
  tag: string;
  response: TSchema;
  request: TSchema;
  filters: S;
  /** The core action a write attempts (view-level 403 for whoever the core refuses). */
  writeAction: CoreAction;
  list(ctx: HiveContext, filters: Filters<S>): Promise<Wire[]>;
  get(ctx: HiveContext, id: number): Promise<Wire>;
  /** Object-level write permission, checked after the lookup and before the body is read. */
  authorize?(ctx: HiveContext, id: number): Promise<void>;
  create(ctx: HiveContext, input: Input): Promise<Wire>;
  update(ctx: HiveContext, id: number, input: Partial<Input>): Promise<Wire>;
  delete(ctx: HiveContext, id: number): Promise<void>;
}

export function crudRoutes<S extends FilterSpec, Wire, Input>(router: HiveRouter, spec: CrudSpec<S, Wire, Input>): void {
  const item = `${spec.path}:id/`;
  const doc = (suffix: string, extra: object) => ({ operationId: `${spec.operation}_${suffix}`, tags: [spec.tag], ...extra });

  router.get(spec.path, { schema: doc('list', { querystring: filterQuerySchema(spec.filters), response: { 200: Type.Array(spec.response) } }) }, async (ctx) =>
    spec.list(ctx, parseFilters(spec.filters, ctx.query)),
  );

  router.post(spec.path, { action: spec.writeAction, schema: doc('create', { body: spec.request, response: { 201: spec.response } }) }, async (ctx) => {
    const body = await readHiveBody(ctx.request, ctx.services);
    return spec.create(ctx, validateBody<Input>(spec.request, body.data, { form: body.form }));
  });

  router.get(item, { schema: doc('retrieve', { response: { 200: spec.response } }) }, async (ctx) => spec.get(ctx, ctx.id()));

  for (const [method, partial] of [['put', false], ['patch', true]] as const) {
    router[method](
      item,
      { action: spec.writeAction, schema: doc(partial ? 'partial_update' : 'update', { body: spec.request, response: { 200: spec.response } }) },
      async (ctx) => {
        const id = ctx.id();
        await spec.get(ctx, id);
        await spec.authorize?.(ctx, id);
        const body = await readHiveBody(ctx.request, ctx.services);
        return spec.update(ctx, id, validateBody<Partial<Input>>(spec.request, body.data, { form: body.form, partial }));
      },
    );
  }

  router.delete(item, { action: spec.writeAction, schema: doc('destroy', {}) }, async (ctx) => {
    const id = ctx.id();
    await spec.get(ctx, id);
    await spec.authorize?.(ctx, id);
    await spec.delete(ctx, id);
    return EMPTY;
  });
}
