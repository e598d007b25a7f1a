import { Type } from '@sinclair/typebox';
import type { Field, FieldInput, FieldWithTopResponses } from '../../../core/courses/fields.service.ts';
import { FIELD_TYPES } from '../../../core/courses/fields.service.ts';
import { readHiveBody } from '../body.ts';
import type { HiveContext, HiveRouter } from '../router.ts';
import { EMPTY } from '../router.ts';
import { AnyJson, Enum, Nullable } from '../schema-helpers.ts';
import { validateBody } from '../validate.ts';
import { inHive } from './exercises.ts';

const FieldType = Enum(FIELD_TYPES);
/** The range of an `integer` column on both engines (DRF's IntegerField bounds for a model field). */
const Int32 = () => Type.Integer({ minimum: -2147483648, maximum: 2147483647 });

const FormFieldRequest = Type.Object({
  name: Type.String({ minLength: 1 }),
  description: Type.Optional(Type.String()),
  type: FieldType,
  order: Int32(),
  required: Type.Boolean(),
  staff_responses: Type.Boolean(),
  hanich_responses: Type.Boolean(),
  has_value: Type.Boolean(),
  lower_limit: Type.Optional(Nullable(Int32())),
  upper_limit: Type.Optional(Nullable(Int32())),
  choices: Type.Optional(Nullable(Type.Array(Type.String()))),
  segel_only: Type.Boolean(),
  metadata: Type.Optional(Nullable(AnyJson())),
  groups: Type.Optional(Type.Array(Type.Integer())),
});

const fieldProperties = {
  name: Type.String(),
  description: Type.String(),
  type: FieldType,
  order: Type.Integer(),
  required: Type.Boolean(),
  staff_responses: Type.Boolean(),
  hanich_responses: Type.Boolean(),
  has_value: Type.Boolean(),
  lower_limit: Nullable(Type.Integer()),
  upper_limit: Nullable(Type.Integer()),
  choices: Nullable(Type.Array(Type.String())),
  segel_only: Type.Boolean(),
  metadata: AnyJson(),
  groups: Type.Array(Type.Integer()),
};
const FormField = Type.Object({ id: Type.Readonly(Type.Integer()), ...fieldProperties });
const FormFieldTopResponse = Type.Object({
  id: Type.Readonly(Type.Integer()),
  exercise: Type.Integer(),
  ...fieldProperties,
  top_responses: Type.Readonly(Type.Array(Type.String())),
});
const DuplicateFormFieldRequest = Type.Object({ name: Type.String({ minLength: 1 }) });

const renderField = ({ exercise_id: _exercise, ...f }: Field) => f;
const renderTop = ({ exercise_id, top_responses, ...f }: FieldWithTopResponses) => ({ ...f, exercise: exercise_id, top_responses });

const doc = (operationId: string, extra: object = {}) => ({ operationId, tags: ['course'], ...extra });

/** The parent exercise id of a nested route, after making sure Hive may see that exercise. */
async function parentExercise({ services, actor, id }: HiveContext): Promise<number> {
  const exerciseId = id('parentId');
  inHive(await services.exercises.get(actor, exerciseId));
  return exerciseId;
}

/** `/course/exercises/{parentId}/fields/`: an exercise's form fields, `duplicate` and `list_with_top_results`. */
export function fieldRoutes(router: HiveRouter): void {
  const base = '/course/exercises/:parentId/fields/';
  const item = `${base}:id/`;
  const writer = 'fields.write';

  router.get(base, { schema: doc('course_exercises_fields_list', { response: { 200: Type.Array(FormField) } }) }, async (ctx) =>
    (await ctx.services.fields.list(ctx.actor, await parentExercise(ctx))).map(renderField),
  );

  router.post(base, { action: writer, schema: doc('course_exercises_fields_create', { body: FormFieldRequest, response: { 201: FormField } }) }, async (ctx) => {
    const exerciseId = await parentExercise(ctx);
    await ctx.services.exercises.getForWrite(ctx.actor, exerciseId);
    const body = await readHiveBody(ctx.request, ctx.services);
    const input = validateBody<Required<FieldInput>>(FormFieldRequest, body.data, { form: body.form });
    return renderField(await ctx.services.fields.create(ctx.actor, exerciseId, input));
  });

  router.get(
    `${base}list_with_top_results/`,
    { action: 'fields.topResults', schema: doc('course_exercises_fields_list_with_top_results_retrieve', { response: { 200: Type.Array(FormFieldTopResponse) } }) },
    async (ctx) => (await ctx.services.fields.listWithTopResponses(ctx.actor, await parentExercise(ctx))).map(renderTop),
  );

  router.get(item, { schema: doc('course_exercises_fields_retrieve', { response: { 200: FormField } }) }, async (ctx) =>
    renderField(await ctx.services.fields.get(ctx.actor, await parentExercise(ctx), ctx.id())),
  );

  for (const [method, partial] of [['put', false], ['patch', true]] as const) {
    router[method](
      item,
      {
        action: writer,
        schema: doc(partial ? 'course_exercises_fields_partial_update' : 'course_exercises_fields_update', { body: FormFieldRequest, response: { 200: FormField } }),
      },
      async (ctx) => {
        const exerciseId = await parentExercise(ctx);
        const fieldId = ctx.id();
        await ctx.services.fields.getForWrite(ctx.actor, exerciseId, fieldId);
        const body = await readHiveBody(ctx.request, ctx.services);
        const input = validateBody<FieldInput>(FormFieldRequest, body.data, { form: body.form, partial });
        return renderField(await ctx.services.fields.update(ctx.actor, exerciseId, fieldId, input));
      },
    );
  }

  router.delete(item, { action: writer, schema: doc('course_exercises_fields_destroy') }, async (ctx) => {
    await ctx.services.fields.delete(ctx.actor, await parentExercise(ctx), ctx.id());
    return EMPTY;
  });

  router.post(
    `${item}duplicate/`,
    {
      action: writer,
      status: 200,
      schema: doc('course_exercises_fields_duplicate_create', { summary: 'Make a copy of a form field', body: DuplicateFormFieldRequest, response: { 200: FormField } }),
    },
    async (ctx) => {
      const exerciseId = await parentExercise(ctx);
      const fieldId = ctx.id();
      await ctx.services.fields.getForWrite(ctx.actor, exerciseId, fieldId);
      const body = await readHiveBody(ctx.request, ctx.services);
      const { name } = validateBody<{ name: string }>(DuplicateFormFieldRequest, body.data, { form: body.form });
      return renderField(await ctx.services.fields.duplicate(ctx.actor, exerciseId, fieldId, name));
    },
  );
}
