import type { Selectable } from 'kysely';
import type { RawBuilder } from 'kysely';
import { sql } from 'kysely';
import type { Clock } from '../../core/clock.ts';
import { addSeconds } from '../../core/clock.ts';
import type { Engine } from '../../db/columns.ts';
import { RELAXED_COMMIT } from '../../db/relaxed-commit.ts';
import type { Db } from '../../db/database.ts';
import type { GradingJobsTable } from '../../db/types.ts';
import type { GradingMetrics } from './metrics.ts';
import type { EnqueueInput, FailOutcome, FinishedJob, GradingJob, JobChange, JobEvent, JobKind, JobResult, JobStatus, JobStep, QueueDepth } from './types.ts';
import { JOB_STATUSES, PRIORITY_FRESH, PRIORITY_RERUN } from './types.ts';

/** A database handle or an open transaction on it. */
export type Executor = Db;

export interface QueueSettings {
  leaseSeconds: number;
  maxAttempts: number;
  recheckSeconds: number;
}

type Row = Selectable<GradingJobsTable>;

export function toJob(row: Row): GradingJob {
  return {
    ...row,
    kind: row.kind as JobKind,
    status: row.status as JobStatus,
    payload: JSON.parse(row.payload) as Record<string, unknown>,
    result: row.result === null ? null : (JSON.parse(row.result) as JobResult),
  };
}

/** A job's change as listeners are told it (JobChange). */
function changeOf(job: { id: number; course_id: number; submission_id: number | null }, status: JobStatus, step: JobStep, time: string): JobChange {
  return { id: job.id, course_id: job.course_id, submission_id: job.submission_id, status, step, time };
}

/** Events and metrics that may only be told once the transaction that caused them committed. */
export type AfterCommit = (() => void)[];

/** Called once per job, inside the transaction that marks it done (so its writes happen exactly once). */
export type ResultRecorder = (trx: Executor, job: FinishedJob, result: JobResult) => Promise<void>;

/** The `started` step of a claim, in SQL (PostgreSQL's claim writes it in the claiming statement) and in JavaScript. */
const STARTED_TEXT = sql<string>`'attempt ' || attempts || ' of ' || max_attempts || ' by ' || lease_owner`;
const startedText = (row: Pick<Row, 'attempts' | 'max_attempts' | 'lease_owner'>) => `attempt ${row.attempts} of ${row.max_attempts} by ${row.lease_owner}`;

/** How often a claim looks for an overdue job before a queued one (see claimNext). */
const OVERDUE_FIRST_EVERY = 16;

/**
 * The lease table: every query on `grading_jobs` and its timeline. Each state change of a
 * running job is guarded by `status = 'running' AND lease_owner = <worker>`, so of two workers
 * that both believe they hold a job, only the one that still does changes it.
 *
 * On PostgreSQL a worker's claim, progress and completion commit without waiting for the disk
 * (RELAXED_COMMIT). A crash may lose such a commit, which leaves the job as it was before it
 * (queued, or running under a lease that runs out): the job is then run again and its result
 * recorded once, as after a lost worker. Nobody was answered that such a write is durable, and a
 * worker does not wait for an fsync between two jobs.
 */
export class JobStore {
  private claimsSinceOverdueFirst = OVERDUE_FIRST_EVERY;
  /** Writes what a result means (grades, feedback, dialect records) in the transaction that completes the job. */
  recorder: ResultRecorder | null = null;
  /** Told what changed about a job (status, timeline), once the change is committed. */
  onChange: ((change: JobChange) => void) | null = null;

  constructor(
    readonly db: Db,
    readonly engine: Engine,
    readonly clock: Clock,
    readonly settings: QueueSettings,
    readonly metrics: GradingMetrics,
  ) {}

