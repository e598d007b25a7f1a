import { addSeconds } from '../core/clock.ts';
import type { Services } from '../core/services.ts';
import { gcRepo } from './gc.repo.ts';

/**
 * Deletes file trees nothing points at, then blobs no tree, response, help response or avatar
 * points at. Anything younger than the grace period is kept, so an upload in flight (stored,
 * not yet referenced) survives.
 */
export async function collectGarbage(services: Services, graceSeconds: number): Promise<{ trees: number; blobs: number; bytes: number }> {
  const { db, clock } = services;
  const cutoff = addSeconds(clock.now(), -graceSeconds);
  const deletedTrees = await gcRepo.deleteUnreferencedTrees(db, cutoff);
  const orphans = await gcRepo.unreferencedBlobs(db, cutoff);
  let bytes = 0;
  let removed = 0;
  for (const blob of orphans) {
    // Re-checked per row: an upload of the same bytes since the scan refreshed created_at.
    if (!(await gcRepo.deleteBlobBefore(db, blob.sha256, cutoff))) continue;
    await services.blobs.delete(blob.sha256);
    bytes += Number(blob.size);
    removed++;
  }
  // Files on disk with no row at all (a crash between writing and recording) go too.
  const known = await gcRepo.recordedBlobs(db);
  let strays = 0;
  const cutoffMs = clock.nowMs() - graceSeconds * 1000;
  for await (const blob of services.blobs.list()) {
    if (!known.has(blob.sha256) && blob.modifiedMs < cutoffMs) {
      await services.blobs.delete(blob.sha256);
      strays++;
    }
  }
  return { trees: deletedTrees.length, blobs: removed + strays, bytes };
}
