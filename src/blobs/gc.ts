import { sql } from 'kysely';
import { addSeconds } from '../core/clock.ts';
import type { Services } from '../core/services.ts';

/**
 * Deletes file trees nothing points at, then blobs no tree, response, help response or avatar
 * points at. Anything younger than the grace period is kept, so an upload in flight (stored,
 * not yet referenced) survives.
 */
export async function collectGarbage(services: Services, graceSeconds: number): Promise<{ trees: number; blobs: number; bytes: number }> {
  const { db, clock } = services;
  const cutoff = addSeconds(clock.now(), -graceSeconds);
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
  const deletedTrees = await sql<{ id: number }>`
    delete from file_trees where created_at < ${cutoff} and id not in (${referencedTrees}) returning id`.execute(db);

  const blobRefs = sql`
    select blob as sha from tree_entries
    union select file_blob from responses where file_blob is not null
    union select file_blob from help_responses where file_blob is not null
    union select avatar_blob from users where avatar_blob is not null`;
  const orphans = await sql<{ sha256: string; size: number }>`
    select sha256, size from blobs where created_at < ${cutoff} and sha256 not in (${blobRefs})`.execute(db);
  let bytes = 0;
  let removed = 0;
  for (const blob of orphans.rows) {
    // Re-checked per row: an upload of the same bytes since the scan refreshed created_at.
    const gone = await db.deleteFrom('blobs').where('sha256', '=', blob.sha256).where('created_at', '<', cutoff).executeTakeFirst();
    if (Number(gone.numDeletedRows) === 0) continue;
    await services.blobs.delete(blob.sha256);
    bytes += Number(blob.size);
    removed++;
  }
  // Files on disk with no row at all (a crash between writing and recording) go too.
  const known = new Set((await db.selectFrom('blobs').select('sha256').execute()).map((r) => r.sha256));
  let strays = 0;
  const cutoffMs = clock.nowMs() - graceSeconds * 1000;
  for await (const blob of services.blobs.list()) {
    if (!known.has(blob.sha256) && blob.modifiedMs < cutoffMs) {
      await services.blobs.delete(blob.sha256);
      strays++;
    }
  }
  return { trees: deletedTrees.rows.length, blobs: removed + strays, bytes };
}
