import { Type } from '@sinclair/typebox';
import { assertMayAttempt } from '../../../core/attempts.ts';
import type { HiveContext, HiveRouter } from '../router.ts';
import { EMPTY } from '../router.ts';
import type { Lesson } from '../../../core/schedule/lessons.service.ts';
import type { LessonRule } from '../../../core/schedule/lesson-rules.service.ts';
import type { EventColorInput } from '../../../core/schedule/colors.service.ts';
import type { EventInput, ScheduleEvent } from '../../../core/schedule/events.service.ts';
import { EVENT_TYPES, WORK_EVENT } from '../../../core/schedule/events.service.ts';
import { loadRuleDetails } from '../../../core/schedule/rule-details.ts';
import { crudRoutes } from '../crud.ts';
import { readHiveBody } from '../body.ts';
import { DateTime, Enum, Nullable } from '../schema-helpers.ts';
import { validateBody } from '../validate.ts';
import { ModuleWire, renderModule } from './course-tree.ts';
import { QueueWire, renderQueue } from './queues.ts';

const ro = Type.Readonly;
const EventType = Enum(EVENT_TYPES);

const LessonRequest = Type.Object({
  name: Type.String({ maxLength: 100, minLength: 1 }),
  module: Type.Integer(),
  description: Type.Optional(Nullable(Type.String())),
});
const LessonWire = Type.Object({
  id: ro(Type.Integer()),
  name: Type.String(),
  module: Type.Integer(),
  module_order: ro(Type.String()),
  module_name: ro(Type.String()),
  subject_symbol: ro(Type.String()),
  subject_name: ro(Type.String()),
  program_name: ro(Type.String()),
  description: Nullable(Type.String()),
});

const ClassWire = Type.Object({
  id: ro(Type.Integer()),
  name: Type.String(),
  display_name: ro(Type.String()),
  program: Type.Integer(),
  users: Type.Array(Type.Integer()),
  email: Type.String(),
  type: Enum(['Room', 'Student Group'] as const),
  program__name: ro(Type.String()),
  description: Nullable(Type.String()),
});

const LessonRuleRequest = Type.Object({
  parent_rule: Type.Optional(Nullable(Type.Integer())),
  student_groups: Type.Optional(Type.Array(Type.Integer())),
  queue: Type.Optional(Nullable(Type.Integer())),
});
const LessonRuleWire = Type.Object({
  id: ro(Type.Integer()),
  parent_rule: Nullable(Type.Integer()),
  student_groups: Type.Array(Type.Integer()),
  queue: Nullable(Type.Integer()),
  queue_data: ro(Nullable(QueueWire)),
  student_groups_data: ro(Nullable(Type.Array(ClassWire))),
});

const EventColorRequest = Type.Object({ name: Type.String({ maxLength: 20, minLength: 1 }), color: Type.String({ maxLength: 7 }) });
const EventColorWire = Type.Object({ id: ro(Type.Integer()), name: Type.String(), color: Type.String() });

const eventProperties = {
  id: ro(Type.Integer()),
  start: DateTime(),
  end: DateTime(),
  title: ro(Nullable(Type.String())),
  attendees: ro(Nullable(Type.Array(Type.Object({}, { additionalProperties: true })))),
  subject_id: ro(Nullable(Type.Integer())),
  subject_name: ro(Nullable(Type.String())),
  color: ro(Nullable(Type.String())),
  type: EventType,
  location: Nullable(Type.String({ maxLength: 100 })),
};
const EventKioskWire = Type.Object(eventProperties);
/** EventRequest and EventKioskRequest are the same four fields. */
const EventRequest = Type.Object({
  start: DateTime(),
  end: DateTime(),
  type: EventType,
  location: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
});
const EventWire = Type.Object({ ...eventProperties, module_id: ro(Nullable(Type.Integer())), lesson_name: ro(Nullable(Type.String())) });

const DailyReviewRequest = Type.Object({
  date: DateTime(),
  show_lesson_names: Type.Boolean(),
  hide_work_details: Type.Boolean(),
  class: Type.Optional(Nullable(Type.Integer())),
});

const renderLesson = (l: Lesson) => ({
  id: l.id,
  name: l.name,
  module: l.module_id,
  module_order: l.module_order,
  module_name: l.module_name,
  subject_symbol: l.subject_symbol,
  subject_name: l.subject_name,
  program_name: l.program_name,
  description: l.description,
});

