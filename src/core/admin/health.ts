import { ping } from '../../db/database.ts';
import type { Db } from '../../db/database.ts';
import type { Engine } from '../../db/columns.ts';
import type { BlobStore } from '../../blobs/store.ts';
import type { GradingQueue } from '../../grading/queue/index.ts';
import { sandboxStatus } from '../../grading/sandbox/index.ts';

export interface Check {
  ok: boolean;
  error?: string;
}

export interface ServerHealth {
  ok: boolean;
  database: Check & { engine: Engine };
  blobs: Check;
  sandbox: Check & { bwrap?: string | null; cgroup_driver?: string | null; separation?: string | null };
  grading: { queue: string; jobs: Record<string, number> | null };
}

async function check(fn: () => Promise<void>): Promise<Check> {
  try {
    await fn();
    return { ok: true };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

/**
 * The server's parts, each asked once: the database answers a query, the blob store is reachable,
 * the sandbox runs (without one, grading jobs wait), and the grading queue's jobs by status.
 * `/healthz` and the admins' health page both show this.
 */
export async function serverHealth(parts: { db: Db; engine: Engine; blobs: BlobStore; grading: GradingQueue }): Promise<ServerHealth> {
  const [database, blobs, sandbox] = await Promise.all([check(() => ping(parts.db)), check(() => parts.blobs.check()), sandboxStatus()]);
  const jobs = database.ok ? await parts.grading.depth().catch(() => null) : null;
  return {
    ok: database.ok && blobs.ok,
    database: { ...database, engine: parts.engine },
    blobs,
    sandbox: sandbox.available
      ? { ok: true, bwrap: sandbox.bwrap, cgroup_driver: sandbox.cgroupDriver, separation: sandbox.separation }
      : { ok: false, error: `${sandbox.reason ?? 'bubblewrap (bwrap) is not usable'}: grading jobs wait until it is` },
    grading: { queue: parts.grading.mode, jobs: jobs as Record<string, number> | null },
  };
}
