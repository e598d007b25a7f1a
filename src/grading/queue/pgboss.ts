import PgBoss from 'pg-boss';
import { executeRaw, tryTransactionLock, withAdvisoryLock } from '../../db/postgres-locks.ts';
import { EmbeddedQueue } from './embedded.ts';
import type { QueueDeps } from './embedded.ts';
import type { AfterCommit, Executor } from './jobs.repo.ts';
import type { EnqueueInput, FailOutcome, GradingJob, JobResult } from './types.ts';

export const PGBOSS_QUEUE = 'grading';
/** pg-boss priorities sort high first; ours sort low first, on two levels. */
const RANK_SPAN = 1_000_000;
const MAX_EXPIRE_SECONDS = 23 * 3600;

export interface PgBossDeps extends QueueDeps {
  /** The PostgreSQL URL (the same database as `db`). */
  url: string;
  /** Assay's schema; pg-boss keeps its tables in `<schema>_pgboss`. */
  schema: string;
  /** Wall-time limit of jobs that name none. */
  wallSeconds: number;
  /** Added to a job's wall limit before pg-boss considers its worker gone (default 60). */
  expireMarginSeconds?: number;
  /** How often pg-boss itself expires jobs of silent workers (default 60). */
  maintenanceIntervalSeconds?: number;
}

interface Delivery {
  gradingJobId: number;
  wallSeconds?: number;
}

/** The name of pg-boss's schema for an Assay schema, so several Assay schemas (tests) never share one. */
export function pgBossSchema(schema: string): string {
  return `${schema}_pgboss`;
}

/**
 * Scale mode: pg-boss delivers jobs to `assay worker` processes on any machine; the lease table
 * stays the record. Every delivery is sent in the same transaction as the row change that
 * needs it (enqueue, retry, wait, release), and every delivery is completed in the same
 * transaction as the row change that ends it, so the two never disagree for long; `recover`
 * repairs what a dead worker left behind.
 */
export class PgBossQueue extends EmbeddedQueue {
  override readonly mode = 'pgboss' as const;
  readonly boss: PgBoss;
  readonly bossSchema: string;
  private starting: Promise<void> | null = null;
  /**
   * The pg-boss job behind each lease this process holds, by worker and job: a worker may hold two,
   * the one it runs and the one whose result it is still recording.
   */
  private readonly deliveries = new Map<string, { bossId: string; data: Delivery }>();
  private readonly expireMargin: number;

  constructor(private readonly deps: PgBossDeps) {
    super(deps);
    this.bossSchema = pgBossSchema(deps.schema);
    this.expireMargin = deps.expireMarginSeconds ?? 60;
    this.boss = new PgBoss({
      connectionString: deps.url,
      schema: this.bossSchema,
      max: 4,
      application_name: 'assay-grading',
      schedule: false,
      supervise: true,
      maintenanceIntervalSeconds: deps.maintenanceIntervalSeconds ?? 60,
    });
    this.boss.on('error', () => {
      // pg-boss reports failed maintenance runs here; they are retried on the next interval.
    });
  }

  /**
   * Starts pg-boss (creating its schema and our queue the first time). Processes starting at
   * once take turns: pg-boss 10 deadlocks when two create the same queue concurrently.
   */
  override start(): Promise<void> {
    this.starting ??= withAdvisoryLock(this.store.db, `assay-pgboss-start:${this.bossSchema}`, async () => {
      await this.boss.start();
      if (!(await this.boss.getQueue(PGBOSS_QUEUE))) await this.boss.createQueue(PGBOSS_QUEUE, { name: PGBOSS_QUEUE, policy: 'standard' });
    });
    // A start that failed (database unreachable) is tried again by the next call.
    this.starting.catch(() => (this.starting = null));
    return this.starting;
  }

  override async enqueueMany(inputs: EnqueueInput[], outer?: Executor): Promise<GradingJob[]> {
    await this.start();
    const jobs = await this.store.transaction(async (trx) => {
      const out: GradingJob[] = [];
      for (const input of inputs) {
        const { job, created } = await this.store.insert(trx, input);
        if (created) await this.send(trx, job, { gradingJobId: job.id, wallSeconds: input.wallSeconds });
        out.push(job);
      }
      return out;
    }, outer);
    if (!outer) this.notify();
    return jobs;
  }

  /** Fetches deliveries until one leases a job; deliveries of finished or busy jobs are completed and skipped. */
  override async claim(workerId: string): Promise<GradingJob | null> {
    await this.start();
    for (;;) {
      const [delivery] = await this.boss.fetch<Delivery>(PGBOSS_QUEUE, { batchSize: 1 });
      if (!delivery) return null;
      const job = await this.store.transaction(async (trx, after) => {
        const claimed = await this.store.claimById(trx, delivery.data.gradingJobId, workerId, after);
        if (!claimed.job) await this.boss.complete(PGBOSS_QUEUE, delivery.id, {}, { db: bossDb(trx) });
        return claimed.job;
      });
      if (job) {
        this.deliveries.set(leaseKey(workerId, job.id), { bossId: delivery.id, data: delivery.data });
        return job;
      }
    }
  }

