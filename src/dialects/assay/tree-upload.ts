import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { AssayError } from '../../core/errors.ts';
import type { NewTreeFile } from '../../core/files/files.service.ts';
import type { Services } from '../../core/services.ts';
import { readHiveBody } from '../hive/body.ts';

/** One file of a tree, as Assay's endpoints list it. */
export const TreeEntry = Type.Object({ path: Type.String(), size: Type.Integer(), sha256: Type.String(), md5: Type.String() });
export const TreeListing = Type.Array(TreeEntry);

/**
 * The `file` parts of a multipart body, each named by its path inside the tree: unlike Hive's
 * uploads the part's filename keeps its directories (`src/main.py`). Other parts are ignored.
 */
export async function readTreeUpload(request: FastifyRequest, services: Services): Promise<NewTreeFile[]> {
  if (!request.isMultipart()) throw new AssayError('unsupported_media_type', 'Expected multipart/form-data.');
  const body = await readHiveBody(request, services, { preservePath: true });
  const files = body.files.filter((f) => f.field === 'file').map((f) => ({ path: f.filename, blob: f.blob }));
  if (files.length === 0) throw AssayError.field('file', 'required', 'No file was submitted.');
  return files;
}