  /**
   * Inserts a job (or finds the job its submission already has). Its fair rank puts it after
   * the jobs its course already has waiting, but never behind the point the queue is serving:
   * a course's burst lines up behind itself while another course's first job goes almost next.
   */
  async insert(trx: Executor, input: EnqueueInput): Promise<{ job: GradingJob; created: boolean }> {
    const kind = input.kind ?? 'submission';
    const priority = kind === 'rerun' ? PRIORITY_RERUN : PRIORITY_FRESH;
    const inserted = await trx
      .insertInto('grading_jobs')
      .values({
        course_id: input.courseId,
        exercise_id: input.exerciseId,
        submission_id: input.submissionId ?? null,
        response_id: input.responseId ?? null,
        kind,
        priority,
        fair_rank: this.fairRank(input.courseId, priority),
        status: 'queued',
        attempts: 0,
        max_attempts: input.maxAttempts ?? this.settings.maxAttempts,
        payload: JSON.stringify(input.payload ?? {}),
        created_at: this.clock.now(),
      })
      // The conflict target names the partial index's predicate literally (SQLite matches it as written).
      .onConflict((oc) => oc.column('submission_id').where(sql.ref('kind'), '=', sql.lit('submission')).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (inserted) return { job: toJob(inserted), created: true };
    const existing = await trx
      .selectFrom('grading_jobs')
      .selectAll()
      .where('submission_id', '=', input.submissionId ?? null)
      .where('kind', '=', 'submission')
      .executeTakeFirstOrThrow();
    return { job: toJob(existing), created: false };
  }

  /**
   * The rank, computed inside the INSERT so that the statement writes first: on SQLite a
   * transaction that reads before it writes can lose its snapshot to another process's write.
   */
  private fairRank(courseId: number, priority: number) {
    const greatest = this.engine === 'postgres' ? sql.raw('GREATEST') : sql.raw('MAX');
    return sql<number>`${greatest}(
      COALESCE((SELECT MIN(fair_rank) FROM grading_jobs WHERE status = 'queued' AND priority = ${priority}), 0),
      COALESCE((SELECT MAX(fair_rank) + 1 FROM grading_jobs
                WHERE course_id = ${courseId} AND status IN ('queued', 'running', 'waiting') AND priority = ${priority}), 0))`;
  }

  /**
   * Jobs to take back before the queue: running ones whose lease ran out (unless that was their
   * last attempt: recover fails those) and waiting ones due a recheck (any waiting one when
   * pg-boss delivered it, since that delivery is the recheck).
   */
  private overdue(now: string, anyWaiting = false) {
    const waiting = anyWaiting ? sql`status = 'waiting'` : sql`(status = 'waiting' AND lease_until < ${now})`;
    return sql<boolean>`((status = 'running' AND lease_until < ${now} AND attempts < max_attempts) OR ${waiting})`;
  }

  /**
   * Leases the next job to `workerId`: the first queued one in (priority, fair_rank, id) order,
   * else an overdue one; every OVERDUE_FIRST_EVERY-th claim looks for an overdue one first (they
   * have waited longest). Overdue jobs are rare, and a look that finds none is a statement on
   * every claim of a busy queue for nothing; the recovery pass takes them back meanwhile anyway.
   * Each look is one UPDATE of the row a subquery picks; on PostgreSQL the subquery skips rows
   * other claimers hold locked, and the look is a single statement that also writes the timeline's
   * `started` and commits without waiting for the disk (see the class): a worker claims in
   * one round trip.
   */
  async claimNext(workerId: string): Promise<GradingJob | null> {
    const now = this.clock.now();
    const queued = sql<boolean>`status = 'queued'`;
    const overdueFirst = ++this.claimsSinceOverdueFirst >= OVERDUE_FIRST_EVERY;
    if (overdueFirst) this.claimsSinceOverdueFirst = 0;
    for (const which of overdueFirst ? [this.overdue(now), queued] : [queued, this.overdue(now)]) {
      if (this.engine === 'postgres') {
        const row = await this.claimOnPostgres(workerId, now, which);
        if (row) return this.claimedOnPostgres(row);
        continue;
      }
      const job = await this.transaction(async (trx, after) => {
        const next = trx.selectFrom('grading_jobs').select('id').where(which).orderBy('priority').orderBy('fair_rank').orderBy('id').limit(1);
        const row = await this.lease(trx, workerId, now).where('id', '=', next).returningAll().executeTakeFirst();
        return row ? this.claimed(trx, row, after) : null;
      });
      if (job) return job;
    }
    return null;
  }

  private async claimOnPostgres(workerId: string, now: string, which: RawBuilder<boolean>): Promise<Row | undefined> {
    const result = await sql<Row>`WITH ${RELAXED_COMMIT},
      claimed AS (
        UPDATE grading_jobs
        SET status = 'running', lease_owner = ${workerId}, lease_until = ${addSeconds(now, this.settings.leaseSeconds)},
            attempts = attempts + 1, started_at = ${now}, error = NULL
        FROM relaxed
        WHERE id = (SELECT id FROM grading_jobs WHERE ${which} ORDER BY priority, fair_rank, id LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING grading_jobs.*),
      started AS (
        INSERT INTO grading_job_events (job_id, time, action, payload)
        SELECT id, started_at, 'started', ${STARTED_TEXT} FROM claimed)
      SELECT * FROM claimed`.execute(this.db);
    return result.rows[0];
  }

  private claimedOnPostgres(row: Row): GradingJob {
    if (row.attempts === 1 && row.started_at) this.metrics.observeWait(row.created_at, row.started_at);
    this.onChange?.(changeOf(row, 'running', 'started', row.started_at!));
    return toJob(row);
  }

  /**
   * Leases one given job (pg-boss delivered it). A waiting job is taken whatever its recheck
   * time, since its delivery is the recheck.
   */
  async claimById(
    trx: Executor,
    jobId: number,
    workerId: string,
    after: AfterCommit,
  ): Promise<{ job: GradingJob } | { job: null; status: JobStatus | null }> {
    const now = this.clock.now();
    const row = await this.lease(trx, workerId, now)
      .where('id', '=', jobId)
      .where((eb) => eb.or([eb('status', '=', 'queued'), this.overdue(now, true)]))
      .returningAll()
      .executeTakeFirst();
    if (row) return { job: await this.claimed(trx, row, after) };
    const current = await trx.selectFrom('grading_jobs').select('status').where('id', '=', jobId).executeTakeFirst();
    return { job: null, status: (current?.status as JobStatus | undefined) ?? null };
  }

  private lease(trx: Executor, workerId: string, now: string) {
    return trx.updateTable('grading_jobs').set((eb) => ({
      status: 'running',
      lease_owner: workerId,
      lease_until: addSeconds(now, this.settings.leaseSeconds),
      attempts: eb('attempts', '+', 1),
      started_at: now,
      error: null,
    }));
  }

  private async claimed(trx: Executor, row: Row, after: AfterCommit): Promise<GradingJob> {
    await this.addEvent(trx, row.id, 'started', startedText(row), row.started_at!);
    this.changed(after, changeOf(row, 'running', 'started', row.started_at!));
    if (row.attempts === 1 && row.started_at) {
      const startedAt = row.started_at;
      after.push(() => this.metrics.observeWait(row.created_at, startedAt));
    }
    return toJob(row);
  }

  /** A timestamp parameter typed for the engine (PostgreSQL cannot infer it inside CASE). */
  private timestamp(t: string) {
    return this.engine === 'postgres' ? sql`CAST(${t} AS timestamptz)` : sql`${t}`;
  }

  private guarded(trx: Executor, jobId: number, workerId: string) {
    return trx.updateTable('grading_jobs').where('id', '=', jobId).where('status', '=', 'running').where('lease_owner', '=', workerId);
  }

  async heartbeat(trx: Executor, jobId: number, workerId: string): Promise<boolean> {
    const now = this.clock.now();
    const r = await this.guarded(trx, jobId, workerId)
      .set({ lease_until: addSeconds(now, this.settings.leaseSeconds) })
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /**
   * Marks the job done with its result, records what the result means (the recorder) and ends its
   * timeline, all in the caller's transaction. On PostgreSQL the row change and the timeline are one
   * statement, which also lets the transaction commit without waiting for the disk (see the
   * class).
   */
  async complete(trx: Executor, jobId: number, workerId: string, result: JobResult, after: AfterCommit): Promise<boolean> {
    const now = this.clock.now();
    const outcome = result.outcome ?? 'success';
    const summary = result.summary ?? null;
    const row = this.engine === 'postgres' ? await this.completeOnPostgres(trx, jobId, workerId, result, now) : await this.markDone(trx, jobId, workerId, result, now);
    if (!row) return false;
    if (this.recorder) await this.recorder(trx, row, result);
    if (this.engine !== 'postgres') {
      await trx
        .insertInto('grading_job_events')
        .values([
          { job_id: jobId, time: now, action: 'finished', payload: null },
          { job_id: jobId, time: now, action: outcome, payload: summary },
        ])
        .execute();
    }
    after.push(() => this.metrics.observeEnd(outcome, row.started_at, now));
    this.changed(after, changeOf(row, 'done', outcome, now));
    return true;
  }

  private markDone(trx: Executor, jobId: number, workerId: string, result: JobResult, now: string) {
    return this.guarded(trx, jobId, workerId)
      .set({ status: 'done', result: JSON.stringify(result), finished_at: now, lease_owner: null, lease_until: null, error: null })
      .returning(['id', 'course_id', 'exercise_id', 'submission_id', 'response_id', 'started_at'])
      .executeTakeFirst();
  }

  private async completeOnPostgres(trx: Executor, jobId: number, workerId: string, result: JobResult, now: string) {
    const done = await sql<FinishedJob & { course_id: number; started_at: string | null }>`WITH ${RELAXED_COMMIT},
      done AS (
        UPDATE grading_jobs
        SET status = 'done', result = ${JSON.stringify(result)}, finished_at = ${now}, lease_owner = NULL, lease_until = NULL, error = NULL
        FROM relaxed
        WHERE id = ${jobId} AND status = 'running' AND lease_owner = ${workerId}
        RETURNING id, course_id, exercise_id, submission_id, response_id, started_at, finished_at),
      told AS (
        INSERT INTO grading_job_events (job_id, time, action, payload)
        SELECT done.id, done.finished_at, e.action, e.payload
        FROM done CROSS JOIN (VALUES (1, 'finished', NULL), (2, ${result.outcome ?? 'success'}, ${result.summary ?? null})) AS e (n, action, payload)
        ORDER BY e.n)
      SELECT id, course_id, exercise_id, submission_id, response_id, started_at FROM done`.execute(trx);
    return done.rows[0];
  }

  async fail(trx: Executor, jobId: number, workerId: string, error: string, after: AfterCommit): Promise<FailOutcome> {
    const now = this.clock.now();
    const row = await this.guarded(trx, jobId, workerId)
      .set({
        status: sql`CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END`,
        finished_at: sql`CASE WHEN attempts >= max_attempts THEN ${this.timestamp(now)} ELSE NULL END`,
        lease_owner: null,
        lease_until: null,
        error,
      })
      .returning(['course_id', 'submission_id', 'status', 'attempts', 'max_attempts', 'started_at'])
      .executeTakeFirst();
    if (!row) return 'lost';
    const outcome = row.status === 'failed' ? 'failed' : 'retry';
    const text =
      outcome === 'failed'
        ? `failed after ${row.attempts} attempts: ${error}`
        : `attempt ${row.attempts} of ${row.max_attempts} failed, queued again: ${error}`;
    await this.addEvent(trx, jobId, 'error', text, now);
    after.push(() => this.metrics.observeEnd(outcome, row.started_at, now));
    this.changed(after, changeOf({ ...row, id: jobId }, row.status as JobStatus, 'error', now));
    return outcome;
  }

  /** Parks a running job until the next recheck; the attempt is given back. */
  async wait(trx: Executor, jobId: number, workerId: string, reason: string, after: AfterCommit): Promise<boolean> {
    const now = this.clock.now();
    const row = await this.guarded(trx, jobId, workerId)
      .set((eb) => ({
        status: 'waiting',
        attempts: eb('attempts', '-', 1),
        lease_owner: null,
        lease_until: addSeconds(now, this.settings.recheckSeconds),
        error: reason,
      }))
      .returning(['course_id', 'submission_id', 'started_at'])
      .executeTakeFirst();
    if (!row) return false;
    await this.addEvent(trx, jobId, 'waiting', `waiting: ${reason}`, now);
    after.push(() => this.metrics.observeEnd('waiting', row.started_at, now));
    this.changed(after, changeOf({ ...row, id: jobId }, 'waiting', 'waiting', now));
    return true;
  }

  /** Puts a running job back in the queue as it was; the attempt is given back. */
  async release(trx: Executor, jobId: number, workerId: string, reason: string, after: AfterCommit): Promise<boolean> {
    const now = this.clock.now();
    const row = await this.guarded(trx, jobId, workerId)
      .set((eb) => ({ status: 'queued', attempts: eb('attempts', '-', 1), lease_owner: null, lease_until: null }))
      .returning(['course_id', 'submission_id', 'started_at'])
      .executeTakeFirst();
    if (!row) return false;
    await this.addEvent(trx, jobId, 'queued', `queued again: ${reason}`, now);
    after.push(() => this.metrics.observeEnd('released', row.started_at, now));
    this.changed(after, changeOf({ ...row, id: jobId }, 'queued', 'queued', now));
    return true;
  }

  /** Running jobs whose worker went silent after their last allowed attempt end `failed`. */
  async failLost(trx: Executor, after: AfterCommit): Promise<number[]> {
    const now = this.clock.now();
    const rows = await trx
      .updateTable('grading_jobs')
      .set({ status: 'failed', finished_at: now, lease_owner: null, lease_until: null, error: 'the worker running it stopped responding' })
      .where('status', '=', 'running')
      .where('lease_until', '<', now)
      .where((eb) => eb('attempts', '>=', eb.ref('max_attempts')))
      .returning(['id', 'course_id', 'submission_id', 'attempts', 'started_at'])
      .execute();
    for (const r of rows) {
      await this.addEvent(trx, r.id, 'error', `failed after ${r.attempts} attempts: the worker running it stopped responding`, now);
      after.push(() => this.metrics.observeEnd('failed', r.started_at, now));
      this.changed(after, changeOf(r, 'failed', 'error', now));
    }
    return rows.map((r) => r.id);
  }

  /** Running jobs whose worker went silent go back to the queue (pg-boss then delivers them again). */
  async requeueExpired(trx: Executor, after: AfterCommit): Promise<Pick<GradingJob, 'id' | 'priority' | 'fair_rank'>[]> {
    const now = this.clock.now();
    const rows = await trx
      .updateTable('grading_jobs')
      .set({ status: 'queued', lease_owner: null, lease_until: null })
      .where('status', '=', 'running')
      .where('lease_until', '<', now)
      .where((eb) => eb('attempts', '<', eb.ref('max_attempts')))
      .returning(['id', 'course_id', 'submission_id', 'priority', 'fair_rank', 'started_at'])
      .execute();
    for (const r of rows) {
      await this.addEvent(trx, r.id, 'queued', 'queued again: the worker running it stopped responding', now);
      after.push(() => this.metrics.observeEnd('retry', r.started_at, now));
      this.changed(after, changeOf(r, 'queued', 'queued', now));
    }
    return rows.map(({ id, priority, fair_rank }) => ({ id, priority, fair_rank }));
  }

  /** Tells onChange about the change once the transaction has committed. */
  private changed(after: AfterCommit, change: JobChange): void {
    after.push(() => this.onChange?.(change));
  }

  async addEvent(trx: Executor, jobId: number, action: JobStep, payload: string | null = null, time = this.clock.now()): Promise<void> {
    await trx.insertInto('grading_job_events').values({ job_id: jobId, time, action, payload }).execute();
  }

  /**
   * Timeline steps a worker reports while it runs a job (prepared, running), as one statement. On
   * PostgreSQL its commit does not wait for the disk: a step lost in a crash is a missing line in
   * the timeline of a job that is run again anyway.
   */
  async addProgress(job: Pick<GradingJob, 'id' | 'course_id' | 'submission_id'>, steps: { action: JobStep; payload: string | null }[]): Promise<void> {
    if (steps.length === 0) return;
    const jobId = job.id;
    const time = this.clock.now();
    const change = changeOf(job, 'running', steps.at(-1)!.action, time);
    if (this.engine !== 'postgres') {
      await this.db.insertInto('grading_job_events').values(steps.map((s) => ({ job_id: jobId, time, action: s.action, payload: s.payload }))).execute();
      this.onChange?.(change);
      return;
    }
    const rows = sql.join(steps.map((s, i) => sql`(${i}, ${s.action}, ${s.payload})`));
    await sql`WITH ${RELAXED_COMMIT}
      INSERT INTO grading_job_events (job_id, time, action, payload)
      SELECT ${jobId}, CAST(${time} AS timestamptz), e.action, e.payload FROM relaxed CROSS JOIN (VALUES ${rows}) AS e (n, action, payload)
      ORDER BY e.n`.execute(this.db);
    this.onChange?.(change);
  }

  /** The job's place in the queue. */
  rank(trx: Executor, jobId: number): Promise<Pick<GradingJob, 'id' | 'priority' | 'fair_rank'>> {
    return trx.selectFrom('grading_jobs').select(['id', 'priority', 'fair_rank']).where('id', '=', jobId).executeTakeFirstOrThrow();
  }

  /**
   * Queued jobs, and waiting ones due a recheck, that pg-boss holds no open delivery for (in its
   * table `bossJobTable`, queue `queueName`).
   */
  undelivered(trx: Executor, bossJobTable: string, queueName: string, now: string): Promise<Pick<GradingJob, 'id' | 'priority' | 'fair_rank'>[]> {
    return trx
      .selectFrom('grading_jobs as g')
      .select(['g.id', 'g.priority', 'g.fair_rank'])
      .where((eb) => eb.or([eb('g.status', '=', 'queued'), eb.and([eb('g.status', '=', 'waiting'), eb('g.lease_until', '<', now)])]))
      .where(
        sql<boolean>`NOT EXISTS (SELECT 1 FROM ${sql.table(bossJobTable)} j
          WHERE j.name = ${queueName} AND j.state < 'completed' AND (j.data->>'gradingJobId')::int = g.id)`,
      )
      .execute();
  }

  async events(jobId: number): Promise<JobEvent[]> {
    const rows = await this.db.selectFrom('grading_job_events').selectAll().where('job_id', '=', jobId).orderBy('id').execute();
    return rows.map((r) => ({ ...r, action: r.action as JobStep }));
  }

  async get(jobId: number): Promise<GradingJob | null> {
    const row = await this.db.selectFrom('grading_jobs').selectAll().where('id', '=', jobId).executeTakeFirst();
    return row ? toJob(row) : null;
  }

  async depth(): Promise<QueueDepth> {
    const rows = await this.db
      .selectFrom('grading_jobs')
      .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('status')
      .execute();
    const depth = Object.fromEntries(JOB_STATUSES.map((s) => [s, 0])) as QueueDepth;
    for (const r of rows) depth[r.status as JobStatus] = Number(r.n);
    return depth;
  }

  /**
   * Runs `work` in a transaction (or in the caller's `outer` one), then tells what it caused
   * (metrics) once it committed.
   */
  async transaction<T>(work: (trx: Executor, after: AfterCommit) => Promise<T>, outer?: Executor): Promise<T> {
    const after: AfterCommit = [];
    const out = outer ? await work(outer, after) : await this.db.transaction().execute((trx) => work(trx, after));
    for (const f of after) f();
    return out;
  }

}

/**
 * A rerun's targets: the exercise's course and the latest submission of each of its assignments
 * that has no job waiting to start; null when the exercise does not exist.
 */
export async function rerunTargets(db: Db, exerciseId: number) {
  const exercise = await db.selectFrom('exercises').select(['id', 'course_id']).where('id', '=', exerciseId).executeTakeFirst();
  if (!exercise) return null;
  const latest = await db
    .selectFrom('submissions as s')
    .innerJoin('assignments as a', 'a.id', 's.assignment_id')
    .select(['s.id', 's.response_id', 's.assignment_id', 's.number'])
    .where('a.exercise_id', '=', exerciseId)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('submissions as newer')
            .select('newer.id')
            .whereRef('newer.assignment_id', '=', 's.assignment_id')
            .whereRef('newer.number', '>', 's.number'),
        ),
      ),
    )
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('grading_jobs as g').select('g.id').whereRef('g.submission_id', '=', 's.id').where('g.status', 'in', ['queued', 'waiting']))),
    )
    .orderBy('s.id')
    .execute();
  return { exercise, latest };
}
