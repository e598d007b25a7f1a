import type { Timestamp } from '../../core/clock.ts';
import type { Db } from '../../db/database.ts';
import type { GradingMetrics } from './metrics.ts';

export type JobKind = 'submission' | 'rerun';
export type JobStatus = 'queued' | 'running' | 'done' | 'failed' | 'waiting';
export const JOB_STATUSES: readonly JobStatus[] = ['queued', 'running', 'done', 'failed', 'waiting'];

/**
 * The steps of a job's timeline, in the engine's own words (each dialect names them its own way):
 * `started` (a worker claimed it), `queued` (given back to the queue), `waiting` (parked until the
 * sandbox is back), `prepared` (harness and submission laid out), `running` (the grader runs),
 * `warning` (staff only: the result breaks the grading contract, src/grading/results/contract.ts),
 * `finished` (the run ended and its result is recorded), then the outcome; `error` also marks a
 * failed attempt.
 */
export type JobStep = 'started' | 'queued' | 'waiting' | 'prepared' | 'running' | 'warning' | 'finished' | JobOutcome;
/** How a run ended: a result was recorded, the run (or the grader) failed, or there is nothing to check. */
export type JobOutcome = 'success' | 'error' | 'no_check';
export const JOB_STEPS: readonly JobStep[] = ['started', 'queued', 'waiting', 'prepared', 'running', 'warning', 'finished', 'success', 'error', 'no_check'];
export const JOB_OUTCOMES: readonly JobOutcome[] = ['success', 'error', 'no_check'];

/** Fresh submissions before reruns: lower priority values are served first. */
export const PRIORITY_FRESH = 0;
export const PRIORITY_RERUN = 1;

/** What the runner hands back; stored as JSON on the job, exactly once. */
export interface JobResult {
  /** The terminal timeline step of this run; `success` when absent. */
  outcome?: JobOutcome;
  /** Text for the terminal step (its payload in the timeline). */
  summary?: string | null;
  [key: string]: unknown;
}

/** What a result recorder is told of the job it records (read in the completing UPDATE itself). */
/**
 * What changed about a job, told once the change committed: its new status and the timeline's
 * step that says so (with its time), with what listeners need to route it (no re-read).
 */
export interface JobChange {
  id: number;
  course_id: number;
  submission_id: number | null;
  status: JobStatus;
  step: JobStep;
  time: string;
}

export interface FinishedJob {
  id: number;
  exercise_id: number;
  submission_id: number | null;
  response_id: number | null;
}

export interface GradingJob {
  id: number;
  course_id: number;
  exercise_id: number;
  submission_id: number | null;
  response_id: number | null;
  kind: JobKind;
  priority: number;
  fair_rank: number;
  status: JobStatus;
  attempts: number;
  max_attempts: number;
  lease_owner: string | null;
  /** Running: when the lease runs out. Waiting: when the sandbox is checked again. */
  lease_until: Timestamp | null;
  payload: Record<string, unknown>;
  result: JobResult | null;
  error: string | null;
  created_at: Timestamp;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
}

export interface JobEvent {
  id: number;
  job_id: number;
  time: Timestamp;
  action: JobStep;
  payload: string | null;
}

export interface EnqueueInput {
  courseId: number;
  exerciseId: number;
  submissionId?: number | null;
  responseId?: number | null;
  /** `rerun` jobs (Hive `rerun_autochecks`, staff reruns) queue behind fresh submissions. */
  kind?: JobKind;
  /** What the runner needs to know (JSON). */
  payload?: Record<string, unknown>;
  maxAttempts?: number;
  /** The job's wall-time limit; pg-boss redelivers a job whose worker is silent past it (plus a margin). */
  wallSeconds?: number;
}

/** What a worker lends the runner while a job runs. */
export interface RunContext {
  /** Aborted when the worker lost its lease or is stopping: stop and throw. */
  signal: AbortSignal;
  /** Adds intermediate timeline steps (`prepared`, `running`), visible while the job runs; steps told together are one write. */
  report(...steps: ProgressStep[]): Promise<void>;
}

