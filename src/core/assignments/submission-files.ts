import type { StoredBlob } from '../../blobs/store.ts';
import type { FilesService, NewTreeFile } from '../files/files.service.ts';
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
  return unpacked && unpacked.length > 0 ? unpacked : [{ path: bareName(fileName), blob: upload }];
}
