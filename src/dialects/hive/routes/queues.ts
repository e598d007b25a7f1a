import { Type } from '@sinclair/typebox';
import type { Exercise } from '../../../core/courses/exercises.service.ts';
import { QUEUE_RULES } from '../../../core/queues/path.ts';
import type { Queue, QueueInput, QueueItem, QueueItemInput } from '../../../core/queues/queues.service.ts';
import { fullName } from '../../../core/assignments/assignments.service.ts';
import type { Services } from '../../../core/services.ts';
import { readHiveBody } from '../body.ts';
import { filterQuerySchema, parseFilters } from '../filters.ts';
import type { HiveContext, HiveRouter } from '../router.ts';
import { EMPTY } from '../router.ts';
import { Enum, IdList, Nullable } from '../schema-helpers.ts';
import { validateBody } from '../validate.ts';
import { ExerciseWire, renderExercise } from './exercises.ts';

const ro = Type.Readonly;
const QueueRule = Enum(QUEUE_RULES);
const NullableId = () => Nullable(Type.Integer());

export const QueueWire = Type.Object({
  id: ro(Type.Integer()),
  name: Type.String(),
  description: Nullable(Type.String()),
  module: NullableId(),
  user: NullableId(),
  user_id: ro(NullableId()),
  user_name: ro(Nullable(Type.String())),
  subject_id: ro(NullableId()),
  subject_name: ro(Nullable(Type.String())),
  subject_color: ro(Nullable(Type.String())),
  subject_symbol: ro(Nullable(Type.String())),
  module_id: ro(NullableId()),
  module_name: ro(Nullable(Type.String())),
  module_order: ro(Nullable(Type.String())),
  program_id: ro(Type.Integer()),
  program_name: ro(Type.String()),
});

const QueueRequest = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  description: Type.Optional(Nullable(Type.String({ maxLength: 150 }))),
  module: Type.Optional(NullableId()),
  user: Type.Optional(NullableId()),
});

const DuplicateQueueRequest = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  module: Type.Optional(NullableId()),
  user: Type.Optional(NullableId()),
});

const QueueItemWire = Type.Object({
  id: ro(Type.Integer()),
  order: Type.Integer(),
  exercise: ro(Nullable(ExerciseWire)),
  nested_queue: ro(Nullable(QueueWire)),
  queue_rule: QueueRule,
  continue_on_redo: Type.Boolean(),
  enabled: Type.Boolean(),
});

const QueueItemRequest = Type.Object({
  order: Type.Integer(),
  set_exercise_id: NullableId(),
  set_nested_queue_id: NullableId(),
  set_module_id: NullableId(),
  queue_rule: QueueRule,
  continue_on_redo: Type.Optional(Type.Boolean()),
  enabled: Type.Boolean(),
  set_tags_id: IdList(),
});

const QueueItemMoveRequest = Type.Object({ new_order: Type.Integer() });

const FILTERS = {
  class__id: 'int',
  mentor__id: 'int',
  module: 'int',
  module__isnull: 'bool',
  program__id__in: 'intList',
  user: 'int',
  user__isnull: 'bool',
} as const;

export function renderQueue(q: Queue) {
  return {
    id: q.id,
    name: q.name,
    description: q.description,
    module: q.module_id,
    user: q.user_id,
    user_id: q.user_id,
    user_name: q.user_id === null ? null : fullName({ first_name: q.user_first_name ?? '', last_name: q.user_last_name ?? '', username: q.user_username ?? '' }),
    subject_id: q.subject_id,
    subject_name: q.subject_name,
    subject_color: q.subject_color,
    subject_symbol: q.subject_symbol,
    module_id: q.module_id,
    module_name: q.module_name,
    module_order: q.module_order,
    // Every queue belongs to a program (a module's, or its user's): the core refuses others.
    program_id: q.program_id ?? 0,
    program_name: q.program_name ?? '',
  };
}

async function renderItems(services: Services, items: QueueItem[]) {
  const exercises = await services.exercises.byIds(items.flatMap((i) => (i.exercise_id !== null ? [i.exercise_id] : [])));
  const queues = await services.queues.byIds(items.flatMap((i) => (i.nested_queue_id !== null ? [i.nested_queue_id] : [])));
  const exercise = (id: number | null): Exercise | undefined => (id === null ? undefined : exercises.get(id));
  return items.map((i) => {
    const e = exercise(i.exercise_id);
    const q = i.nested_queue_id === null ? undefined : queues.get(i.nested_queue_id);
    return {
      id: i.id,
      order: i.order,
      exercise: e && e.module_id !== null ? renderExercise(e) : null,
      nested_queue: q ? renderQueue(q) : null,
      queue_rule: i.queue_rule as (typeof QUEUE_RULES)[number],
      continue_on_redo: i.continue_on_redo,
      enabled: i.enabled,
    };
  });
}

const renderItem = async (services: Services, item: QueueItem) => (await renderItems(services, [item]))[0]!;

const doc = (operationId: string, extra: object = {}) => ({ operationId, tags: ['queues'], ...extra });

/**
 * `/queues/` and `/queues/{parentId}/items/` (hive.md §6.6). Reads are for checkers and up (the
 * programs they check), writes for staff and admins; students read their own path on `users/me`.
 */
