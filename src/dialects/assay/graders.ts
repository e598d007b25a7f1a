import { Type } from '@sinclair/typebox';
import type { Grader, GraderInput } from '../../core/grading/graders.service.ts';
import { GRADER_CONVENTIONS, GRADER_LIMIT_RANGE, MAX_COMMAND_ARG_LENGTH } from '../../core/grading/graders.service.ts';
import { sendAttachment } from '../hive/attachment.ts';
import { readHiveBody } from '../hive/body.ts';
import type { HiveRouter } from '../hive/router.ts';
import { TreeListing, readTreeUpload } from './tree-upload.ts';
import { EMPTY } from '../hive/router.ts';
import { DateTime, Enum } from '../hive/schema-helpers.ts';
import { validateBody } from '../hive/validate.ts';

const Convention = Enum(GRADER_CONVENTIONS);
const limit = (key: keyof typeof GRADER_LIMIT_RANGE) => Type.Integer({ minimum: GRADER_LIMIT_RANGE[key].min, maximum: GRADER_LIMIT_RANGE[key].max });

const Limits = Type.Object({
  wall_seconds: limit('wall_seconds'),
  cpu_seconds: limit('cpu_seconds'),
  memory_mb: limit('memory_mb'),
  processes: limit('processes'),
  output_bytes: limit('output_bytes'),
  file_size_mb: limit('file_size_mb'),
});
const LimitsRequest = Type.Partial(Limits, { description: 'Limits left out take their defaults.' });

const GraderRequest = Type.Object({
  convention: Convention,
  command: Type.Array(Type.String({ maxLength: MAX_COMMAND_ARG_LENGTH }), { description: 'argv of the main process, run in the work directory; not empty.' }),
  limits: Type.Optional(LimitsRequest),
  check_solution: Type.Optional(Type.Boolean()),
});


const GraderWire = Type.Object({
  convention: Convention,
  command: Type.Array(Type.String()),
  limits: Limits,
  check_solution: Type.Boolean(),
  harness: TreeListing,
  updated_at: DateTime(),
});

const render = (g: Grader) => ({
  convention: g.convention,
  command: g.command,
  limits: g.limits,
  check_solution: g.check_solution,
  harness: g.harness,
  updated_at: g.updated_at,
});

const doc = (operationId: string, summary: string, extra: object = {}) => ({ operationId, summary, tags: ['assay'], ...extra });

/**
 * `/exercises/{id}/grader/`: how submissions of the exercise are graded.
 *
 * - `GET` answers `{convention, command, limits: {wall_seconds, cpu_seconds, memory_mb, processes,
 *   output_bytes, file_size_mb}, check_solution, harness: [{path, size, sha256, md5}], updated_at}`,
 *   404 when the exercise has no grader.
 * - `PUT` the same keys but `harness` (and `updated_at`): creates or replaces the settings (limits
 *   left out take their defaults; the harness files stay) and answers 200 with the grader.
 * - `DELETE` removes the grader (204).
 * - `/grader/files/`: `GET` lists the harness, `PUT` replaces it with multipart `file` parts named
 *   by their paths (as `/files/{kind}/` does), `DELETE` removes it (204); 404 when there is no grader.
 * - `GET /grader/files/{path}`: one harness file's bytes (application/octet-stream); 404 when the
 *   harness has no such file.
 *
 * Staff and the course's instructors only: 404 for those who cannot see the exercise, 403 for the
 * others, before the grader is looked up and before the body is read.
 */
export function graderRoutes(router: HiveRouter): void {
  const url = '/exercises/:id/grader/';
  const filesUrl = '/exercises/:id/grader/files/';
  const params = Type.Object({ id: Type.Integer() });

  router.get(url, { schema: doc('assay_grader_retrieve', "An exercise's grader configuration", { params, response: { 200: GraderWire } }) }, async ({ services, actor, id }) =>
    render(await services.graders.get(actor, id())),
  );

  router.put(
    url,
    { schema: doc('assay_grader_update', "Create or replace an exercise's grader configuration", { params, body: GraderRequest, response: { 200: GraderWire } }) },
    async ({ request, services, actor, id }) => {
      const exerciseId = id();
      await services.exercises.getForWrite(actor, exerciseId);
      const body = await readHiveBody(request, services);
      const input = validateBody<GraderInput>(GraderRequest, body.data, { form: body.form });
      return render(await services.graders.set(actor, exerciseId, input));
    },
  );

  router.delete(url, { schema: doc('assay_grader_destroy', "Remove an exercise's grader", { params }) }, async ({ services, actor, id }) => {
    await services.graders.clear(actor, id());
    return EMPTY;
  });

  router.get(filesUrl, { schema: doc('assay_grader_files_list', "List the grader's harness files", { params, response: { 200: TreeListing } }) }, async ({ services, actor, id }) =>
    services.graders.listHarness(actor, id()),
  );

  router.put(
    filesUrl,
    {
      schema: doc('assay_grader_files_replace', "Replace the grader's harness (multipart `file` parts named by their paths)", {
        params,
        consumes: ['multipart/form-data'],
        body: Type.Object({ file: Type.Array(Type.String({ format: 'binary' }), { description: "One part per file; each part's filename is its path in the harness." }) }),
        response: { 200: TreeListing },
      }),
    },
    async ({ request, services, actor, id }) => {
      const exerciseId = id();
      await services.graders.assertExists(actor, exerciseId);
      const files = await readTreeUpload(request, services);
      return services.graders.setHarness(actor, exerciseId, files);
    },
  );

  router.get(
    `${filesUrl}*`,
    {
      schema: doc('assay_grader_file', "One file of the grader's harness, by its path", {
        params: Type.Object({ id: Type.Integer(), '*': Type.String({ description: 'The file’s path, e.g. tests/run.py.' }) }),
        produces: ['application/octet-stream'],
        response: { 200: Type.String({ format: 'binary' }) },
      }),
    },
    async ({ request, reply, services, actor, id }) => {
      const path = (request.params as Record<string, string>)['*'] ?? '';
      const { entry, content } = await services.graders.harnessFile(actor, id(), path);
      return sendAttachment(reply, content, entry.path, 'application/octet-stream', entry.size);
    },
  );

  router.delete(filesUrl, { schema: doc('assay_grader_files_clear', "Remove the grader's harness", { params }) }, async ({ services, actor, id }) => {
    await services.graders.clearHarness(actor, id());
    return EMPTY;
  });
}