  override async complete(jobId: number, workerId: string, result: JobResult): Promise<boolean> {
    return this.finishDelivery(jobId, workerId, (trx, after) => this.store.complete(trx, jobId, workerId, result, after));
  }

  override async fail(jobId: number, workerId: string, error: string): Promise<FailOutcome> {
    return this.finishDelivery(jobId, workerId, async (trx, after, redeliver) => {
      const outcome = await this.store.fail(trx, jobId, workerId, error, after);
      if (outcome === 'retry') await redeliver();
      return outcome;
    });
  }

  override async wait(jobId: number, workerId: string, reason: string): Promise<boolean> {
    return this.finishDelivery(jobId, workerId, async (trx, after, redeliver) => {
      const parked = await this.store.wait(trx, jobId, workerId, reason, after);
      if (parked) await redeliver(this.store.settings.recheckSeconds);
      return parked;
    });
  }

  override async release(jobId: number, workerId: string, reason: string): Promise<boolean> {
    return this.finishDelivery(jobId, workerId, async (trx, after, redeliver) => {
      const released = await this.store.release(trx, jobId, workerId, reason, after);
      if (released) await redeliver();
      return released;
    });
  }

  /**
   * Changes the row, completes the delivery this process holds for it, and (when `work` asks)
   * sends the next delivery, all in one transaction.
   */
  private async finishDelivery<T>(
    jobId: number,
    workerId: string,
    work: (trx: Executor, after: AfterCommit, redeliver: (delaySeconds?: number) => Promise<void>) => Promise<T>,
  ): Promise<T> {
    const key = leaseKey(workerId, jobId);
    const held = this.deliveries.get(key);
    const out = await this.store.transaction(async (trx, after) => {
      const redeliver = async (delaySeconds?: number) => {
        const row = await this.store.rank(trx, jobId);
        await this.send(trx, row, { gradingJobId: jobId, wallSeconds: held?.data.wallSeconds }, delaySeconds);
      };
      const result = await work(trx, after, redeliver);
      if (held) await this.boss.complete(PGBOSS_QUEUE, held.bossId, {}, { db: bossDb(trx) });
      return result;
    });
    if (held) this.deliveries.delete(key);
    return out;
  }

  private async send(trx: Executor, job: Pick<GradingJob, 'id' | 'priority' | 'fair_rank'>, data: Delivery, delaySeconds?: number): Promise<void> {
    const wall = data.wallSeconds ?? this.deps.wallSeconds;
    await this.boss.send(PGBOSS_QUEUE, data, {
      priority: -(job.priority * RANK_SPAN + Math.min(job.fair_rank, RANK_SPAN - 1)),
      expireInSeconds: Math.min(MAX_EXPIRE_SECONDS, Math.max(1, Math.ceil(wall + this.expireMargin))),
      // pg-boss retries only deliveries whose worker went silent; attempts are counted on the row.
      retryLimit: 100,
      retryDelay: 1,
      ...(delaySeconds ? { startAfter: Math.max(1, Math.ceil(delaySeconds)) } : {}),
      db: bossDb(trx),
    });
  }

  /**
   * Fails jobs out of attempts, puts jobs of silent workers back in the queue, and sends a
   * delivery for any queued (or due waiting) job that has none (say, one enqueued while the
   * server ran the embedded queue). One process at a time does it.
   */
  override async recover(): Promise<number> {
    await this.start();
    return this.store.transaction(async (trx, after) => {
      if (!(await tryTransactionLock(trx, `assay-grading-recover:${this.deps.schema}`))) return 0;
      const lost = await this.store.failLost(trx, after);
      const requeued = await this.store.requeueExpired(trx, after);
      // The silent worker's delivery is still active until pg-boss expires it: send a new one now.
      for (const row of requeued) await this.send(trx, row, { gradingJobId: row.id });
      const now = this.store.clock.now();
      const orphans = await this.store.undelivered(trx, `${this.bossSchema}.job`, PGBOSS_QUEUE, now);
      for (const row of orphans) await this.send(trx, row, { gradingJobId: row.id });
      return lost.length + requeued.length + orphans.length;
    });
  }

  override async close(): Promise<void> {
    await this.starting?.catch(() => undefined);
    await this.boss.stop({ graceful: false, close: true, wait: true });
  }
}

const leaseKey = (workerId: string, jobId: number) => `${workerId}#${jobId}`;

/** Lets pg-boss run its statements inside one of our transactions. */
function bossDb(trx: Executor): PgBoss.Db {
  return {
    async executeSql(text: string, values: unknown[]) {
      return { rows: await executeRaw(trx, text, values) };
    },
  };
}
