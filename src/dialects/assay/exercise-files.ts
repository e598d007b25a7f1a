import { Type } from '@sinclair/typebox';
import { EXERCISE_TREE_KINDS } from '../../core/courses/exercises.service.ts';
import type { HiveRouter } from '../hive/router.ts';
import { TreeListing, readTreeUpload } from './tree-upload.ts';
import { EMPTY } from '../hive/router.ts';

const doc = <Extra extends object>(operationId: string, summary: string, extra: Extra) => ({ operationId, summary, tags: ['assay'], ...extra });

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
  // The router checks both: an id out of range or an unknown kind is "not found".
  const params = Type.Object({ id: Type.Integer(), kind: Type.Union(EXERCISE_TREE_KINDS.map((k) => Type.Literal(k))) });

  router.get(
    url,
    { schema: doc('assay_exercise_files_list', 'List the files of one tree of an exercise', { params, response: { 200: TreeListing } }) },
    async ({ services, actor, params }) => services.exercises.listTree(actor, params.id, params.kind),
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
    async ({ request, services, actor, params }) => {
      await services.exercises.getForWrite(actor, params.id);
      const files = await readTreeUpload(request, services);
      return services.exercises.replaceTree(actor, params.id, params.kind, files);
    },
  );

  router.delete(url, { schema: doc('assay_exercise_files_clear', 'Remove one file tree of an exercise', { params }) }, async ({ services, actor, params }) => {
    await services.exercises.clearTree(actor, params.id, params.kind);
    return EMPTY;
  });
}
