import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../../../core/actor.ts';
import type { CoreAction } from '../../../core/attempts.ts';
import type { FieldProblem } from '../../../core/errors.ts';
import { AssayError } from '../../../core/errors.ts';
import type { HelpStatus, HelpType } from '../../../core/help/help-enums.ts';
import { HELP_RESPONSE_TYPES, HELP_STATUSES, HELP_TYPES, HELP_VISIBILITIES } from '../../../core/help/help-enums.ts';
import type { HelpFilters, HelpOrder, HelpOrderField } from '../../../core/help/help-filters.ts';
import { HELP_ORDER_FIELDS } from '../../../core/help/help-filters.ts';
import type { HelpResponseInput, NewHelpResponse } from '../../../core/help/help-responses.service.ts';
import type { HelpResponse } from '../../../core/help/help-responses.service.ts';
import type { Help, HelpInput, HelpNotice } from '../../../core/help/help.service.ts';
import type { Services } from '../../../core/services.ts';
import { sendAttachment } from '../attachment.ts';
import type { HiveBody } from '../body.ts';
import { readHiveBody } from '../body.ts';
import type { Filters } from '../filters.ts';
import { filterQuerySchema, parseFilters } from '../filters.ts';
import { pageOf, pageRequest } from '../pagination.ts';
import type { HiveRouter } from '../router.ts';
import { EMPTY } from '../router.ts';
import { DateTime, Enum, Nullable } from '../schema-helpers.ts';
import { studentFilterSpec, studentFilters } from '../student-filters.ts';
import { validateBody } from '../validate.ts';
import { ExerciseWire, renderExercise } from './exercises.ts';

const ro = Type.Readonly;
const HelpTypeEnum = Enum(HELP_TYPES);
const HelpStatusEnum = Enum(HELP_STATUSES);
const HelpResponseTypeEnum = Enum(HELP_RESPONSE_TYPES);
const VisibilityEnum = Enum(HELP_VISIBILITIES);

/** HelpRequest (POST, PUT); PATCH takes the same keys, all optional. `exercise_id` is write-only, nullable, and a required key. */
const HelpRequest = Type.Object({
  user: Type.Integer(),
  title: Type.Optional(Type.String({ maxLength: 30 })),
  help_type: HelpTypeEnum,
  exercise_id: Type.Union([Type.Integer(), Type.Null()], { writeOnly: true }),
  visibility: Type.Optional(VisibilityEnum),
});

/** The fields of a response body but `file`, which arrives as a multipart part and is read by hand. */
const HelpResponseFields = Type.Object({
  contents: Type.Optional(Nullable(Type.String())),
  file_name: Type.Optional(Type.String({ maxLength: 255 })),
  dear_student: Type.Optional(Type.Boolean({ default: true })),
  hide_checker_name: Type.Optional(Type.Boolean()),
  segel_only: Type.Optional(Type.Boolean()),
  response_type: HelpResponseTypeEnum,
});
/** HelpResponseRequest and HelpResponseBulkRequest as documented. */
const HelpResponseRequest = Type.Composite([
  HelpResponseFields,
  Type.Object({ file: Type.Optional(Type.Union([Type.String({ format: 'binary' }), Type.Null()], { writeOnly: true })) }),
]);

const HelpResponseWire = Type.Object({
  id: ro(Type.Integer()),
  user: ro(Nullable(Type.Integer())),
  contents: Nullable(Type.String()),
  file_name: Type.String(),
  dear_student: Type.Boolean(),
  date: ro(DateTime()),
  hide_checker_name: Type.Boolean(),
  segel_only: Type.Boolean(),
  response_type: HelpResponseTypeEnum,
});

const NotificationNested = Type.Object({ id: ro(Type.Integer()), from_user: Nullable(Type.Integer()), comment: Type.String() });

const HelpWire = Type.Object({
  id: ro(Type.Integer()),
  user: Type.Integer(),
  checker: ro(Nullable(Type.Integer())),
  checker_first_name: ro(Type.String()),
  checker_last_name: ro(Type.String()),
  is_subscribed: ro(Type.Boolean()),
  title: Type.String(),
  help_type: HelpTypeEnum,
  help_status: ro(HelpStatusEnum),
  for_exercise: ro(Nullable(ExerciseWire)),
  responses: ro(Type.Array(HelpResponseWire)),
  notifications: ro(Type.Array(NotificationNested)),
  visibility: VisibilityEnum,
});

