import { Type } from '@sinclair/typebox';
import type { NewNotification, Notification, NotificationChange } from '../../../core/notifications/notifications.service.ts';
import { readHiveBody } from '../body.ts';
import type { Filters } from '../filters.ts';
import { filterQuerySchema, parseFilters } from '../filters.ts';
import type { HiveRouter } from '../router.ts';
import { EMPTY } from '../router.ts';
import { Enum, Nullable } from '../schema-helpers.ts';
import { validateBody } from '../validate.ts';

const ro = Type.Readonly;
const HELP_TYPES = ['Exercise', 'Medical', 'Error', 'Music', 'Request', 'Other', 'Chat'] as const;
const RESPONSE_TYPES = ['Comment', 'Work In Progress', 'Submission', 'AutoCheck', 'Redo', 'Done', 'Resolve', 'Open'] as const;

/** POST and PUT body; PATCH takes the same keys, all optional. `user` (the recipient) is write-only. */
const NotificationRequest = Type.Object({
  help: Type.Optional(Nullable(Type.Integer())),
  assignment: Type.Optional(Nullable(Type.Integer())),
  comment: Type.Optional(Type.String()),
  was_read: Type.Optional(Type.Boolean()),
  user: Type.Integer({ writeOnly: true, description: 'The recipient. Used on creation; ignored on update.' }),
});
const NotificationWire = Type.Object({
  id: ro(Type.Integer()),
  help: Nullable(Type.Integer()),
  assignment: Nullable(Type.Integer()),
  response_type: ro(Nullable(Enum(RESPONSE_TYPES))),
  exercise: ro(Nullable(Type.Integer())),
  exercise_name: ro(Nullable(Type.String())),
  module: ro(Nullable(Type.Integer())),
  subject: ro(Nullable(Type.Integer())),
  program: ro(Nullable(Type.Integer())),
  help_type: ro(Nullable(Enum(HELP_TYPES))),
  help_title: ro(Nullable(Type.String())),
  comment: Type.String(),
  from_user: ro(Nullable(Type.Integer())),
  from_user_name: ro(Type.String()),
  was_read: Type.Boolean(),
  time: ro(Type.String({ format: 'date-time' })),
  for_user: ro(Type.Integer()),
  for_user_name: ro(Type.String()),
});

const filterSpec = {
  assignment: 'int',
  assignment__exercise: 'int',
  assignment__exercise__in: 'intList',
  from_user__isnull: 'bool',
  help: 'int',
  help__in: 'intList',
  was_read: 'bool',
} as const;

/** The Hive wire shape of a notification. */
export function renderNotification(n: Notification) {
  return {
    id: n.id,
    help: n.help_id,
    assignment: n.assignment_id,
    response_type: n.response_type,
    exercise: n.exercise_id,
    exercise_name: n.exercise_name,
    module: n.module_id,
    subject: n.subject_id,
    program: n.course_id,
    help_type: n.help_type,
    help_title: n.help_title,
    comment: n.comment,
    from_user: n.from_user_id,
    from_user_name: n.from_user_name,
    was_read: n.was_read,
    time: n.created_at,
    for_user: n.for_user_id,
    for_user_name: n.for_user_name,
  };
}

const doc = (operationId: string, extra: object = {}) => ({ operationId, tags: ['notification'], ...extra });

/**
 * `/notification/` (singular, as upstream): each caller lists and manages only the notifications
 * addressed to them; checkers and above may send one by hand. On PUT and PATCH only `was_read` and
 * `comment` change: `user`, `help` and `assignment` are fixed once sent and ignored.
 */
export function notificationRoutes(router: HiveRouter): void {
  const base = '/notification/';
  const item = '/notification/:id/';

  router.get(base, { schema: doc('notification_list', { querystring: filterQuerySchema(filterSpec), response: { 200: Type.Array(NotificationWire) } }) }, async ({ services, actor, query }) => {
    const f: Filters<typeof filterSpec> = parseFilters(filterSpec, query);
    const list = await services.notifications.list(actor, {
      assignmentId: f.assignment,
      exerciseId: f.assignment__exercise,
      exerciseIds: f.assignment__exercise__in,
      fromSystem: f.from_user__isnull,
      helpId: f.help,
      helpIds: f.help__in,
      wasRead: f.was_read,
    });
    return list.map(renderNotification);
  });

  router.post(
    base,
    { action: 'notifications.create', schema: doc('notification_create', { body: NotificationRequest, response: { 201: NotificationWire } }) },
    async ({ request, services, actor }) => {
      const body = await readHiveBody(request, services);
      const input = validateBody(NotificationRequest, body.data, { form: body.form });
      const notice: NewNotification = { user_id: input.user, help_id: input.help, assignment_id: input.assignment, comment: input.comment, was_read: input.was_read };
      return renderNotification(await services.notifications.create(actor, notice));
    },
  );

  router.get(item, { schema: doc('notification_retrieve', { response: { 200: NotificationWire } }) }, async ({ services, actor, id }) =>
    renderNotification(await services.notifications.get(actor, id())),
  );

  for (const [method, partial] of [['put', false], ['patch', true]] as const) {
    router[method](
      item,
      { schema: doc(partial ? 'notification_partial_update' : 'notification_update', { body: NotificationRequest, response: { 200: NotificationWire } }) },
      async ({ request, services, actor, id }) => {
        const notificationId = id();
        await services.notifications.get(actor, notificationId);
        const body = await readHiveBody(request, services);
        const input = validateBody(NotificationRequest, body.data, { form: body.form, partial });
        const change: NotificationChange = { comment: input.comment, was_read: input.was_read };
        return renderNotification(await services.notifications.update(actor, notificationId, change));
      },
    );
  }

  router.delete(item, { schema: doc('notification_destroy') }, async ({ services, actor, id }) => {
    await services.notifications.delete(actor, id());
    return EMPTY;
  });
}