async function renderRules(ctx: HiveContext, rules: LessonRule[]) {
  const queues = await ctx.services.queues.byIds(rules.flatMap((r) => (r.queue_id === null ? [] : [r.queue_id])));
  const details = await loadRuleDetails(ctx.services.db, [...new Set(rules.flatMap((r) => r.student_groups))]);
  return rules.map((r) => {
    const q = r.queue_id === null ? undefined : queues.get(r.queue_id);
    const groups = r.student_groups.map((g) => details.classes.get(g)).filter((c) => c !== undefined);
    return {
      id: r.id,
      parent_rule: r.parent_rule_id,
      student_groups: r.student_groups,
      queue: r.queue_id,
      queue_data: q ? renderQueue(q) : null,
      student_groups_data: groups.map((c) => ({
        id: c.id,
        name: c.name,
        display_name: c.name,
        program: c.course_id,
        users: c.users,
        email: c.email,
        type: c.type,
        program__name: c.program_name,
        description: c.description,
      })),
    };
  });
}

const renderKiosk = (e: ScheduleEvent, showWorkName = true) => ({
  id: e.id,
  start: e.start,
  end: e.end,
  title: !showWorkName && e.type === WORK_EVENT ? null : e.title,
  attendees: e.attendees,
  subject_id: e.subject_id,
  subject_name: e.subject_name,
  color: e.color,
  type: e.type,
  location: e.location,
});
const renderEvent = (e: ScheduleEvent) => ({ ...renderKiosk(e), module_id: e.module_id, lesson_name: e.lesson_name });

const doc = (operationId: string, extra: object = {}) => ({ operationId, tags: ['schedule'], ...extra });

/** Lessons are staff planning: checkers read them (in their programs), staff write. */
const assertLessonReader = (ctx: HiveContext): void => assertMayAttempt(ctx.actor, 'lessons.read');
/** The kiosk shows students' events to staff: checkers and up read it. */
const assertKioskReader = (ctx: HiveContext): void => assertMayAttempt(ctx.actor, 'kiosk.read');

const eventFilters = { start__gte: 'datetime', end__lte: 'datetime', lesson__id: 'int' } as const;
const kioskFilters = { ...eventFilters, work_name: 'bool' } as const;

/**
 * `/schedule/…`: lessons and their rules, colors, events and the kiosk (each CRUD; staff write;
 * events also come from iCalendar imports), and `daily_review`.
 */