const PaginatedHelpList = Type.Object({
  count: Type.Integer(),
  next: Nullable(Type.String({ format: 'uri' })),
  previous: Nullable(Type.String({ format: 'uri' })),
  results: Type.Array(HelpWire),
});

/** Later Hive versions add `last_staff_updated` (hive.md §9 #12). */
const HelpNotification = Type.Object({ id: ro(Type.Integer()), user_name: ro(Type.String()), last_staff_updated: ro(DateTime()) });
const TopHelpResponseChecker = Type.Object({ contents: Nullable(Type.String()) });

const listFilters = {
  created_by: 'int',
  current: 'bool',
  for_exercise__id: 'int',
  for_exercise__parent_module__id: 'int',
  for_exercise__parent_module__parent_subject__id: 'int',
  free_text: 'string',
  help_status__in: { kind: 'choiceList', choices: HELP_STATUSES },
  help_type__in: { kind: 'choiceList', choices: HELP_TYPES },
  ...studentFilterSpec,
} as const;

const latestFilters = {
  help_type__in: { kind: 'choiceList', choices: HELP_TYPES },
  user__classes__id: 'int',
  user__id__in: 'intList',
  user__mentor__id: 'int',
  last_staff_updated__gt: 'datetime',
} as const;

function toFilters(f: Filters<typeof listFilters>): HelpFilters {
  return {
    createdBy: f.created_by,
    current: f.current,
    exerciseId: f.for_exercise__id,
    moduleId: f.for_exercise__parent_module__id,
    subjectId: f.for_exercise__parent_module__parent_subject__id,
    freeText: f.free_text,
    statuses: f.help_status__in as HelpStatus[] | undefined,
    types: f.help_type__in as HelpType[] | undefined,
    ...studentFilters(f),
  };
}

/** DRF's OrderingFilter: comma-separated fields, `-` for descending, unknown ones ignored. */
function parseOrdering(raw: unknown): HelpOrder[] {
  const text = Array.isArray(raw) ? raw[raw.length - 1] : raw;
  if (typeof text !== 'string') return [];
  return text
    .split(',')
    .map((term) => term.trim())
    .flatMap((term) => {
      const descending = term.startsWith('-');
      const field = descending ? term.slice(1) : term;
      return (HELP_ORDER_FIELDS as readonly string[]).includes(field) ? [{ field: field as HelpOrderField, descending }] : [];
    });
}

const renderResponse = (r: HelpResponse) => ({
  id: r.id,
  user: r.user_id,
  contents: r.contents,
  file_name: r.file_name,
  dear_student: r.dear_student,
  date: r.created_at,
  hide_checker_name: r.hide_checker_name,
  segel_only: r.segel_only,
  response_type: r.response_type,
});

const renderHelp = (h: Help) => ({
  id: h.id,
  user: h.user_id,
  checker: h.checker_id,
  checker_first_name: h.checker_first_name,
  checker_last_name: h.checker_last_name,
  is_subscribed: h.is_subscribed,
  title: h.title,
  help_type: h.help_type,
  help_status: h.help_status,
  // An exercise outside any module has no Hive shape (see exercises.ts inHive).
  for_exercise: h.exercise && h.exercise.module_id !== null ? renderExercise(h.exercise) : null,
  responses: h.responses.map(renderResponse),
  notifications: h.notifications,
  visibility: h.visibility,
});

const renderNotice = (n: HelpNotice) => ({ id: n.id, user_name: n.user_name, last_staff_updated: n.last_staff_updated });

const FILE_PROBLEMS = {
  invalid: 'The submitted data was not a file. Check the encoding type on the form.',
  no_name: 'No filename could be determined.',
  empty: 'The submitted file is empty.',
} as const;

/** The `file` of a response body: an uploaded part (already stored), null or "" to remove it, or absent. */
function fileInput(body: HiveBody): { file?: HelpResponseInput['file']; problem?: FieldProblem } {
  const problem = (code: keyof typeof FILE_PROBLEMS) => ({ problem: { field: 'file', code, message: FILE_PROBLEMS[code] } });
  const part = body.files.filter((f) => f.field === 'file').at(-1);
  if (part) {
    if (part.filename === '') return problem('no_name');
    if (part.blob.size === 0) return problem('empty');
    return { file: { sha256: part.blob.sha256, name: part.filename } };
  }
  if (!('file' in body.data)) return {};
  const value = body.data.file;
  if (value === null || value === '') return { file: null };
  return problem('invalid');
}

