import { Type } from '@sinclair/typebox';
import { PATBAS_POLICIES, PREVIEW_TYPES } from '../../../core/courses/exercise-access.ts';
import type { Exercise, ExerciseInput } from '../../../core/courses/exercises.service.ts';
import { AssayError } from '../../../core/errors.ts';
import { baseName } from '../../../core/files/paths.ts';
import type { NewResponse } from '../../../core/assignments/responses.service.ts';
import { sendAttachment } from '../attachment.ts';
import { readResponseInput, ResponseRequest } from './assignment-responses.ts';
import { readHiveBody } from '../body.ts';
import type { Filters } from '../filters.ts';
import { filterQuerySchema, parseFilters } from '../filters.ts';
import type { HiveRouter } from '../router.ts';
import { EMPTY } from '../router.ts';
import { AnyJson, Enum, Nullable } from '../schema-helpers.ts';
import { validateBody } from '../validate.ts';

const ro = Type.Readonly;
const PreviewType = Enum(PREVIEW_TYPES);
const Patbas = Enum(PATBAS_POLICIES);

/** Fields a client may write (ExerciseRequest); PATCH takes the same keys, all optional. */
export const ExerciseRequest = Type.Object({
  name: Type.String({ maxLength: 100, minLength: 1 }),
  parent_module: Type.Integer(),
  download: Type.Boolean(),
  preview: PreviewType,
  patbas_preview: Type.Optional(PreviewType),
  patbas_download: Type.Optional(Type.Boolean()),
  is_lecture: Type.Optional(Type.Boolean()),
  style: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
  order: Type.String({ maxLength: 100 }),
  tags: Type.Array(Type.String()),
  patbas: Patbas,
  on_creation_data: Type.Optional(Nullable(AnyJson())),
  autocheck_tag: Type.Optional(Nullable(Type.String({ maxLength: 20 }))),
  autodone: Type.Optional(Type.Boolean()),
  expected_duration: Type.Optional(Nullable(Type.String({ maxLength: 32 }))),
  segel_brief: Type.Optional(Type.String()),
});

export const ExerciseWire = Type.Object({
  id: ro(Type.Integer()),
  name: Type.String(),
  parent_module: Type.Integer(),
  parent_subject: ro(Type.Integer()),
  parent_module_name: ro(Type.String()),
  parent_subject_symbol: ro(Type.String()),
  parent_subject_color: ro(Type.String()),
  download: Type.Boolean(),
  preview: PreviewType,
  patbas_preview: PreviewType,
  patbas_download: Type.Boolean(),
  is_lecture: Type.Boolean(),
  style: Nullable(Type.String()),
  parent_subject_name: ro(Type.String()),
  parent_module_order: ro(Type.String()),
  order: Type.String(),
  tags: Type.Array(Type.String()),
  patbas: Patbas,
  on_creation_data: AnyJson(),
  autocheck_tag: Nullable(Type.String()),
  autodone: Type.Boolean(),
  expected_duration: Nullable(Type.String()),
  sync_status: ro(Enum(['Creating', 'Deleting', 'Normal', 'Error'] as const)),
  sync_message: ro(Nullable(Type.String())),
  segel_path: ro(Type.String()),
  segel_brief: Type.String(),
});

type ExerciseWireInput = Omit<ExerciseInput, 'module_id'> & { parent_module?: number };

const filterSpec = {
  id: 'int',
  parent_module__id: 'int',
  parent_module__parent_subject__id: 'int',
  parent_module__parent_subject__parent_program__id__in: 'intList',
  queue__id: 'number',
  tags__id__in: 'intList',
} as const;

/**
 * Exercises outside any module (made through another dialect) have no Hive shape, so Hive does
 * not see them.
 */
export function inHive<E extends Pick<Exercise, 'module_id'>>(e: E): E {
  if (e.module_id === null) throw AssayError.notFound();
  return e;
}

/** The Hive wire shape of an exercise. */
export function renderExercise(e: Exercise) {
  inHive(e);
  return {
    id: e.id,
    name: e.name,
    parent_module: e.module_id,
    parent_subject: e.subject_id!,
    parent_module_name: e.module_name!,
    parent_subject_symbol: e.subject_symbol!,
    parent_subject_color: e.subject_color!,
    download: e.download,
    preview: e.preview,
    patbas_preview: e.patbas_preview,
    patbas_download: e.patbas_download,
    is_lecture: e.is_lecture,
    style: e.style,
    parent_subject_name: e.subject_name!,
    parent_module_order: e.module_order!,
    order: e.order,
    tags: e.tags,
    patbas: e.patbas,
    on_creation_data: e.on_creation_data,
    autocheck_tag: e.autocheck_tag,
    autodone: e.autodone,
    expected_duration: e.expected_duration,
    // Assay keeps course content itself, so nothing is ever being synced.
    sync_status: 'Normal' as const,
    sync_message: null,
    segel_path: [e.course_name, e.subject_symbol, e.module_name, e.name].join('/'),
    segel_brief: e.segel_brief,
  };
}

const toInput = ({ parent_module, ...rest }: ExerciseWireInput): ExerciseInput => ({
  ...rest,
  ...(parent_module !== undefined ? { module_id: parent_module } : {}),
});

