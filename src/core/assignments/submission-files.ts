import type { StoredBlob } from '../../blobs/store.ts';
import { AssayError } from '../errors.ts';
import type { FilesService, NewTreeFile } from '../files/files.service.ts';
import { pathProblem } from '../files/paths.ts';
import { unpackZip } from '../files/unzip.ts';

function bareName(name: string): string {
  const bare = name.split(/[/\\]/).pop()?.trim() ?? '';
  return bare === '' || bare === '.' || bare === '..' ? 'submission' : bare;
}

/**
 * The files a graded submission holds: a zip upload unpacked (its paths as they are, within the
 * unzip limits: see unpackZip), anything else (an empty zip included) as one file under its bare
 * name. The response keeps the upload itself byte for byte either way.
 */
export async function submissionFiles(files: FilesService, upload: StoredBlob, fileName: string): Promise<NewTreeFile[]> {
  const unpacked = await unpackZip(files, upload);
  if (unpacked && unpacked.length > 0) return unpacked;
  const path = bareName(fileName);
  // Refused here, on the upload: a name the grader could never lay out would fail every run.
  const illegal = pathProblem(path);
  if (illegal) throw AssayError.field('file', 'invalid', `The file name "${path}" cannot be graded: ${illegal}.`);
  return [{ path, blob: upload }];
}