export interface ProgressStep {
  action: 'prepared' | 'running' | 'warning';
  payload?: string | null;
}

/**
 * Runs one job (in the sandbox, later) and returns its result. Throwing fails the attempt;
 * throwing `AssayError` of kind `unavailable` parks the job as `waiting` without counting an attempt.
 */
export type JobRunner = (job: GradingJob, context: RunContext) => Promise<JobResult>;

/** What happened to a failed attempt. */
export type FailOutcome = 'retry' | 'failed' | 'lost';

export type QueueDepth = Record<JobStatus, number>;

/**
 * A durable grading queue. Every state change is guarded by the worker's lease, so a result is
 * recorded once whatever the number of deliveries.
 */
export interface GradingQueue {
  readonly mode: 'embedded' | 'pgboss';
  /** Wait and run times and outcomes, observed by this process (see registerGradingMetrics). */
  readonly metrics: GradingMetrics;
  /** Prepares the delivery mechanism (pg-boss: its schema and queue); a no-op for the embedded queue. */
  start(): Promise<void>;
  /**
   * Adds a job (a submission's second enqueue returns its first job). Given `trx`, the job is
   * part of the caller's transaction: it exists (and is delivered) only if that commits.
   */
  enqueue(input: EnqueueInput, trx?: Db): Promise<GradingJob>;
  /** Several jobs in one transaction (a rerun of a whole exercise), ranked in the order given. */
  enqueueMany(inputs: EnqueueInput[], trx?: Db): Promise<GradingJob[]>;
  /** The next job for this worker, leased to it and marked running (`started`), or null. */
  claim(workerId: string): Promise<GradingJob | null>;
  /** Extends the lease; false when the worker no longer holds it. */
  heartbeat(jobId: number, workerId: string): Promise<boolean>;
  /** What a result means is written by this, in the transaction that completes the job. */
  setResultRecorder(recorder: (trx: Db, job: FinishedJob, result: JobResult) => Promise<void>): void;
  /** Records the result if this worker still holds the lease; false otherwise (nothing changes). */
  complete(jobId: number, workerId: string, result: JobResult): Promise<boolean>;
  /** A failed attempt: back to the queue, or `failed` after max_attempts. */
  fail(jobId: number, workerId: string, error: string): Promise<FailOutcome>;
  /** The sandbox is unavailable: park the job until the next recheck; the attempt does not count. */
  wait(jobId: number, workerId: string, reason: string): Promise<boolean>;
  /** Gives the job back untouched (the worker is stopping); the attempt does not count. */
  release(jobId: number, workerId: string, reason: string): Promise<boolean>;
  /** Adds a running job's intermediate timeline steps (see RunContext.report). */
  addProgress(job: Pick<GradingJob, 'id' | 'course_id' | 'submission_id'>, steps: ProgressStep[]): Promise<void>;
  events(jobId: number): Promise<JobEvent[]>;
  get(jobId: number): Promise<GradingJob | null>;
  depth(): Promise<QueueDepth>;
  /** Fails jobs that lost their worker too often and redelivers what lost its worker; returns jobs touched. */
  recover(): Promise<number>;
  /** Wakes this process's idle workers: for callers that enqueued inside their own transaction, once it has committed. */
  wake(): void;
  /** Listeners called after each enqueue in this process (in-process workers wake up at once). */
  onEnqueued(listener: () => void): void;
  /**
   * Listeners told what changed about a job (its status or timeline), after the change committed:
   * changes made by this process's workers, and those the grading thread relays (jobChanged).
   * Returns the way to stop listening.
   */
  onJobChanged(listener: (change: JobChange) => void): () => void;
  /** Tells the listeners of a change made elsewhere (the grading thread's workers). */
  jobChanged(change: JobChange): void;
  close(): Promise<void>;
}
