import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Engine } from '../columns.ts';
import type { TableSpec } from '../table-spec.ts';
import { createTable, opt, ref, req } from '../table-spec.ts';

/**
 * The durable grading queue: one row per job (its lease, attempts, result) and its timeline.
 * Dequeue order is (priority, fair_rank, id); a lease that ran out makes a running job claimable again.
 */
const gradingJobs = {
  name: 'grading_jobs',
  columns: {
    course_id: ref('courses'),
    exercise_id: ref('exercises'),
    submission_id: ref('submissions', false, { onDelete: 'cascade' }),
    response_id: ref('responses', false, { onDelete: 'cascade' }),
    kind: req('text'),
    priority: req('int', { default: 0 }),
    fair_rank: req('int', { default: 0 }),
    status: req('text', { default: 'queued' }),
    attempts: req('int', { default: 0 }),
    max_attempts: req('int', { default: 3 }),
    lease_owner: opt('text'),
    /** Running: the lease runs out then. Waiting: the next recheck of the sandbox is due then. */
    lease_until: opt('timestamp'),
    payload: req('json'),
    result: opt('json'),
    error: opt('text'),
    created_at: req('timestamp'),
    started_at: opt('timestamp'),
    finished_at: opt('timestamp'),
  },
  indexes: [
    // claim: the next queued job in dequeue order; the fairness floor (min rank of queued jobs).
    ['status', 'priority', 'fair_rank', 'id'],
    // claim and recover: running jobs whose lease ran out, waiting jobs due for a recheck.
    ['status', 'lease_until'],
    // enqueue: the highest rank a course already holds.
    ['course_id', 'status', 'priority', 'fair_rank'],
  ],
  checks: [
    "kind IN ('submission', 'rerun')",
    "status IN ('queued', 'running', 'done', 'failed', 'waiting')",
  ],
} as const satisfies TableSpec;

const gradingJobEvents = {
  name: 'grading_job_events',
  columns: {
    job_id: ref('grading_jobs'),
    time: req('timestamp'),
    action: req('text'),
    payload: opt('text'),
  },
  indexes: [['job_id', 'id']],
} as const satisfies TableSpec;

export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  const existing = new Set(['courses', 'exercises', 'submissions', 'responses']);
  await createTable(db, engine, gradingJobs, existing);
  await createTable(db, engine, gradingJobEvents, existing);
  // "A submission enqueues one job": a second enqueue of the same submission finds the first.
  await db.schema
    .createIndex('grading_jobs_one_per_submission')
    .on('grading_jobs')
    .column('submission_id')
    .unique()
    .where(sql.ref('kind'), '=', sql.lit('submission'))
    .execute();
}
