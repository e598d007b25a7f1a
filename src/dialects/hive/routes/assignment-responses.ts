import { Type } from '@sinclair/typebox';
import type { AssignmentResponse, ResponseInput } from '../../../core/assignments/responses.service.ts';
import type { ContentInput } from '../../../core/assignments/contents.ts';
import type { AssignmentResponseType } from '../../../core/assignments/status-flow.ts';
import { ASSIGNMENT_RESPONSE_TYPES } from '../../../core/assignments/status-flow.ts';
import { sendAttachment } from '../attachment.ts';
import { AUTOCHECK_ACTIONS, autocheckAction } from '../autocheck-steps.ts';
import type { HiveBody } from '../body.ts';
import { readHiveBody } from '../body.ts';
import type { HiveContext, HiveRouter } from '../router.ts';
import { EMPTY } from '../router.ts';
import { DateTime, Enum, Nullable } from '../schema-helpers.ts';
import { validateBody } from '../validate.ts';

const ro = Type.Readonly;
const ResponseType = Enum(ASSIGNMENT_RESPONSE_TYPES);
const Action = Enum(AUTOCHECK_ACTIONS);

const Content = Type.Object({ content: Type.String(), field: Type.Integer() });

/** AssignmentResponseRequest; the `file` part of a multipart body is read on its own. */
export const ResponseRequest = Type.Object({
  contents: Type.Array(Content),
  file_name: Type.Optional(Type.String({ maxLength: 255 })),
  file: Type.Optional(Nullable(Type.String({ format: 'binary', writeOnly: true }))),
  dear_student: Type.Optional(Type.Boolean({ default: true })),
  hide_checker_name: Type.Optional(Type.Boolean()),
  segel_only: Type.Optional(Type.Boolean()),
  response_type: ResponseType,
});
/** The same keys without `file`, which never goes through value validation. */
const ResponseFields = Type.Omit(ResponseRequest, ['file']);

const Status = Type.Object({ id: ro(Type.Integer()), time: ro(DateTime()), action: Action, payload: Nullable(Type.String()) });

const ResponseWire = Type.Object({
  id: ro(Type.Integer()),
  user: ro(Type.Integer()),
  contents: Type.Array(Content),
  file_name: Type.String({ maxLength: 255 }),
  dear_student: Type.Boolean(),
  date: ro(DateTime()),
  hide_checker_name: Type.Boolean(),
  segel_only: Type.Boolean(),
  response_type: ResponseType,
  autocheck_statuses: ro(Nullable(Type.Array(Status))),
});

function renderResponse(r: AssignmentResponse) {
  return {
    id: r.id,
    user: r.user_id,
    contents: r.contents,
    file_name: r.file_name,
    dear_student: r.dear_student,
    date: r.date,
    hide_checker_name: r.hide_checker_name,
    segel_only: r.segel_only,
    response_type: r.response_type,
    // Hive's Action enum has no word for a grading contract warning (staff read them in Assay's API).
    autocheck_statuses: r.autocheck_statuses && r.autocheck_statuses.flatMap((s) => (s.action === 'warning' ? [] : [{ ...s, action: autocheckAction(s.action) }])),
  };
}

const INDEXED = /^contents\[(\d{1,4})\](?:\[(field|content)\]|\.?(field|content))$/;

/**
 * Multipart and form bodies carry `contents` either as one JSON-encoded field or as indexed fields
 * (`contents[0]field`, `contents[0][field]`, `contents[0].field`); both become the list here, and
 * the validator reports the rest (a gap in the indexes is an item without its keys).
 */
export function gatherFormContents(data: Record<string, unknown>): Record<string, unknown> {
  const items: Record<string, unknown>[] = [];
  let indexed = false;
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    const m = INDEXED.exec(key);
    if (!m) {
      rest[key] = value;
      continue;
    }
    indexed = true;
    const i = Number(m[1]);
    while (items.length <= i) items.push({});
    items[i]![(m[2] ?? m[3])!] = Array.isArray(value) ? value[value.length - 1] : value;
  }
  if (indexed && rest.contents === undefined) rest.contents = items;
  return rest;
}

