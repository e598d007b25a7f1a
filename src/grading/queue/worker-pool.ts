import crypto from 'node:crypto';
import os from 'node:os';
import { isAssayError } from '../../core/errors.ts';
import type { GradingJob, GradingQueue, JobResult, JobRunner, ProgressStep } from './types.ts';

export interface WorkerPoolOptions {
  /** Jobs run at the same time (one worker loop each). */
  concurrency: number;
  /** Seconds a lease lasts; the heartbeat renews it three times per lease. */
  leaseSeconds: number;
  /** Seconds to hold off after the sandbox was reported unavailable. */
  recheckSeconds: number;
  /** How often an idle worker looks for work it was not told about (other processes' enqueues). Default 1000 ms. */
  idlePollMs?: number;
  /** How often `queue.recover()` runs. Default: once per lease. */
  recoverEveryMs?: number;
  /** Worker ids are `<prefix>:<n>`; default host:pid:random, unique per process. */
  workerIdPrefix?: string;
  /** Told about errors the pool survives (database down, a heartbeat that failed). */
  onError?: (error: unknown, context: string) => void;
}

interface InFlight {
  job: GradingJob;
  workerId: string;
  controller: AbortController;
  /** Resolved when `stop` gave the job back: the loop stops waiting for the runner. */
  abandon: () => void;
  abandoned: Promise<typeof ABANDONED>;
}

const ABANDONED = Symbol('abandoned');

export function defaultWorkerIdPrefix(): string {
  return `${os.hostname()}:${process.pid}:${crypto.randomBytes(3).toString('hex')}`;
}