export function queueRoutes(router: HiveRouter): void {
  const base = '/queues/';
  const one = '/queues/:id/';
  const items = '/queues/:parentId/items/';
  const item = '/queues/:parentId/items/:id/';
  const reader = 'queues.read';
  const writer = 'queues.write';
  const body = async (ctx: HiveContext) => readHiveBody(ctx.request, ctx.services);

  router.get(base, { action: reader, schema: doc('queues_list', { querystring: filterQuerySchema(FILTERS), response: { 200: Type.Array(QueueWire) } }) }, async ({ services, actor, query }) => {
    const f = parseFilters(FILTERS, query);
    const queues = await services.queues.list(actor, {
      classId: f.class__id,
      mentorId: f.mentor__id,
      moduleId: f.module,
      moduleIsNull: f.module__isnull,
      programIds: f.program__id__in,
      userId: f.user,
      userIsNull: f.user__isnull,
    });
    return queues.map(renderQueue);
  });

  router.post(base, { action: writer, schema: doc('queues_create', { body: QueueRequest, response: { 201: QueueWire } }) }, async (ctx) => {
    const b = await body(ctx);
    const input = validateBody<QueueInput & { name: string }>(QueueRequest, b.data, { form: b.form });
    return renderQueue(await ctx.services.queues.create(ctx.actor, input));
  });

  router.get(one, { action: reader, schema: doc('queues_retrieve', { response: { 200: QueueWire } }) }, async ({ services, actor, id }) =>
    renderQueue(await services.queues.get(actor, id())),
  );

  for (const [method, partial] of [['put', false], ['patch', true]] as const) {
    router[method](
      one,
      { action: writer, schema: doc(partial ? 'queues_partial_update' : 'queues_update', { body: QueueRequest, response: { 200: QueueWire } }) },
      async (ctx) => {
        const queueId = ctx.id();
        await ctx.services.queues.getForWrite(ctx.actor, queueId);
        const b = await body(ctx);
        const input = validateBody<QueueInput>(QueueRequest, b.data, { form: b.form, partial });
        return renderQueue(await ctx.services.queues.update(ctx.actor, queueId, input));
      },
    );
  }

  router.delete(one, { action: writer, schema: doc('queues_destroy') }, async ({ services, actor, id }) => {
    await services.queues.delete(actor, id());
    return EMPTY;
  });

  router.post(`${one}delete_new/`, { action: writer, schema: doc('queues_delete_new_create', { summary: 'Delete all new assignments' }) }, async ({ services, actor, id }) => {
    await services.queues.deleteNew(actor, id());
    return EMPTY;
  });

  router.post(
    `${one}duplicate/`,
    { action: writer, status: 200, schema: doc('queues_duplicate_create', { summary: 'Make a copy of the queue', body: DuplicateQueueRequest, response: { 200: QueueWire } }) },
    async (ctx) => {
      const queueId = ctx.id();
      await ctx.services.queues.getForWrite(ctx.actor, queueId);
      const b = await body(ctx);
      const input = validateBody<{ name: string; module?: number | null; user?: number | null }>(DuplicateQueueRequest, b.data, { form: b.form });
      return renderQueue(await ctx.services.queues.duplicate(ctx.actor, queueId, input));
    },
  );

  router.get(items, { action: reader, schema: doc('queues_items_list', { response: { 200: Type.Array(QueueItemWire) } }) }, async ({ services, actor, id }) =>
    renderItems(services, await services.queues.listItems(actor, id('parentId'))),
  );

  router.post(items, { action: writer, schema: doc('queues_items_create', { body: QueueItemRequest, response: { 201: QueueItemWire } }) }, async (ctx) => {
    const queueId = ctx.id('parentId');
    await ctx.services.queues.getForWrite(ctx.actor, queueId);
    const b = await body(ctx);
    if (b.form) b.data.set_tags_id ??= [];
    const input = validateBody<Required<QueueItemInput>>(QueueItemRequest, b.data, { form: b.form });
    return renderItem(ctx.services, await ctx.services.queues.createItem(ctx.actor, queueId, input));
  });

  router.get(item, { action: reader, schema: doc('queues_items_retrieve', { response: { 200: QueueItemWire } }) }, async ({ services, actor, id }) =>
    renderItem(services, await services.queues.getItem(actor, id('parentId'), id())),
  );

  for (const [method, partial] of [['put', false], ['patch', true]] as const) {
    router[method](
      item,
      { action: writer, schema: doc(partial ? 'queues_items_partial_update' : 'queues_items_update', { body: QueueItemRequest, response: { 200: QueueItemWire } }) },
      async (ctx) => {
        const queueId = ctx.id('parentId');
        const itemId = ctx.id();
        await ctx.services.queues.getItemForWrite(ctx.actor, queueId, itemId);
        const b = await body(ctx);
        if (b.form && !partial) b.data.set_tags_id ??= [];
        const input = validateBody<QueueItemInput>(QueueItemRequest, b.data, { form: b.form, partial });
        return renderItem(ctx.services, await ctx.services.queues.updateItem(ctx.actor, queueId, itemId, input));
      },
    );
  }

  router.delete(item, { action: writer, schema: doc('queues_items_destroy') }, async ({ services, actor, id }) => {
    await services.queues.deleteItem(actor, id('parentId'), id());
    return EMPTY;
  });

  router.post(
    `${item}expand/`,
    { action: writer, schema: doc('queues_items_expand_create', { summary: 'Gets items from queue and all nested queues' }) },
    async ({ services, actor, id }) => {
      await services.queues.expandItem(actor, id('parentId'), id());
      return EMPTY;
    },
  );

  router.post(
    `${item}move/`,
    { action: writer, status: 200, schema: doc('queues_items_move_create', { body: QueueItemMoveRequest, response: { 200: QueueItemWire } }) },
    async (ctx) => {
      const queueId = ctx.id('parentId');
      const itemId = ctx.id();
      await ctx.services.queues.getItemForWrite(ctx.actor, queueId, itemId);
      const b = await body(ctx);
      const input = validateBody<{ new_order: number }>(QueueItemMoveRequest, b.data, { form: b.form });
      return renderItem(ctx.services, await ctx.services.queues.moveItem(ctx.actor, queueId, itemId, input.new_order));
    },
  );
}
