import yauzl from 'yauzl';
import type { StoredBlob } from '../../blobs/store.ts';
import type { FilesService, NewTreeFile } from '../files/files.service.ts';
import { pathProblem } from '../files/paths.ts';

/** Past these an archive is treated as one opaque file (a zip bomb is not unpacked). */
const MAX_ENTRIES = 2000;
const MAX_UNPACKED_FACTOR = 20;

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

function bareName(name: string): string {
  const bare = name.split(/[/\\]/).pop()?.trim() ?? '';
  return bare === '' || bare === '.' || bare === '..' ? 'submission' : bare;
}

function readZip(buffer: Buffer, maxUnpacked: number): Promise<{ path: string; data: Buffer }[] | null> {
  return new Promise((resolve) => {
    yauzl.fromBuffer(buffer, { lazyEntries: true, strictFileNames: false, validateEntrySizes: true }, (err, zip) => {
      if (err || !zip) return resolve(null);
      const out: { path: string; data: Buffer }[] = [];
      let unpacked = 0;
      const fail = () => {
        zip.close();
        resolve(null);
      };
      zip.on('error', fail);
      zip.on('end', () => resolve(out));
      zip.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName.endsWith('/')) return zip.readEntry();
        unpacked += entry.uncompressedSize;
        if (out.length >= MAX_ENTRIES || unpacked > maxUnpacked || pathProblem(entry.fileName)) return fail();
        zip.openReadStream(entry, (streamErr, stream) => {
          if (streamErr || !stream) return fail();
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('error', fail);
          stream.on('end', () => {
            out.push({ path: entry.fileName, data: Buffer.concat(chunks) });
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

/**
 * The files a graded submission holds: a zip upload unpacked (its paths as they are), anything
 * else (or a zip that cannot be read safely) as one file under its bare name. The response keeps
 * the upload itself byte for byte either way.
 */
export async function submissionFiles(files: FilesService, upload: StoredBlob, fileName: string): Promise<NewTreeFile[]> {
  const single = [{ path: bareName(fileName), blob: upload }];
  if (upload.size < ZIP_MAGIC.length) return single;
  const buffer = await files.read(upload.sha256);
  if (!buffer.subarray(0, 4).equals(ZIP_MAGIC)) return single;
  const entries = await readZip(buffer, Math.max(upload.size, files.maxUploadBytes) * MAX_UNPACKED_FACTOR);
  if (!entries || entries.length === 0) return single;
  const out: NewTreeFile[] = [];
  for (const e of entries) out.push({ path: e.path, blob: await files.store(e.data, Number.MAX_SAFE_INTEGER) });
  return out;
}
