import { Type } from '@sinclair/typebox';
import { HELP_RESPONSE_TYPES, HELP_STATUSES } from '../../core/help/help-enums.ts';
import { MAX_QUESTION_TEXT, MAX_QUESTION_TITLE } from '../../core/help/help-questions.ts';
import { AssayError } from '../../core/errors.ts';
import { readHiveBody } from '../hive/body.ts';
import type { HiveRouter } from '../hive/router.ts';
import { MAX_ID } from '../hive/router.ts';
import { DateTime, Enum, Nullable } from '../hive/schema-helpers.ts';
import { validateBody } from '../hive/validate.ts';
import { ErrorEnvelope } from './checker-wire.ts';

const Person = Type.Object({ id: Type.Integer(), name: Type.String() });
export const HelpReplyWire = Type.Object({
  id: Type.Integer(),
  author: Nullable(Person),
  text: Nullable(Type.String()),
  type: Enum(HELP_RESPONSE_TYPES),
  created_at: DateTime(),
});
export const HelpThreadWire = Type.Object({
  id: Type.Integer(),
  title: Type.String(),
  status: Enum(HELP_STATUSES),
  exercise: Nullable(Type.Object({ id: Type.Integer(), name: Type.String() })),
  user: Person,
  checker: Nullable(Person),
  created_at: DateTime(),
  last_staff_updated: DateTime(),
  replies: Type.Array(HelpReplyWire, { description: 'Oldest first; empty in lists.' }),
});
const AskRequest = Type.Object({ title: Type.String({ minLength: 1, maxLength: MAX_QUESTION_TITLE }), text: Type.String({ minLength: 1, maxLength: MAX_QUESTION_TEXT }) });
const ReplyRequest = Type.Object({ text: Type.String({ minLength: 1, maxLength: MAX_QUESTION_TEXT }) });

/** Error answers, in Hive's envelope. */
const ERRORS = { 400: ErrorEnvelope, 401: ErrorEnvelope, 403: ErrorEnvelope, 404: ErrorEnvelope };
const doc = (operationId: string, summary: string, extra: { response?: object } & Record<string, unknown> = {}) => ({ operationId, summary, tags: ['help'], ...extra, response: { ...ERRORS, ...extra.response } });
const params = Type.Object({ id: Type.Integer() });

/**
 * Help threads from the web app (Hive's help threads: the same rules and the same rows):
 * - `GET /help/?exercise=ID`: the threads the caller sees (a student: their own), newest first.
 * - `POST /exercises/{id}/help/` `{title, text}`: opens a thread about the exercise with the question as its first reply; 201.
 * - `GET /help/{id}/`: one thread with its replies (a student never sees staff-only ones).
 * - `POST /help/{id}/replies/` `{text}`: a reply; 201. 403 while another checker handles the thread.
 */
export function studentHelpRoutes(router: HiveRouter): void {
  router.get(
    '/help/',
    { schema: doc('assay_help_list', 'Help threads I see, newest first', { querystring: Type.Object({ exercise: Type.Optional(Type.Integer()) }), response: { 200: Type.Array(HelpThreadWire) } }) },
    async ({ services, actor, query }) => {
      const raw = query.exercise;
      if (raw !== undefined && (typeof raw !== 'string' || !/^\d{1,10}$/.test(raw) || Number(raw) > MAX_ID)) throw AssayError.field('exercise', 'invalid', 'A valid integer is required.');
      return services.questions.list(actor, raw === undefined ? undefined : Number(raw));
    },
  );

  router.post(
    '/exercises/:id/help/',
    { schema: doc('assay_help_ask', 'Open a help thread about an exercise', { params, body: AskRequest, response: { 201: HelpThreadWire } }) },
    async ({ request, services, actor, id }) => {
      const exerciseId = id();
      await services.exercises.get(actor, exerciseId);
      const body = await readHiveBody(request, services);
      const input = validateBody<{ title: string; text: string }>(AskRequest, body.data, { form: body.form });
      return services.questions.ask(actor, exerciseId, input);
    },
  );

  router.get('/help/:id/', { schema: doc('assay_help_retrieve', 'One help thread with its replies', { params, response: { 200: HelpThreadWire } }) }, async ({ services, actor, id }) =>
    services.questions.get(actor, id()),
  );

  router.post(
    '/help/:id/replies/',
    { schema: doc('assay_help_reply', 'Reply on a help thread', { params, body: ReplyRequest, response: { 201: HelpReplyWire } }) },
    async ({ request, services, actor, id }) => {
      const helpId = id();
      await services.help.get(actor, helpId);
      const body = await readHiveBody(request, services);
      const input = validateBody<{ text: string }>(ReplyRequest, body.data, { form: body.form });
      return services.questions.reply(actor, helpId, input.text);
    },
  );
}
