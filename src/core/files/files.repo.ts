import type { Db } from '../../db/database.ts';
import type { StoredBlob } from '../../blobs/store.ts';

export interface TreeEntry {
  path: string;
  blob: string;
  size: number;
  md5: string;
}

export const filesRepo = {
  /** Records a blob; storing it again refreshes its age so a concurrent `gc` keeps it. */
  async recordBlob(db: Db, blob: StoredBlob, now: string): Promise<void> {
    await db
      .insertInto('blobs')
      .values({ sha256: blob.sha256, size: blob.size, md5: blob.md5, created_at: now })
      .onConflict((oc) => oc.column('sha256').doUpdateSet({ created_at: now }))
      .execute();
  },

  async createTree(db: Db, entries: TreeEntry[], now: string): Promise<number> {
    const tree = await db.insertInto('file_trees').values({ created_at: now }).returning('id').executeTakeFirstOrThrow();
    // Trees keep upload order (and duplicate paths, as nbgrader's exchange allows).
    for (let i = 0; i < entries.length; i += 200) {
      const chunk = entries.slice(i, i + 200).map((e, j) => ({ tree_id: tree.id, position: i + j, ...e }));
      if (chunk.length > 0) await db.insertInto('tree_entries').values(chunk).execute();
    }
    return tree.id;
  },

  async treeEntries(db: Db, treeId: number): Promise<TreeEntry[]> {
    return db
      .selectFrom('tree_entries')
      .select(['path', 'blob', 'size', 'md5'])
      .where('tree_id', '=', treeId)
      .orderBy('position')
      .execute();
  },

  async deleteTree(db: Db, treeId: number): Promise<void> {
    await db.deleteFrom('file_trees').where('id', '=', treeId).execute();
  },
};