interface ResponseBody extends Omit<ResponseInput, 'file'> {
  contents: ContentInput[];
  response_type: AssignmentResponseType;
}

/** The body's values and its uploaded file (`file_name` defaults to the uploaded part's name). */
export function readResponseInput(body: HiveBody, partial: boolean): ResponseInput {
  const data = body.form ? gatherFormContents(body.data) : body.data;
  const input = validateBody<ResponseBody>(ResponseFields, data, { form: body.form, partial });
  const upload = body.files.find((f) => f.field === 'file');
  const out: ResponseInput = { ...input };
  if (upload) {
    out.file = upload.blob;
    if (input.file_name === undefined || input.file_name === '') out.file_name = upload.filename;
  } else if (data.file === null || (body.form && data.file === '')) {
    out.file = null;
  }
  return out;
}

const doc = (operationId: string, extra: object = {}) => ({ operationId, tags: ['assignments'], ...extra });

/** `/assignments/{parentId}/responses/`: a student's hand-ins and comments, the grading side's verdicts. */
export function assignmentResponseRoutes(router: HiveRouter): void {
  const base = '/assignments/:parentId/responses/';
  const item = `${base}:id/`;
  const ids = (ctx: HiveContext) => [ctx.id('parentId'), ctx.id()] as const;

  router.get(base, { schema: doc('assignments_responses_list', { response: { 200: Type.Array(ResponseWire) } }) }, async (ctx) =>
    (await ctx.services.responses.list(ctx.actor, ctx.id('parentId'))).map(renderResponse),
  );

  router.post(base, { schema: doc('assignments_responses_create', { body: ResponseRequest, response: { 201: ResponseWire } }) }, async (ctx) => {
    const assignmentId = ctx.id('parentId');
    const assignment = await ctx.services.assignments.get(ctx.actor, assignmentId);
    const input = readResponseInput(await readHiveBody(ctx.request, ctx.services), false) as ResponseBody & ResponseInput;
    return renderResponse(await ctx.services.responses.create(ctx.actor, assignmentId, input, assignment));
  });

  router.get(item, { schema: doc('assignments_responses_retrieve', { response: { 200: ResponseWire } }) }, async (ctx) =>
    renderResponse(await ctx.services.responses.get(ctx.actor, ...ids(ctx))),
  );

  for (const [method, partial] of [['put', false], ['patch', true]] as const) {
    router[method](
      item,
      { schema: doc(partial ? 'assignments_responses_partial_update' : 'assignments_responses_update', { body: ResponseRequest, response: { 200: ResponseWire } }) },
      async (ctx) => {
        const [assignmentId, responseId] = ids(ctx);
        await ctx.services.responses.getForWrite(ctx.actor, assignmentId, responseId);
        const input = readResponseInput(await readHiveBody(ctx.request, ctx.services), partial);
        return renderResponse(await ctx.services.responses.update(ctx.actor, assignmentId, responseId, input));
      },
    );
  }

  router.delete(item, { schema: doc('assignments_responses_destroy') }, async (ctx) => {
    await ctx.services.responses.delete(ctx.actor, ...ids(ctx));
    return EMPTY;
  });

  router.post(
    `${item}rerun_autochecks/`,
    { action: 'responses.rerunAutochecks', schema: doc('assignments_responses_rerun_autochecks_create', { summary: "Queues this response's automatic check again" }) },
    async (ctx) => {
      await ctx.services.responses.rerunAutochecks(ctx.actor, ...ids(ctx));
      return EMPTY;
    },
  );

  router.get(
    `${item}student_files/`,
    {
      schema: doc('assignments_responses_student_files_retrieve', {
        summary: 'Files attached to a response',
        produces: ['application/octet-stream'],
        response: { 200: { description: 'The file as uploaded', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } } },
      }),
    },
    async (ctx) => {
      const file = await ctx.services.responses.file(ctx.actor, ...ids(ctx));
      return sendAttachment(ctx.reply, ctx.services.files.open(file.blob), file.name, 'application/octet-stream', file.size);
    },
  );
}
