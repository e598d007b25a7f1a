import { Type } from '@sinclair/typebox';
import type { CoreAction } from '../../../core/attempts.ts';
import type { Assignment, AssignmentInput, AssignmentNotice } from '../../../core/assignments/assignments.service.ts';
import { ASSIGNMENT_STATUSES } from '../../../core/assignments/status-flow.ts';
import { AssayError } from '../../../core/errors.ts';
import { readHiveBody } from '../body.ts';
import type { Filters } from '../filters.ts';
import { filterQuerySchema, parseFilters } from '../filters.ts';
import type { HiveRouter } from '../router.ts';
import { EMPTY } from '../router.ts';
import { DateTime, Enum, Nullable } from '../schema-helpers.ts';
import { studentFilterSpec, studentFilters } from '../student-filters.ts';
import { validateBody } from '../validate.ts';

const ro = Type.Readonly;
const Status = Enum(ASSIGNMENT_STATUSES);

/** AssignmentRequest (PUT; PATCH takes the same keys, all optional). The counters are accepted and ignored: the core keeps them. */
export const AssignmentRequest = Type.Object({
  assignment_status: Status,
  student_assignment_status: Type.Optional(Status),
  description: Type.Optional(Nullable(Type.String())),
  submission_count: Type.Optional(Type.Integer({ description: 'Read-only in effect: maintained by the server.' })),
  total_check_count: Type.Optional(Type.Integer({ description: 'Read-only in effect: maintained by the server.' })),
  manual_check_count: Type.Optional(Type.Integer({ description: 'Read-only in effect: maintained by the server.' })),
  flagged: Type.Optional(Type.Boolean()),
  timer: Type.Optional(Nullable(Type.String())),
});

/** POST also takes (and requires) the student and the exercise, as hivelms-client sends them. */
const AssignmentCreateRequest = Type.Composite([AssignmentRequest, Type.Object({ user: Type.Integer(), exercise: Type.Integer() })]);

const NotificationNested = Type.Object({ id: ro(Type.Integer()), from_user: Nullable(Type.Integer()), comment: Type.String() });

export const AssignmentWire = Type.Object({
  id: ro(Type.Integer()),
  user: ro(Type.Integer()),
  checker: ro(Nullable(Type.Integer())),
  checker_first_name: ro(Type.String()),
  checker_last_name: ro(Type.String()),
  is_subscribed: ro(Type.Boolean()),
  exercise: ro(Type.Integer()),
  assignment_status: Status,
  student_assignment_status: Status,
  patbas: ro(Type.Boolean()),
  description: Nullable(Type.String()),
  submission_count: Type.Integer(),
  total_check_count: Type.Integer(),
  manual_check_count: Type.Integer(),
  notifications: ro(Type.Array(NotificationNested)),
  last_staff_updated: ro(DateTime()),
  flagged: Type.Boolean(),
  work_time: ro(Type.Integer()),
  timer: Nullable(Type.String()),
});

const AssignmentNotificationWire = Type.Object({
  id: ro(Type.Integer()),
  user: ro(Type.Integer()),
  user_name: ro(Type.String()),
  exercise: ro(Type.Integer()),
  module: ro(Type.Integer()),
  subject: ro(Type.Integer()),
  last_staff_updated: ro(DateTime()),
});

const listFilters = {
  exercise__id: 'int',
  exercise__parent_module__id: 'int',
  exercise__parent_module__parent_subject__id: 'int',
  exercise__tags__id__in: 'intList',
  queue__id: 'int',
  ...studentFilterSpec,
} as const;

const latestFilters = {
  exercise__parent_module__parent_subject__id: 'int',
  user__classes__id: 'int',
  user__id__in: 'intList',
  last_staff_updated__gt: 'datetime',
} as const;

export function renderAssignment(a: Assignment) {
  return {
    id: a.id,
    user: a.user_id,
    checker: a.checker_id,
    checker_first_name: a.checker_first_name,
    checker_last_name: a.checker_last_name,
    is_subscribed: a.is_subscribed,
    exercise: a.exercise_id,
    assignment_status: a.status,
    student_assignment_status: a.student_status,
    patbas: a.patbas,
    description: a.description,
    submission_count: a.submission_count,
    total_check_count: a.total_check_count,
    manual_check_count: a.manual_check_count,
    notifications: a.notifications,
    last_staff_updated: a.last_staff_updated,
    flagged: a.flagged,
    work_time: a.work_time,
    timer: a.timer,
  };
}

/** Only assignments on exercises in a module have Hive's shape (module and subject are integers there). */
const renderNotice = (n: AssignmentNotice) =>
  n.module_id === null || n.subject_id === null
    ? []
    : [{ id: n.id, user: n.user_id, user_name: n.user_name, exercise: n.exercise_id, module: n.module_id, subject: n.subject_id, last_staff_updated: n.last_staff_updated }];

const doc = (operationId: string, extra: object = {}) => ({ operationId, tags: ['assignments'], ...extra });

