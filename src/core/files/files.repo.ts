import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { Engine } from '../../db/columns.ts';
import { RELAXED_COMMIT } from '../../db/relaxed-commit.ts';
import type { StoredBlob } from '../../blobs/store.ts';

export interface TreeEntry {
  path: string;
  blob: string;
  size: number;
  md5: string;
}

/** Tree entries written per statement. */
const TREE_CHUNK = 200;

/** A tree and its entries in one statement (one round trip: a submission's tree is on the hot path). */
async function createSmallTreeOnPostgres(db: Db, entries: TreeEntry[], now: string): Promise<number> {
  const rows = sql.join(entries.map((e, i) => sql`(CAST(${i} AS integer), ${e.path}, ${e.blob}, CAST(${e.size} AS bigint), ${e.md5})`));
  const result = await sql<{ id: number }>`WITH tree AS (INSERT INTO file_trees (created_at) VALUES (CAST(${now} AS timestamptz)) RETURNING id),
    entries AS (
      INSERT INTO tree_entries (tree_id, position, path, blob, size, md5)
      SELECT tree.id, e.position, e.path, e.blob, e.size, e.md5 FROM tree CROSS JOIN (VALUES ${rows}) AS e (position, path, blob, size, md5))
    SELECT id FROM tree`.execute(db);
  return result.rows[0]!.id;
}

export const filesRepo = {
  /** The stored blob's size, if it is recorded. */
  async blobSize(db: Db, sha256: string): Promise<number | undefined> {
    const row = await db.selectFrom('blobs').select('size').where('sha256', '=', sha256).executeTakeFirst();
    return row && Number(row.size);
  },

  /** Records a blob; storing it again refreshes its age so a concurrent `gc` keeps it. */
  /**
   * Records a stored blob (a statement of its own, never inside a caller's transaction). On
   * PostgreSQL its commit does not wait for the disk: the row matters only once a tree refers to
   * it, and the commit that writes that tree flushes the log up to and past this row anyway. An
   * upload of twenty files thus costs one flush, not twenty-one.
   */
  async recordBlob(db: Db, engine: Engine, blob: StoredBlob, now: string): Promise<void> {
    if (engine !== 'postgres') {
      await db
        .insertInto('blobs')
        .values({ sha256: blob.sha256, size: blob.size, md5: blob.md5, created_at: now })
        .onConflict((oc) => oc.column('sha256').doUpdateSet({ created_at: now }))
        .execute();
      return;
    }
    await sql`WITH ${RELAXED_COMMIT}
      INSERT INTO blobs (sha256, size, md5, created_at)
      SELECT ${blob.sha256}, CAST(${blob.size} AS bigint), ${blob.md5}, CAST(${now} AS timestamptz) FROM relaxed
      ON CONFLICT (sha256) DO UPDATE SET created_at = EXCLUDED.created_at`.execute(db);
  },

  /** Records blobs as recordBlob does, in one statement per TREE_CHUNK of them. */
  async recordBlobs(db: Db, engine: Engine, blobs: StoredBlob[], now: string): Promise<void> {
    const unique = [...new Map(blobs.map((b) => [b.sha256, b])).values()];
    for (let i = 0; i < unique.length; i += TREE_CHUNK) {
      const chunk = unique.slice(i, i + TREE_CHUNK);
      if (engine !== 'postgres') {
        await db
          .insertInto('blobs')
          .values(chunk.map((b) => ({ sha256: b.sha256, size: b.size, md5: b.md5, created_at: now })))
          .onConflict((oc) => oc.column('sha256').doUpdateSet({ created_at: now }))
          .execute();
        continue;
      }
      const rows = sql.join(chunk.map((b) => sql`(${b.sha256}, CAST(${b.size} AS bigint), ${b.md5})`));
      await sql`WITH ${RELAXED_COMMIT}
        INSERT INTO blobs (sha256, size, md5, created_at)
        SELECT b.sha256, b.size, b.md5, CAST(${now} AS timestamptz) FROM relaxed CROSS JOIN (VALUES ${rows}) AS b (sha256, size, md5)
        ON CONFLICT (sha256) DO UPDATE SET created_at = EXCLUDED.created_at`.execute(db);
    }
  },

  async createTree(db: Db, engine: Engine, entries: TreeEntry[], now: string): Promise<number> {
    if (engine === 'postgres' && entries.length > 0 && entries.length <= TREE_CHUNK) return createSmallTreeOnPostgres(db, entries, now);
    const tree = await db.insertInto('file_trees').values({ created_at: now }).returning('id').executeTakeFirstOrThrow();
    // Trees keep upload order (and duplicate paths, as nbgrader's exchange allows).
    for (let i = 0; i < entries.length; i += TREE_CHUNK) {
      const chunk = entries.slice(i, i + TREE_CHUNK).map((e, j) => ({ tree_id: tree.id, position: i + j, ...e }));
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