/** A response body (JSON, form or multipart), validated DRF-style with the file's problem reported among the others. */
async function readResponseBody(request: FastifyRequest, services: Services, partial: boolean): Promise<HelpResponseInput> {
  const body = await readHiveBody(request, services);
  const { file, problem } = fileInput(body);
  let input: HelpResponseInput;
  try {
    input = validateBody<HelpResponseInput>(HelpResponseFields, body.data, { form: body.form, partial });
  } catch (err) {
    if (problem && err instanceof AssayError && err.details.fields) throw AssayError.invalid([...err.details.fields, problem]);
    throw err;
  }
  if (problem) throw AssayError.invalid([problem]);
  return file === undefined ? input : { ...input, file };
}

const doc = (operationId: string, extra: object = {}) => ({ operationId, tags: ['help'], ...extra });

/**
 * `/help/`: help threads with their paginated list, locks, subscriptions, `top_responses`,
 * `bulk_respond` and the `latest` feed; `/help/{parentId}/responses/` with their files.
 */
export function helpRoutes(router: HiveRouter): void {
  const base = '/help/';
  const item = '/help/:id/';

  router.get(
    base,
    {
      schema: doc('help_list', {
        querystring: filterQuerySchema({ ...listFilters, ordering: 'string', limit: 'int', offset: 'int' }),
        response: { 200: Type.Union([PaginatedHelpList, Type.Array(HelpWire)]) },
      }),
    },
    async ({ request, reply, services, actor, query }) => {
      const filters = toFilters(parseFilters(listFilters, query));
      const ordering = parseOrdering(query.ordering);
      const page = pageRequest(query);
      // Two shapes under one route: serialized as built, not through a single response schema.
      reply.type('application/json; charset=utf-8').serializer((payload: unknown) => JSON.stringify(payload));
      if (!page) return (await services.help.list(actor, filters, ordering)).map(renderHelp);
      const { count, helps } = await services.help.page(actor, filters, ordering, page.limit, page.offset);
      return pageOf(request, services.config, page, count, helps.map(renderHelp));
    },
  );

  router.post(base, { schema: doc('help_create', { body: HelpRequest, response: { 201: HelpWire } }) }, async ({ request, services, actor }) => {
    const body = await readHiveBody(request, services);
    const input = validateBody<HelpInput & { user: number; help_type: HelpType }>(HelpRequest, body.data, { form: body.form });
    return renderHelp(await services.help.create(actor, input));
  });

  router.get(
    '/help/latest/',
    { action: 'help.latest', schema: doc('help_latest_list', { querystring: filterQuerySchema(latestFilters), response: { 200: Type.Array(HelpNotification) } }) },
    async ({ services, actor, query }) => {
      const f = parseFilters(latestFilters, query);
      const notices = await services.help.latest(actor, {
        types: f.help_type__in as HelpType[] | undefined,
        classId: f.user__classes__id,
        userIds: f.user__id__in,
        mentorId: f.user__mentor__id,
        staffUpdatedAfter: f.last_staff_updated__gt,
      });
      return notices.map(renderNotice);
    },
  );

  router.get(
    '/help/latest/:id/',
    { action: 'help.latest', schema: doc('help_latest_retrieve', { response: { 200: HelpNotification } }) },
    async ({ services, actor, id }) => {
      const [notice] = await services.help.latest(actor, { id: id() });
      if (!notice) throw AssayError.notFound();
      return renderNotice(notice);
    },
  );

  router.post(
    '/help/bulk_respond/',
    {
      action: 'help.bulkRespond',
      status: 200,
      schema: doc('help_bulk_respond_create', {
        summary: 'Respond in bulk to all filtered helps',
        querystring: filterQuerySchema({ ...listFilters, ordering: 'string' }),
        body: HelpResponseRequest,
        response: { 200: Type.Array(HelpResponseWire) },
      }),
    },
    async ({ request, services, actor, query }) => {
      const filters = toFilters(parseFilters(listFilters, query));
      const input = (await readResponseBody(request, services, false)) as NewHelpResponse;
      return (await services.helpResponses.bulkRespond(actor, filters, parseOrdering(query.ordering), input)).map(renderResponse);
    },
  );

  router.get(item, { schema: doc('help_retrieve', { response: { 200: HelpWire } }) }, async ({ services, actor, id }) => renderHelp(await services.help.get(actor, id())));

  for (const [method, partial] of [['put', false], ['patch', true]] as const) {
    router[method](
      item,
      { action: 'help.update', schema: doc(partial ? 'help_partial_update' : 'help_update', { body: HelpRequest, response: { 200: HelpWire } }) },
      async ({ request, services, actor, id }) => {
        const helpId = id();
        await services.help.getForEdit(actor, helpId);
        const body = await readHiveBody(request, services);
        const input = validateBody<HelpInput>(HelpRequest, body.data, { form: body.form, partial });
        return renderHelp(await services.help.update(actor, helpId, input));
      },
    );
  }

  router.delete(item, { action: 'help.delete', schema: doc('help_destroy') }, async ({ services, actor, id }) => {
    await services.help.delete(actor, id());
    return EMPTY;
  });

  const actions: [string, string, CoreAction | undefined, (services: Services, actor: Actor, id: number) => Promise<void>][] = [
    ['lock', 'Lock a thread for editing', 'help.lock', (services, actor, id) => services.help.lock(actor, id)],
    ['unlock', 'Unlock thread editing', 'help.lock', (services, actor, id) => services.help.unlock(actor, id)],
    ['subscribe', 'Subscribe to receive notifications from a thread', undefined, (services, actor, id) => services.help.subscribe(actor, id, true)],
    ['unsubscribe', 'Unsubscribe', undefined, (services, actor, id) => services.help.subscribe(actor, id, false)],
  ];
  for (const [name, summary, action, run] of actions) {
    router.put(`${item}${name}/`, { ...(action ? { action } : {}), schema: doc(`help_${name}_update`, { summary }) }, async ({ services, actor, id }) => {
      await run(services, actor, id());
      return EMPTY;
    });
  }

  router.get(
    `${item}top_responses/`,
    {
      action: 'help.topResponses',
      schema: doc('help_top_responses_list', { summary: 'Gets top responses for this help - never for chats.', response: { 200: Type.Array(TopHelpResponseChecker) } }),
    },
    async ({ services, actor, id }) => services.help.topResponses(actor, id()),
  );

  helpResponseRoutes(router);
}