/** `/assignments/`: CRUD, locks, subscriptions and the `latest` feed (its responses are in assignment-responses.ts). */
export function assignmentRoutes(router: HiveRouter): void {
  const base = '/assignments/';
  const item = '/assignments/:id/';

  router.get(base, { schema: doc('assignments_list', { querystring: filterQuerySchema(listFilters), response: { 200: Type.Array(AssignmentWire) } }) }, async ({ services, actor, query, reply }) => {
    const f: Filters<typeof listFilters> = parseFilters(listFilters, query);
    const list = await services.assignments.list(actor, {
      exerciseId: f.exercise__id,
      moduleId: f.exercise__parent_module__id,
      subjectId: f.exercise__parent_module__parent_subject__id,
      tagIds: f.exercise__tags__id__in,
      queueId: f.queue__id,
      ...studentFilters(f),
    });
    // renderAssignment builds exactly AssignmentWire's keys, in its order, from values of its types,
    // so JSON.stringify writes what the schema's serializer would; that one checks every nullable and
    // enum field of every row against its schema (a course's 20,000 assignments: 800 ms against 60-400 ms).
    reply.type('application/json; charset=utf-8').serializer(JSON.stringify);
    return list.map(renderAssignment);
  });

  router.post(
    base,
    { action: 'assignments.create', schema: doc('assignments_create', { body: AssignmentCreateRequest, response: { 201: AssignmentWire } }) },
    async ({ request, services, actor }) => {
      const body = await readHiveBody(request, services);
      const input = validateBody<AssignmentInput & { user: number; exercise: number }>(AssignmentCreateRequest, body.data, { form: body.form });
      return renderAssignment(await services.assignments.create(actor, input));
    },
  );

  router.get(`${base}latest/`, { action: 'assignments.latest', schema: doc('assignments_latest_list', { querystring: filterQuerySchema(latestFilters), response: { 200: Type.Array(AssignmentNotificationWire) } }) }, async ({ services, actor, query }) => {
    const f: Filters<typeof latestFilters> = parseFilters(latestFilters, query);
    const feed = await services.assignments.latest(actor, {
      subjectId: f.exercise__parent_module__parent_subject__id,
      classId: f.user__classes__id,
      userIds: f.user__id__in,
      staffUpdatedAfter: f.last_staff_updated__gt,
    });
    return feed.flatMap(renderNotice);
  });

  router.get(`${base}latest/:id/`, { action: 'assignments.latest', schema: doc('assignments_latest_retrieve', { response: { 200: AssignmentNotificationWire } }) }, async ({ services, actor, id }) => {
    const [notice] = (await services.assignments.latest(actor, { id: id() })).flatMap(renderNotice);
    if (!notice) throw AssayError.notFound();
    return notice;
  });

  router.get(item, { schema: doc('assignments_retrieve', { response: { 200: AssignmentWire } }) }, async ({ services, actor, id }) =>
    renderAssignment(await services.assignments.get(actor, id())),
  );

  for (const [method, partial] of [['put', false], ['patch', true]] as const) {
    router[method](
      item,
      { action: 'assignments.update', schema: doc(partial ? 'assignments_partial_update' : 'assignments_update', { body: AssignmentRequest, response: { 200: AssignmentWire } }) },
      async ({ request, services, actor, id }) => {
        const assignmentId = id();
        await services.assignments.getForGrading(actor, assignmentId);
        const body = await readHiveBody(request, services);
        const input = validateBody<AssignmentInput>(AssignmentRequest, body.data, { form: body.form, partial });
        return renderAssignment(await services.assignments.update(actor, assignmentId, input));
      },
    );
  }

  router.delete(item, { action: 'assignments.delete', schema: doc('assignments_destroy') }, async ({ services, actor, id }) => {
    await services.assignments.delete(actor, id());
    return EMPTY;
  });

  const action = (name: string, operationId: string, summary: string, attempt: CoreAction | undefined, run: (ctx: Parameters<Parameters<HiveRouter['put']>[2]>[0], assignmentId: number) => Promise<void>) =>
    router.put(`${item}${name}/`, { ...(attempt ? { action: attempt } : {}), schema: doc(operationId, { summary }) }, async (ctx) => {
      await run(ctx, ctx.id());
      return EMPTY;
    });
  action('lock', 'assignments_lock_update', 'Lock a thread for editing', 'assignments.lock', ({ services, actor }, id) => services.assignments.lock(actor, id));
  action('unlock', 'assignments_unlock_update', 'Unlock thread editing', 'assignments.lock', ({ services, actor }, id) => services.assignments.unlock(actor, id));
  action('subscribe', 'assignments_subscribe_update', 'Subscribe to receive notifications from a thread', undefined, ({ services, actor }, id) =>
    services.assignments.subscribe(actor, id, true),
  );
  action('unsubscribe', 'assignments_unsubscribe_update', 'Unsubscribe', undefined, ({ services, actor }, id) => services.assignments.subscribe(actor, id, false));
}
