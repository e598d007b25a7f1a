import type { Config } from '../../config.ts';
import { AssayError } from '../../core/errors.ts';
import type { Clock } from '../../core/clock.ts';
import type { Engine } from '../../db/columns.ts';
import type { Db } from '../../db/database.ts';
import { EmbeddedQueue } from './embedded.ts';
import { PgBossQueue } from './pgboss.ts';
import type { GradingQueue, JobRunner } from './types.ts';
import { WorkerPool } from './worker-pool.ts';

export type * from './types.ts';
export { PRIORITY_FRESH, PRIORITY_RERUN, JOB_STATUSES, JOB_STEPS, JOB_OUTCOMES } from './types.ts';
export { EmbeddedQueue } from './embedded.ts';
export { PgBossQueue, pgBossSchema } from './pgboss.ts';
export { WorkerPool } from './worker-pool.ts';
export { GradingMetrics, registerGradingMetrics } from './metrics.ts';
export type { MetricObservation } from './metrics.ts';
export { rerunExercise } from './reruns.ts';

export interface QueueContext {
  db: Db;
  engine: Engine;
  clock: Clock;
  config: Config;
}

/** The queue the configuration asks for: pg-boss when ASSAY_QUEUE=pgboss (PostgreSQL only), else the lease table. */
export function createGradingQueue({ db, engine, clock, config }: QueueContext): GradingQueue {
  const settings = { leaseSeconds: config.jobLeaseSeconds, maxAttempts: config.jobMaxAttempts, recheckSeconds: config.jobRecheckSeconds };
  if (config.queueMode === 'pgboss') {
    if (engine !== 'postgres') throw new Error('ASSAY_QUEUE=pgboss needs DATABASE_URL=postgres://…');
    return new PgBossQueue({ db, engine, clock, settings, url: config.databaseUrl, schema: config.databaseSchema, wallSeconds: config.jobWallSeconds });
  }
  return new EmbeddedQueue({ db, engine, clock, settings });
}

/** A pool of `concurrency` workers (default ASSAY_WORKERS) on `queue`, configured from `config`, started. */
export function startWorkerPool(
  queue: GradingQueue,
  runner: JobRunner,
  config: Config,
  options: { concurrency?: number; onError?: (error: unknown, context: string) => void } = {},
): WorkerPool {
  const pool = new WorkerPool(queue, runner, {
    concurrency: options.concurrency ?? config.gradingWorkers,
    leaseSeconds: config.jobLeaseSeconds,
    recheckSeconds: config.jobRecheckSeconds,
    onError: options.onError,
  });
  pool.start();
  return pool;
}

/**
 * Stands in for the sandbox runner until it is wired in: every job waits (never runs
 * unsandboxed, never vanishes) and is tried again at each recheck.
 */
export const runnerNotConfigured: JobRunner = async () => {
  throw new AssayError('unavailable', 'no sandbox runner is configured on this worker');
};