/** `/help/{parentId}/responses/`: the answers on a thread, and each one's file. */
function helpResponseRoutes(router: HiveRouter): void {
  const base = '/help/:parentId/responses/';
  const item = `${base}:id/`;

  router.get(base, { schema: doc('help_responses_list', { response: { 200: Type.Array(HelpResponseWire) } }) }, async ({ services, actor, id }) =>
    (await services.helpResponses.list(actor, id('parentId'))).map(renderResponse),
  );

  router.post(base, { schema: doc('help_responses_create', { body: HelpResponseRequest, response: { 201: HelpResponseWire } }) }, async ({ request, services, actor, id }) => {
    const helpId = id('parentId');
    await services.helpResponses.getForResponding(actor, helpId);
    const input = (await readResponseBody(request, services, false)) as NewHelpResponse;
    return renderResponse(await services.helpResponses.create(actor, helpId, input));
  });

  router.get(item, { schema: doc('help_responses_retrieve', { response: { 200: HelpResponseWire } }) }, async ({ services, actor, id }) =>
    renderResponse(await services.helpResponses.get(actor, id('parentId'), id())),
  );

  for (const [method, partial] of [['put', false], ['patch', true]] as const) {
    router[method](
      item,
      { schema: doc(partial ? 'help_responses_partial_update' : 'help_responses_update', { body: HelpResponseRequest, response: { 200: HelpResponseWire } }) },
      async ({ request, services, actor, id }) => {
        const helpId = id('parentId');
        const responseId = id();
        await services.helpResponses.getForChange(actor, helpId, responseId);
        const input = await readResponseBody(request, services, partial);
        return renderResponse(await services.helpResponses.update(actor, helpId, responseId, input));
      },
    );
  }

  router.delete(item, { schema: doc('help_responses_destroy') }, async ({ services, actor, id }) => {
    await services.helpResponses.delete(actor, id('parentId'), id());
    return EMPTY;
  });

  router.get(
    `${item}student_files/`,
    {
      schema: doc('help_responses_student_files_retrieve', {
        summary: 'Files attached to a response',
        produces: ['application/octet-stream'],
        response: { 200: { description: 'The file as uploaded.', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } } },
      }),
    },
    async ({ reply, services, actor, id }) => {
      const file = await services.helpResponses.file(actor, id('parentId'), id());
      return sendAttachment(reply, services.files.open(file.sha256), file.name, 'application/octet-stream', file.size);
    },
  );
}
