import type { Clock } from '../../core/clock.ts';
import type { Engine } from '../../db/columns.ts';
import type { Db } from '../../db/database.ts';
import { GradingMetrics } from './metrics.ts';
import type { QueueSettings, ResultRecorder } from './jobs.repo.ts';
import { JobStore } from './jobs.repo.ts';
import type { EnqueueInput, FailOutcome, GradingJob, GradingQueue, JobChange, JobEvent, JobResult, ProgressStep, QueueDepth } from './types.ts';

export interface QueueDeps {
  db: Db;
  engine: Engine;
  clock: Clock;
  settings: QueueSettings;
}

/**
 * The default queue: the lease table alone. Workers claim with one guarded UPDATE (on PostgreSQL
 * with FOR UPDATE SKIP LOCKED), so any number of workers, in this process or others sharing the
 * database, take each job once per lease.
 */
export class EmbeddedQueue implements GradingQueue {
  readonly mode: GradingQueue['mode'] = 'embedded';
  readonly metrics = new GradingMetrics();
  protected readonly store: JobStore;
  private readonly listeners: (() => void)[] = [];
  private readonly changeListeners: ((change: JobChange) => void)[] = [];

  constructor(deps: QueueDeps) {
    this.store = new JobStore(deps.db, deps.engine, deps.clock, deps.settings, this.metrics);
    this.store.onChange = (change) => this.jobChanged(change);
  }

  async start(): Promise<void> {}

  setResultRecorder(recorder: ResultRecorder): void {
    this.store.recorder = recorder;
  }

  async enqueue(input: EnqueueInput, trx?: Db): Promise<GradingJob> {
    const [job] = await this.enqueueMany([input], trx);
    return job!;
  }

  async enqueueMany(inputs: EnqueueInput[], trx?: Db): Promise<GradingJob[]> {
    const jobs = await this.store.transaction(async (t) => {
      const out: GradingJob[] = [];
      for (const input of inputs) out.push((await this.store.insert(t, input)).job);
      return out;
    }, trx);
    // Inside the caller's transaction the jobs are not visible yet: the caller wakes the workers after it commits.
    if (!trx) this.notify();
    return jobs;
  }

  claim(workerId: string): Promise<GradingJob | null> {
    return this.store.claimNext(workerId);
  }

  heartbeat(jobId: number, workerId: string): Promise<boolean> {
    return this.store.heartbeat(this.store.db, jobId, workerId);
  }

  complete(jobId: number, workerId: string, result: JobResult): Promise<boolean> {
    return this.store.transaction((trx, after) => this.store.complete(trx, jobId, workerId, result, after));
  }

  async fail(jobId: number, workerId: string, error: string): Promise<FailOutcome> {
    const outcome = await this.store.transaction((trx, after) => this.store.fail(trx, jobId, workerId, error, after));
    if (outcome === 'retry') this.notify();
    return outcome;
  }

  wait(jobId: number, workerId: string, reason: string): Promise<boolean> {
    return this.store.transaction((trx, after) => this.store.wait(trx, jobId, workerId, reason, after));
  }

  async release(jobId: number, workerId: string, reason: string): Promise<boolean> {
    const released = await this.store.transaction((trx, after) => this.store.release(trx, jobId, workerId, reason, after));
    if (released) this.notify();
    return released;
  }

  addProgress(job: Pick<GradingJob, 'id' | 'course_id' | 'submission_id'>, steps: ProgressStep[]): Promise<void> {
    return this.store.addProgress(job, steps.map((s) => ({ action: s.action, payload: s.payload ?? null })));
  }

  events(jobId: number): Promise<JobEvent[]> {
    return this.store.events(jobId);
  }

  get(jobId: number): Promise<GradingJob | null> {
    return this.store.get(jobId);
  }

  depth(): Promise<QueueDepth> {
    return this.store.depth();
  }

  /** Claims take running jobs whose lease ran out by themselves; what is left is failing the ones out of attempts. */
  async recover(): Promise<number> {
    const ids = await this.store.transaction((trx, after) => this.store.failLost(trx, after));
    return ids.length;
  }

  onEnqueued(listener: () => void): void {
    this.listeners.push(listener);
  }

  wake(): void {
    this.notify();
  }

  onJobChanged(listener: (change: JobChange) => void): () => void {
    this.changeListeners.push(listener);
    return () => {
      const at = this.changeListeners.indexOf(listener);
      if (at >= 0) this.changeListeners.splice(at, 1);
    };
  }

  jobChanged(change: JobChange): void {
    for (const l of this.changeListeners) l(change);
  }

  protected notify(): void {
    for (const l of this.listeners) l();
  }

  async close(): Promise<void> {}
}
