import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import type { StoredBlob } from '../../blobs/store.ts';
import { AssayError, isAssayError } from '../errors.ts';
import type { FilesService, NewTreeFile } from './files.service.ts';
import { treeShapeProblems } from './tree-shape.ts';

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
/** Up to this many unpacked bytes the ratio is not looked at: small text files compress very well. */
const RATIO_FLOOR_BYTES = 1024 * 1024;

/** yauzl reads the archive where the blob store keeps it, one byte range at a time. */
class BlobRangeReader extends yauzl.RandomAccessReader {
  constructor(
    private readonly files: FilesService,
    private readonly sha256: string,
  ) {
    super();
  }

  override _readStreamForRange(start: number, end: number): Readable {
    return this.files.openRange(this.sha256, start, end);
  }
}

async function startsWithZipMagic(files: FilesService, blob: StoredBlob): Promise<boolean> {
  if (blob.size < ZIP_MAGIC.length) return false;
  const chunks: Buffer[] = [];
  for await (const chunk of files.openRange(blob.sha256, 0, ZIP_MAGIC.length)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).equals(ZIP_MAGIC);
}

/** Entries one at a time (lazyEntries): the next entry, or null at the end. */
function entries(zip: yauzl.ZipFile): () => Promise<yauzl.Entry | null> {
  let pending: { resolve: (e: yauzl.Entry | null) => void; reject: (err: Error) => void } | null = null;
  let failure: Error | null = null;
  const settle = (fn: (p: NonNullable<typeof pending>) => void) => {
    const p = pending;
    pending = null;
    if (p) fn(p);
  };
  zip.on('entry', (entry: yauzl.Entry) => settle((p) => p.resolve(entry)));
  zip.on('end', () => settle((p) => p.resolve(null)));
  // Kept for the archive's whole life: an 'error' with no listener would crash the process.
  zip.on('error', (err: Error) => {
    failure ??= err;
    settle((p) => p.reject(err));
  });
  return () =>
    new Promise((resolve, reject) => {
      if (failure) return reject(failure);
      pending = { resolve, reject };
      zip.readEntry();
    });
}

/**
 * Unpacks a zip held in the blob store, as a stream: each entry goes straight into the blob store
 * through a byte counter, so no entry is ever held in memory whole. Limits (`FilesService.unzipLimits`):
 * files in the archive, unpacked bytes in all, and unpacked bytes per byte of the archive (past
 * 1 MiB). The names and sizes the central directory declares are checked before any entry is
 * read; an entry's real bytes are counted while it is written.
 *
 * Answers null when the blob is no zip at all (no zip signature, no readable central directory);
 * throws `too_large` past a limit and `invalid` (on `field`) for an archive that cannot be
 * unpacked safely (an illegal or duplicate path, corrupt or encrypted data, sizes that lie).
 * The blobs written are recorded only once every entry is in: a refused archive records nothing.
 */
export async function unpackZip(files: FilesService, archive: StoredBlob, field = 'file'): Promise<NewTreeFile[] | null> {
  if (!(await startsWithZipMagic(files, archive))) return null;
  let zip: yauzl.ZipFile;
  try {
    const reader = new BlobRangeReader(files, archive.sha256);
    zip = await yauzl.fromRandomAccessReaderPromise(reader, archive.size, { lazyEntries: true, autoClose: false, strictFileNames: false, validateEntrySizes: true });
  } catch {
    return null;
  }
  const limits = files.unzipLimits;
  const ratioBudget = limits.maxRatio > 0 ? Math.max(RATIO_FLOOR_BYTES, limits.maxRatio * archive.size) : Number.POSITIVE_INFINITY;
  const budget = Math.min(limits.maxBytes, ratioBudget);
  const overBudget = () =>
    AssayError.tooLarge(
      ratioBudget < limits.maxBytes
        ? `The zip archive unpacks to more than ${limits.maxRatio} times its own size.`
        : `The zip archive unpacks to more than ${limits.maxBytes} bytes.`,
      budget,
      field,
    );
  const next = entries(zip);
  const out: NewTreeFile[] = [];
  try {
    // The central directory first: every limit the declared sizes and names break is found
    // before one byte is inflated or written.
    const listed: yauzl.Entry[] = [];
    let declared = 0;
    for (let entry = await next(); entry; entry = await next()) {
      if (entry.fileName.endsWith('/')) continue;
      if (listed.length >= limits.maxEntries) throw AssayError.tooLarge(`The zip archive holds more than ${limits.maxEntries} files.`, limits.maxEntries, field);
      declared += entry.uncompressedSize;
      if (declared > budget) throw overBudget();
      listed.push(entry);
    }
    const shape = treeShapeProblems(listed.map((e) => e.fileName)).at(0);
    if (shape) throw AssayError.field(field, 'invalid', `The zip archive cannot be unpacked: ${shape.message}`);
    let unpacked = 0;
    for (const entry of listed) {
      const stream = await zip.openReadStreamPromise(entry);
      // The counter in the blob store stops an entry at the budget, whatever size it declared.
      const blob = await files.writeUnrecorded(stream, budget - unpacked).catch((err: unknown) => {
        throw isAssayError(err) && err.kind === 'too_large' ? overBudget() : err;
      });
      unpacked += blob.size;
      out.push({ path: entry.fileName, blob });
    }
  } catch (err) {
    if (isAssayError(err)) throw err;
    throw AssayError.field(field, 'invalid', `The zip archive cannot be unpacked: ${(err as Error).message}.`);
  } finally {
    zip.close();
  }
  await files.recordBlobs(out.map((f) => f.blob));
  return out;
}
