import type { Readable } from 'node:stream';
import yazl from 'yazl';
import type { BlobStore, StoredBlob } from '../../blobs/store.ts';
import type { Db } from '../../db/database.ts';
import type { Engine } from '../../db/columns.ts';
import type { UnzipSettings } from '../../settings/unzip.ts';
import type { Clock } from '../clock.ts';
import { AssayError } from '../errors.ts';
import type { TreeEntry } from './files.repo.ts';
import { filesRepo } from './files.repo.ts';
import { pathProblem } from './paths.ts';

export type { TreeEntry } from './files.repo.ts';

/**
 * Zip readers treat a backslash as a separator and `C:` as a drive, so a legal tree path like
 * `a\\..\\b` would escape the archive once unpacked: those characters become `_` in zip names.
 */
export function zipEntryName(path: string): string {
  return path.replace(/\\/g, '_').replace(/^([a-zA-Z]):/, '$1_');
}

export interface NewTreeFile {
  path: string;
  blob: StoredBlob;
}

/** Files in the core: blobs recorded in the database, trees of validated paths, zip downloads. */
export class FilesService {
  constructor(
    private readonly db: Db,
    private readonly blobs: BlobStore,
    private readonly clock: Clock,
    readonly maxUploadBytes: number,
    private readonly engine: Engine,
    readonly unzipLimits: UnzipSettings,
  ) {}

  /** Stores one uploaded file; the blob row is written when it is referenced (see createTree / recordBlob). */
  async store(source: Readable | Buffer, maxBytes = this.maxUploadBytes): Promise<StoredBlob> {
    const blob = await this.blobs.put(source, maxBytes);
    await filesRepo.recordBlob(this.db, this.engine, blob, this.clock.now());
    return blob;
  }

  /**
   * Stores files already whole in memory (an ngshare hand-in), answering in order: their disk
   * flushes overlap (blobs.putMany) and their rows are one statement, not one per file.
   */
  async storeMany(contents: Buffer[], maxBytes = this.maxUploadBytes): Promise<StoredBlob[]> {
    const blobs = this.blobs.putMany ? await this.blobs.putMany(contents, maxBytes) : await Promise.all(contents.map((c) => this.blobs.put(c, maxBytes)));
    await filesRepo.recordBlobs(this.db, this.engine, blobs, this.clock.now());
    return blobs;
  }

  /**
   * Writes a blob without recording it: it stays invisible (and `assay gc` takes it back) unless
   * `recordBlobs` records it, so a batch that fails half-way leaves nothing recorded.
   */
  writeUnrecorded(source: Readable, maxBytes: number): Promise<StoredBlob> {
    return this.blobs.put(source, maxBytes);
  }

  async recordBlobs(blobs: StoredBlob[]): Promise<void> {
    const now = this.clock.now();
    for (const blob of blobs) await filesRepo.recordBlob(this.db, this.engine, blob, now);
  }

  /** Validates every path first: nothing is written when one path is illegal. */
  validatePaths(paths: string[], field = 'files'): void {
    const problems = paths.flatMap((p, i) => {
      const problem = pathProblem(p);
      return problem ? [{ field: `${field}.${i}.path`, code: 'invalid_path', message: `Illegal path "${p}": ${problem}.` }] : [];
    });
    if (problems.length > 0) throw AssayError.invalid(problems);
  }

  async createTree(files: NewTreeFile[], db: Db = this.db): Promise<number> {
    this.validatePaths(files.map((f) => f.path));
    const entries: TreeEntry[] = files.map((f) => ({ path: f.path, blob: f.blob.sha256, size: f.blob.size, md5: f.blob.md5 }));
    return filesRepo.createTree(db, this.engine, entries, this.clock.now());
  }

  treeEntries(treeId: number, db: Db = this.db): Promise<TreeEntry[]> {
    return filesRepo.treeEntries(db, treeId);
  }

  open(sha256: string): Readable {
    return this.blobs.open(sha256);
  }

  openRange(sha256: string, start: number, end: number): Readable {
    return this.blobs.openRange(sha256, start, end);
  }

  read(sha256: string, size?: number): Promise<Buffer> {
    return this.blobs.read(sha256, size);
  }

  /** A zip of the tree, streamed; entries keep their tree order. */
  async zipTree(treeId: number): Promise<Readable> {
    const entries = await this.treeEntries(treeId);
    const zip = new yazl.ZipFile();
    for (const e of entries) zip.addReadStream(this.blobs.open(e.blob), zipEntryName(e.path), { size: e.size });
    zip.end();
    return zip.outputStream as unknown as Readable;
  }
}
