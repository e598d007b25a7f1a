import { Type } from '@sinclair/typebox';
import type { ClassInput, SchoolClass } from '../../../core/classes/classes.service.ts';
import { CLASS_TYPES } from '../../../core/classes/classes.service.ts';
import { readHiveBody } from '../body.ts';
import { crudRoutes } from '../crud.ts';
import type { HiveContext, HiveRouter } from '../router.ts';
import { EMPTY } from '../router.ts';
import { Enum, IdList, Nullable } from '../schema-helpers.ts';
import { validateBody } from '../validate.ts';

const ClassType = Enum(CLASS_TYPES);

const Class = Type.Object({
  id: Type.Readonly(Type.Integer()),
  name: Type.String({ maxLength: 100 }),
  display_name: Type.Readonly(Type.String()),
  program: Type.Integer(),
  users: IdList(),
  email: Type.String({ format: 'email', maxLength: 254 }),
  type: ClassType,
  program__name: Type.Readonly(Type.String()),
  description: Nullable(Type.String({ maxLength: 100 })),
});

const ClassRequest = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  program: Type.Integer(),
  users: IdList(),
  email: Type.Optional(Type.String({ format: 'email', maxLength: 254 })),
  type: Type.Optional(ClassType),
  classes: Type.Optional(IdList()),
  description: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
});

const SetQueueRequest = Type.Object({ queue: Nullable(Type.Integer()) });
const SetLessonRequest = Type.Object({ lesson: Nullable(Type.Integer()) });

const CLASS_FILTERS = {
  id__in: 'intList',
  name: 'string',
  program__id__in: 'intList',
  type: { kind: 'choice', choices: CLASS_TYPES },
} as const;

/** Upstream's `display_name` of a class is its name (inferred; the field is read-only). */
const render = (c: SchoolClass) => ({
  id: c.id,
  name: c.name,
  display_name: c.name,
  program: c.program,
  users: c.users,
  email: c.email,
  type: c.type,
  program__name: c.program__name,
  description: c.description,
});

const doc = (operationId: string, extra: object = {}) => ({ operationId, tags: ['management'], ...extra });

/** Looks the class up for a write (404 / 403), then reads and validates an action body. */
async function actionBody<T>(ctx: HiveContext, schema: Parameters<typeof validateBody>[0]): Promise<{ classId: number; input: T }> {
  const classId = ctx.id();
  await ctx.services.classes.getForWrite(ctx.actor, classId);
  const body = await readHiveBody(ctx.request, ctx.services);
  return { classId, input: validateBody<T>(schema, body.data, { form: body.form }) };
}

/**
 * `/management/classes/`: rooms and student groups, with the actions `queue`, `lesson`,
 * `auto_seat` and `unassign_override_queues`. Checkers read the classes of their programs;
 * staff write.
 */
export function classRoutes(router: HiveRouter): void {
  const base = '/management/classes/';
  const item = `${base}:id/`;

  crudRoutes(router, {
    path: base,
    operation: 'management_classes',
    tag: 'management',
    response: Class,
    request: ClassRequest,
    filters: CLASS_FILTERS,
    writeAction: 'classes.write',
    list: async ({ services, actor }, f) =>
      (await services.classes.list(actor, { ids: f.id__in, name: f.name, programIds: f.program__id__in, type: f.type })).map(render),
    get: async ({ services, actor }, id) => render(await services.classes.get(actor, id)),
    authorize: async ({ services, actor }, id) => void (await services.classes.getForWrite(actor, id)),
    create: async ({ services, actor }, input: ClassInput & { name: string; program: number; users: number[] }) => render(await services.classes.create(actor, input)),
    update: async ({ services, actor }, id, input) => render(await services.classes.update(actor, id, input)),
    delete: ({ services, actor }, id) => services.classes.delete(actor, id),
  });

  router.post(
    `${item}queue/`,
    { action: 'classes.setQueue', status: 200, schema: doc('management_classes_queue_create', { summary: 'Sets a queue for all hanichim in a class', body: SetQueueRequest }) },
    async (ctx) => {
      const { classId, input } = await actionBody<{ queue: number | null }>(ctx, SetQueueRequest);
      await ctx.services.classes.setQueue(ctx.actor, classId, input.queue);
      return EMPTY;
    },
  );

  router.post(
    `${item}lesson/`,
    { action: 'classes.setLesson', status: 200, schema: doc('management_classes_lesson_create', { summary: 'Sets a lesson for all hanichim in a class', body: SetLessonRequest }) },
    async (ctx) => {
      const { classId, input } = await actionBody<{ lesson: number | null }>(ctx, SetLessonRequest);
      // The schedule core applies the rules (a student-specific rule beats the class rule); null clears the overrides.
      await ctx.services.schedule.applyLesson(ctx.actor, classId, input.lesson);
      return EMPTY;
    },
  );

  router.post(
    `${item}auto_seat/`,
    { action: 'classes.autoSeat', status: 200, schema: doc('management_classes_auto_seat_create', { summary: "Seats the class's students on the free seats of its room" }) },
    async ({ services, actor, id }) => {
      // The body is ignored (clients send `{}`), as for every body-less action.
      await services.seating.autoSeat(actor, id());
      return EMPTY;
    },
  );

  router.post(
    `${item}unassign_override_queues/`,
    { action: 'classes.unassignOverrideQueues', status: 200, schema: doc('management_classes_unassign_override_queues_create', { summary: "Clears the override queue of the class's students" }) },
    async ({ services, actor, id }) => {
      await services.classes.clearOverrideQueues(actor, id());
      return EMPTY;
    },
  );
}
