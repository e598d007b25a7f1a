import type { TreeEntry } from '../../core/files/files.repo.ts';
import type { FilesService } from '../../core/files/files.service.ts';
import type { TreeFile } from './layout.ts';

/**
 * Harness and solution trees with their contents, kept between jobs: every job of an exercise
 * runs the same harness, and reading it again (a query and a file per entry) would cost each job
 * round trips for nothing. A tree never changes once written and its id is never reused
 * (AUTOINCREMENT on SQLite, a sequence on PostgreSQL): a new harness is a new tree, so an entry can
 * never be stale. The least recently used trees go first once `maxBytes` is reached; a tree
 * larger than that is read every time.
 */
export class TreeCache {
  private readonly trees = new Map<number, { files: TreeFile[]; bytes: number }>();
  private bytes = 0;

  constructor(
    private readonly files: FilesService,
    private readonly maxBytes: number,
  ) {}

  async get(treeId: number | null): Promise<TreeFile[]> {
    if (treeId === null) return [];
    const hit = this.trees.get(treeId);
    if (hit) {
      this.trees.delete(treeId);
      this.trees.set(treeId, hit);
      return hit.files;
    }
    const files = await readFiles(this.files, await this.files.treeEntries(treeId));
    const bytes = files.reduce((n, f) => n + f.content.length, 0);
    if (bytes <= this.maxBytes) {
      this.trees.set(treeId, { files, bytes });
      this.bytes += bytes;
      for (const [id, tree] of this.trees) {
        if (this.bytes <= this.maxBytes) break;
        this.trees.delete(id);
        this.bytes -= tree.bytes;
      }
    }
    return files;
  }
}

/** The contents of a tree's entries, in its order. */
export function readFiles(files: FilesService, entries: TreeEntry[]): Promise<TreeFile[]> {
  return Promise.all(entries.map(async (e) => ({ path: e.path, content: await files.read(e.blob, e.size) })));
}