export function scheduleRoutes(router: HiveRouter): void {
  crudRoutes(router, {
    path: '/schedule/lessons/',
    operation: 'schedule_lessons',
    tag: 'schedule',
    response: LessonWire,
    request: LessonRequest,
    filters: { module__id: 'int', module__parent_subject__parent_program_id__in: 'intList' },
    writeAction: 'lessons.write',
    list: async (ctx, f) => {
      assertLessonReader(ctx);
      return (await ctx.services.schedule.lessons.list(ctx.actor, { moduleId: f.module__id, courseIds: f.module__parent_subject__parent_program_id__in })).map(renderLesson);
    },
    get: async (ctx, id) => {
      assertLessonReader(ctx);
      return renderLesson(await ctx.services.schedule.lessons.get(ctx.actor, id));
    },
    create: async ({ services, actor }, input: { name: string; module: number; description?: string | null }) =>
      renderLesson(await services.schedule.lessons.create(actor, { name: input.name, module_id: input.module, description: input.description })),
    update: async ({ services, actor }, id, input) =>
      renderLesson(await services.schedule.lessons.update(actor, id, { name: input.name, module_id: input.module, description: input.description })),
    delete: ({ services, actor }, id) => services.schedule.lessons.delete(actor, id),
  });

  const rules = '/schedule/lessons/:parentId/rules/';
  const rule = `${rules}:id/`;
  const lessonOf = async (ctx: HiveContext) => {
    assertLessonReader(ctx);
    const lessonId = ctx.id('parentId');
    await ctx.services.schedule.lessons.get(ctx.actor, lessonId);
    return lessonId;
  };
  router.get(rules, { schema: doc('schedule_lessons_rules_list', { response: { 200: Type.Array(LessonRuleWire) } }) }, async (ctx) =>
    renderRules(ctx, await ctx.services.schedule.rules.list(ctx.actor, await lessonOf(ctx))),
  );
  router.post(rules, { action: 'lessonRules.write', schema: doc('schedule_lessons_rules_create', { body: LessonRuleRequest, response: { 201: LessonRuleWire } }) }, async (ctx) => {
    const lessonId = await lessonOf(ctx);
    const body = await readHiveBody(ctx.request, ctx.services);
    const input = validateBody(LessonRuleRequest, body.data, { form: body.form });
    return (await renderRules(ctx, [await ctx.services.schedule.rules.create(ctx.actor, lessonId, input)]))[0];
  });
  router.get(rule, { schema: doc('schedule_lessons_rules_retrieve', { response: { 200: LessonRuleWire } }) }, async (ctx) =>
    (await renderRules(ctx, [await ctx.services.schedule.rules.get(ctx.actor, await lessonOf(ctx), ctx.id())]))[0],
  );
  for (const [method, partial] of [['put', false], ['patch', true]] as const) {
    router[method](
      rule,
      {
        action: 'lessonRules.write',
        schema: doc(partial ? 'schedule_lessons_rules_partial_update' : 'schedule_lessons_rules_update', { body: LessonRuleRequest, response: { 200: LessonRuleWire } }),
      },
      async (ctx) => {
        const lessonId = await lessonOf(ctx);
        const ruleId = ctx.id();
        await ctx.services.schedule.rules.get(ctx.actor, lessonId, ruleId);
        const body = await readHiveBody(ctx.request, ctx.services);
        const input = validateBody(LessonRuleRequest, body.data, { form: body.form, partial });
        return (await renderRules(ctx, [await ctx.services.schedule.rules.update(ctx.actor, lessonId, ruleId, input)]))[0];
      },
    );
  }
  router.delete(rule, { action: 'lessonRules.write', schema: doc('schedule_lessons_rules_destroy') }, async (ctx) => {
    await ctx.services.schedule.rules.delete(ctx.actor, await lessonOf(ctx), ctx.id());
    return EMPTY;
  });

  crudRoutes(router, {
    path: '/schedule/colors/',
    operation: 'schedule_colors',
    tag: 'schedule',
    response: EventColorWire,
    request: EventColorRequest,
    filters: {},
    writeAction: 'colors.write',
    list: ({ services }) => services.schedule.colors.list(),
    get: ({ services }, id) => services.schedule.colors.get(id),
    create: ({ services, actor }, input: Required<EventColorInput>) => services.schedule.colors.create(actor, input),
    update: ({ services, actor }, id, input) => services.schedule.colors.update(actor, id, input),
    delete: ({ services, actor }, id) => services.schedule.colors.delete(actor, id),
  });

  type EventRequestInput = Required<Pick<EventInput, 'start' | 'end' | 'type'>> & EventInput;
  crudRoutes(router, {
    path: '/schedule/events/',
    operation: 'schedule_events',
    tag: 'schedule',
    response: EventWire,
    request: EventRequest,
    filters: eventFilters,
    writeAction: 'events.write',
    list: async ({ services, actor }, f) =>
      (await services.schedule.events.list(actor, { startGte: f.start__gte, endLte: f.end__lte, lessonId: f.lesson__id })).map(renderEvent),
    get: async ({ services, actor }, id) => renderEvent(await services.schedule.events.get(actor, id)),
    create: async ({ services, actor }, input: EventRequestInput) => renderEvent(await services.schedule.events.create(actor, input)),
    update: async ({ services, actor }, id, input) => renderEvent(await services.schedule.events.update(actor, id, input)),
    delete: ({ services, actor }, id) => services.schedule.events.delete(actor, id),
  });

  crudRoutes(router, {
    path: '/schedule/kiosk/',
    operation: 'schedule_kiosk',
    tag: 'schedule',
    response: EventKioskWire,
    request: EventRequest,
    filters: kioskFilters,
    writeAction: 'events.write',
    list: async (ctx, f) => {
      assertKioskReader(ctx);
      const events = await ctx.services.schedule.events.list(ctx.actor, { startGte: f.start__gte, endLte: f.end__lte, lessonId: f.lesson__id });
      return events.map((e) => renderKiosk(e, f.work_name !== false));
    },
    get: async (ctx, id) => {
      assertKioskReader(ctx);
      return renderKiosk(await ctx.services.schedule.events.get(ctx.actor, id));
    },
    create: async ({ services, actor }, input: EventRequestInput) => renderKiosk(await services.schedule.events.create(actor, input)),
    update: async ({ services, actor }, id, input) => renderKiosk(await services.schedule.events.update(actor, id, input)),
    delete: ({ services, actor }, id) => services.schedule.events.delete(actor, id),
  });

  router.post(
    '/schedule/daily_review/',
    { action: 'dailyReview.create', status: 200, schema: doc('schedule_daily_review_create', { body: DailyReviewRequest, response: { 200: ModuleWire } }) },
    async (ctx) => {
      const body = await readHiveBody(ctx.request, ctx.services);
      const input = validateBody(DailyReviewRequest, body.data, { form: body.form });
      return renderModule(await ctx.services.schedule.dailyReview.create(ctx.actor, input));
    },
  );
}