const doc = (operationId: string, extra: object = {}) => ({ operationId, tags: ['course'], ...extra });
/** OpenAPI of a file download: the bytes under their media type. */
const binary = (contentType: string, summary: string, query = false) => ({
  summary,
  produces: [contentType],
  ...(query ? { querystring: Type.Object({ asset: Type.Optional(Type.String({ description: 'Path of an asset inside the preview.' })) }) } : {}),
  response: { 200: { description: summary, content: { [contentType]: { schema: { type: 'string', format: 'binary' } } } } },
});

/** `/course/exercises/`: CRUD, the file downloads, and `notify_students`. */
export function exerciseRoutes(router: HiveRouter): void {
  const base = '/course/exercises/';
  const item = '/course/exercises/:id/';
  const writer = 'exercises.write';

  router.get(base, { schema: doc('course_exercises_list', { querystring: filterQuerySchema(filterSpec), response: { 200: Type.Array(ExerciseWire) } }) }, async ({ services, actor, query }) => {
    const f: Filters<typeof filterSpec> = parseFilters(filterSpec, query);
    const exercises = await services.exercises.list(actor, {
      id: f.id,
      moduleId: f.parent_module__id,
      subjectId: f.parent_module__parent_subject__id,
      courseIds: f.parent_module__parent_subject__parent_program__id__in,
      queueId: f.queue__id,
      tagIds: f.tags__id__in,
    });
    return exercises.filter((e) => e.module_id !== null).map(renderExercise);
  });

  router.post(base, { action: writer, schema: doc('course_exercises_create', { body: ExerciseRequest, response: { 201: ExerciseWire } }) }, async ({ request, services, actor }) => {
    const body = await readHiveBody(request, services);
    const input = validateBody<Required<ExerciseWireInput>>(ExerciseRequest, body.data, { form: body.form });
    return renderExercise(await services.exercises.create(actor, { ...toInput(input), module_id: input.parent_module, name: input.name }));
  });

  router.get(item, { schema: doc('course_exercises_retrieve', { response: { 200: ExerciseWire } }) }, async ({ services, actor, id }) =>
    renderExercise(await services.exercises.get(actor, id())),
  );

  for (const [method, partial] of [['put', false], ['patch', true]] as const) {
    router[method](
      item,
      {
        action: writer,
        schema: doc(partial ? 'course_exercises_partial_update' : 'course_exercises_update', { body: ExerciseRequest, response: { 200: ExerciseWire } }),
      },
      async ({ request, services, actor, id }) => {
        const exerciseId = id();
        inHive(await services.exercises.getForWrite(actor, exerciseId));
        const body = await readHiveBody(request, services);
        const input = validateBody<ExerciseWireInput>(ExerciseRequest, body.data, { form: body.form, partial });
        return renderExercise(await services.exercises.update(actor, exerciseId, toInput(input)));
      },
    );
  }

  router.delete(item, { action: writer, schema: doc('course_exercises_destroy') }, async ({ services, actor, id }) => {
    const exerciseId = id();
    inHive(await services.exercises.getForWrite(actor, exerciseId));
    await services.exercises.delete(actor, exerciseId);
    return EMPTY;
  });

  router.post(
    `${item}notify_students/`,
    { action: 'exercises.notifyStudents', schema: doc('course_exercises_notify_students_create', { summary: 'Posts one response on every assignment of this exercise', body: ResponseRequest }) },
    async ({ request, services, actor, id }) => {
      const exerciseId = id();
      inHive(await services.exercises.get(actor, exerciseId));
      const input = readResponseInput(await readHiveBody(request, services), false) as NewResponse;
      await services.responses.broadcast(actor, exerciseId, input);
      return EMPTY;
    },
  );

  router.get(`${item}student_files/`, { schema: doc('course_exercises_student_files_retrieve', binary('application/zip', 'Downloads the student files')) }, async ({ reply, services, actor, id }) => {
    const { exercise, treeId } = await services.exercises.handoutTree(actor, id());
    inHive(exercise);
    return sendAttachment(reply, await services.files.zipTree(treeId), `${exercise.name}.zip`, 'application/zip');
  });

  router.get(
    `${item}patbas_files/`,
    { schema: doc('course_exercises_patbas_files_retrieve', binary('application/zip', 'Downloads the school solution student files')) },
    async ({ reply, services, actor, id }) => {
      const { exercise, treeId } = await services.exercises.solutionTree(actor, id());
      inHive(exercise);
      return sendAttachment(reply, await services.files.zipTree(treeId), `${exercise.name} - patbas.zip`, 'application/zip');
    },
  );

  for (const [which, summary] of [
    ['preview', 'Download preview files'],
    ['patbas_preview', 'Download school solution preview files'],
  ] as const) {
    router.get(`${item}${which}/`, { schema: doc(`course_exercises_${which}_retrieve`, binary('application/pdf', summary, true)) }, async ({ reply, services, actor, id, query }) => {
      const raw = Array.isArray(query.asset) ? query.asset[query.asset.length - 1] : query.asset;
      const asset = typeof raw === 'string' && raw !== '' ? raw : undefined;
      const { exercise, entry } = await services.exercises.previewFile(actor, id(), which, asset);
      inHive(exercise);
      const name = baseName(entry.path);
      return sendAttachment(reply, services.files.open(entry.blob), name, previewType(name), entry.size);
    });
  }
}

const ASSET_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  svg: 'image/svg+xml',
  md: 'text/markdown; charset=utf-8',
};

/** Previews are PDFs (as the spec says); the images and Markdown a preview embeds keep their own types. */
function previewType(name: string): string {
  const ext = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1).toLowerCase() : '';
  return ASSET_TYPES[ext] ?? 'application/pdf';
}