/** Why a runner's answer cannot be stored as a result, or null when it can. */
function invalidResult(result: unknown): string | null {
  if (typeof result !== 'object' || result === null || Array.isArray(result)) return 'the runner returned no result object';
  try {
    JSON.stringify(result);
    return null;
  } catch (e) {
    return `the runner returned a result that is not JSON: ${message(e)}`;
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * What the timeline (and so the student) reads when a run throws: an error's text may name host
 * paths (the sandbox root, a run directory, the blob or data directory), so it goes to the
 * server log (`onError`) only.
 */
export const RUN_FAILED = 'an internal error stopped the run';
export const SANDBOX_UNAVAILABLE = 'the grading sandbox is unavailable';

/**
 * N workers in this process, each taking one job at a time from the queue, heartbeating its
 * lease while the runner works, and recording the outcome. `stop` lets running jobs finish for
 * a grace period, then gives the rest back to the queue.
 */
export class WorkerPool {
  private readonly options: Required<Omit<WorkerPoolOptions, 'onError'>> & Pick<WorkerPoolOptions, 'onError'>;
  private loops: Promise<void>[] = [];
  private readonly inFlight = new Set<InFlight>();
  private stopping = false;
  private pausedUntil = 0;
  private wakeups: (() => void)[] = [];
  private recoverTimer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly queue: GradingQueue,
    private readonly runner: JobRunner,
    options: WorkerPoolOptions,
  ) {
    this.options = {
      idlePollMs: 1000,
      recoverEveryMs: options.leaseSeconds * 1000,
      workerIdPrefix: defaultWorkerIdPrefix(),
      ...options,
    };
    queue.onEnqueued(() => this.wake());
  }

  /** Jobs being run right now. */
  get running(): number {
    return this.inFlight.size;
  }

  start(): void {
    if (this.loops.length > 0 || this.options.concurrency <= 0) return;
    this.stopping = false;
    void this.recover();
    this.recoverTimer = setInterval(() => void this.recover(), this.options.recoverEveryMs);
    for (let i = 1; i <= this.options.concurrency; i++) this.loops.push(this.loop(`${this.options.workerIdPrefix}:${i}`));
  }

  /**
   * Stops taking jobs, waits up to `graceMs` for the running ones, then gives the others back to
   * the queue (their attempt does not count) and aborts their runners.
   */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    if (this.recoverTimer) clearInterval(this.recoverTimer);
    this.recoverTimer = null;
    this.wake();
    const all = Promise.all(this.loops);
    const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), graceMs).unref());
    if ((await Promise.race([all, timer])) === 'timeout') {
      await Promise.all(
        [...this.inFlight].map(async (f) => {
          f.abandon();
          f.controller.abort(new Error('the worker is stopping'));
          await this.queue.release(f.job.id, f.workerId, 'the worker stopped').catch((e: unknown) => this.report(e, 'release'));
        }),
      );
      await all;
    }
    this.loops = [];
  }

  private async recover(): Promise<void> {
    try {
      await this.queue.recover();
    } catch (e) {
      this.report(e, 'recover');
    }
  }

  private wake(): void {
    const waiting = this.wakeups;
    this.wakeups = [];
    for (const w of waiting) w();
  }

  /** Sleeps until woken (an enqueue here, a stop) or `ms` passed. */
  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeups = this.wakeups.filter((w) => w !== done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeups.push(done);
    });
  }

  private async loop(workerId: string): Promise<void> {
    // Results are stored behind the next claim, one at a time and in order (see run).
    let recording: Promise<void> = Promise.resolve();
    while (!this.stopping) {
      const pause = this.pausedUntil - Date.now();
      if (pause > 0) {
        await this.idle(pause);
        continue;
      }
      let job: GradingJob | null;
      try {
        job = await this.queue.claim(workerId);
      } catch (e) {
        this.report(e, 'claim');
        await this.idle(this.options.idlePollMs);
        continue;
      }
      if (!job) {
        await this.idle(this.options.idlePollMs);
        continue;
      }
      const record = await this.run(job, workerId);
      if (record) recording = recording.then(record);
    }
    await recording;
  }

  /**
   * Runs one job. A result is not stored here: what is returned stores it, and the loop calls it
   * while it already claims and runs the next job, so the sandbox is not left idle for the
   * recording's round trips. The lease stays heartbeated until the result is stored; a process that
   * dies before that leaves a lease that runs out, and the job is run again, as after any lost worker.
   */
  private async run(job: GradingJob, workerId: string): Promise<(() => Promise<void>) | null> {
    const controller = new AbortController();
    let abandon!: () => void;
    const abandoned = new Promise<typeof ABANDONED>((resolve) => (abandon = () => resolve(ABANDONED)));
    const flight: InFlight = { job, workerId, controller, abandon, abandoned };
    this.inFlight.add(flight);
    let lost = false;
    const beat = setInterval(() => {
      this.queue.heartbeat(job.id, workerId).then(
        (held) => {
          if (!held && !lost) {
            lost = true;
            controller.abort(new Error('the lease on this job was lost'));
          }
        },
        (e: unknown) => this.report(e, 'heartbeat'),
      );
    }, (this.options.leaseSeconds * 1000) / 3);
    let record: (() => Promise<void>) | null = null;
    try {
      const context = {
        signal: controller.signal,
        report: (...steps: ProgressStep[]) => this.queue.addProgress(job, steps),
      };
      let outcome: JobResult | typeof ABANDONED;
      try {
        outcome = await Promise.race([this.runner(job, context), abandoned]);
      } catch (e) {
        if (lost || controller.signal.aborted) return null;
        this.report(e, `grading job ${job.id}`);
        if (isAssayError(e) && e.kind === 'unavailable') {
          await this.queue.wait(job.id, workerId, SANDBOX_UNAVAILABLE);
          this.pausedUntil = Math.max(this.pausedUntil, Date.now() + this.options.recheckSeconds * 1000);
        } else {
          await this.queue.fail(job.id, workerId, RUN_FAILED);
        }
        return null;
      }
      if (outcome === ABANDONED || lost) return null;
      const invalid = invalidResult(outcome);
      if (invalid) {
        await this.queue.fail(job.id, workerId, invalid);
        return null;
      }
      const result = outcome;
      record = async () => {
        try {
          if (!lost) await this.queue.complete(job.id, workerId, result);
        } catch (e) {
          // Recording the outcome failed (database unreachable): the lease runs out and the job is delivered again.
          this.report(e, 'record');
        } finally {
          clearInterval(beat);
        }
      };
      return record;
    } catch (e) {
      this.report(e, 'record');
      return null;
    } finally {
      if (!record) clearInterval(beat);
      this.inFlight.delete(flight);
    }
  }

  private report(error: unknown, context: string): void {
    this.options.onError?.(error, context);
  }
}
