import { sql } from 'kysely';
import type { Db } from '../db/database.ts';

/** The queries of `gc`: what nothing refers to any more. */
export const gcRepo = {
  /** Deletes the file trees older than `cutoff` that no exercise, submission, feedback or grader points at; their ids. */
  async deleteUnreferencedTrees(db: Db, cutoff: string): Promise<number[]> {
    const treeRefs = [
      sql`select handout_tree_id as id from exercises where handout_tree_id is not null`,
      sql`select solution_tree_id from exercises where solution_tree_id is not null`,
      sql`select preview_tree_id from exercises where preview_tree_id is not null`,
      sql`select patbas_preview_tree_id from exercises where patbas_preview_tree_id is not null`,
      sql`select tree_id from submissions where tree_id is not null`,
      sql`select tree_id from feedback where tree_id is not null`,
      sql`select harness_tree_id from graders where harness_tree_id is not null`,
    ];
    const referencedTrees = sql.join(treeRefs, sql` union `);
    const deleted = await sql<{ id: number }>`
      delete from file_trees where created_at < ${cutoff} and id not in (${referencedTrees}) returning id`.execute(db);
    return deleted.rows.map((r) => r.id);
  },

  /** Blobs older than `cutoff` that no tree, response, help response or avatar points at. */
  async unreferencedBlobs(db: Db, cutoff: string): Promise<{ sha256: string; size: number }[]> {
    const blobRefs = sql`
      select blob as sha from tree_entries
      union select file_blob from responses where file_blob is not null
      union select file_blob from help_responses where file_blob is not null
      union select avatar_blob from users where avatar_blob is not null`;
    const orphans = await sql<{ sha256: string; size: number }>`
      select sha256, size from blobs where created_at < ${cutoff} and sha256 not in (${blobRefs})`.execute(db);
    return orphans.rows;
  },

  /** Deletes the blob's row unless it was stored again since `cutoff`; whether it did. */
  async deleteBlobBefore(db: Db, sha256: string, cutoff: string): Promise<boolean> {
    const gone = await db.deleteFrom('blobs').where('sha256', '=', sha256).where('created_at', '<', cutoff).executeTakeFirst();
    return Number(gone.numDeletedRows) > 0;
  },

  async recordedBlobs(db: Db): Promise<Set<string>> {
    return new Set((await db.selectFrom('blobs').select('sha256').execute()).map((r) => r.sha256));
  },
};
