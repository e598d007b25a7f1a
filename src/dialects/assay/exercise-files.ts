import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { ExerciseTreeKind } from '../../core/courses/exercises.service.ts';
import { EXERCISE_TREE_KINDS } from '../../core/courses/exercises.service.ts';
import { AssayError } from '../../core/errors.ts';
import type { HiveRouter } from '../hive/router.ts';
import { TreeListing, readTreeUpload } from './tree-upload.ts';
import { EMPTY } from '../hive/router.ts';


function treeKind(raw: unknown): ExerciseTreeKind {
  if (typeof raw !== 'string' || !(EXERCISE_TREE_KINDS as readonly string[]).includes(raw)) throw AssayError.notFound();
  return raw as ExerciseTreeKind;
}

const doc = (operationId: string, summary: string, extra: object = {}) => ({ operationId, summary, tags: ['assay'], ...extra });

/**
 * `/exercises/{id}/files/{kind}/` (kind: `handout`, `solution`, `preview`, `patbas_preview`):
 * the files behind Hive's `student_files`, `patbas_files`, `preview` and `patbas_preview`.
 *
 * - `GET` lists the tree: `[{path, size, sha256, md5}]` (`[]` when there is none).
 * - `PUT` replaces the whole tree with the multipart `file` parts; each part's filename is its
 *   path in the tree (`curl -F "file=@main.py;filename=src/main.py"`). Paths follow the core rule
 *   (relative, no `.`/`..` component, no trailing slash); a bad path is a 400 on
 *   `files.<i>.path` and changes nothing. A file over the upload limit is a 413. Answers the new
 *   listing.
 * - `DELETE` removes the tree (204).
 *
 * Staff and the course's instructors only: 403 for anyone else who can see the exercise, 404
 * for those who cannot.
 */
export function exerciseFileRoutes(router: HiveRouter): void {
  const url = '/exercises/:id/files/:kind/';
  const params = Type.Object({ id: Type.Integer(), kind: Type.Union(EXERCISE_TREE_KINDS.map((k) => Type.Literal(k))) });
  const kindOf = (request: FastifyRequest) => treeKind((request.params as Record<string, unknown>).kind);

  router.get(
    url,
    { schema: doc('assay_exercise_files_list', 'List the files of one tree of an exercise', { params, response: { 200: TreeListing } }) },
    async ({ request, services, actor, id }) => services.exercises.listTree(actor, id(), kindOf(request)),
  );

  router.put(
    url,
    {
      schema: doc('assay_exercise_files_replace', 'Replace one file tree of an exercise (multipart `file` parts named by their paths)', {
        params,
        consumes: ['multipart/form-data'],
        body: Type.Object({ file: Type.Array(Type.String({ format: 'binary' }), { description: "One part per file; each part's filename is its path in the tree." }) }),
        response: { 200: TreeListing },
      }),
    },
    async ({ request, services, actor, id }) => {
      const exerciseId = id();
      const kind = kindOf(request);
      await services.exercises.getForWrite(actor, exerciseId);
      const files = await readTreeUpload(request, services);
      return services.exercises.replaceTree(actor, exerciseId, kind, files);
    },
  );

  router.delete(url, { schema: doc('assay_exercise_files_clear', 'Remove one file tree of an exercise', { params }) }, async ({ request, services, actor, id }) => {
    await services.exercises.clearTree(actor, id(), kindOf(request));
    return EMPTY;
  });
}
