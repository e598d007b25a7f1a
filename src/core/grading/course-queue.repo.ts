import type { ExpressionBuilder } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { Database } from '../../db/types.ts';

/** The statuses of a job still to be run (queued, parked until the sandbox is back, or running). */
export const ACTIVE_JOB_STATUSES = ['queued', 'waiting', 'running'] as const;

type JobsBuilder = ExpressionBuilder<Database & { g: Database['grading_jobs'] }, 'g'>;

/** At most this many jobs are listed on a course's queue (the counts are exact). */
export const QUEUE_LIST_LIMIT = 500;

/** A failed job nobody has run again: no later job of the same submission (or response) exists. */
const failedNotRerun = (eb: JobsBuilder) =>
  eb.and([
    eb('g.status', '=', 'failed'),
    eb.not(
      eb.exists(
        eb
          .selectFrom('grading_jobs as later')
          .select('later.id')
          .whereRef('later.id', '>', 'g.id')
          .where((l) => l.or([l('later.submission_id', '=', l.ref('g.submission_id')), l('later.response_id', '=', l.ref('g.response_id'))])),
      ),
    ),
  ]);

/** What a course's grading queue shows: jobs waiting or running, and failed ones not run again since. */
const onQueue = (eb: JobsBuilder) => eb.or([eb('g.status', 'in', ACTIVE_JOB_STATUSES), failedNotRerun(eb)]);

/** Queries of the staff's view of the grading queue: a course's jobs, their waits, an exercise's rerun. */
export const courseQueueRepo = {
  /** The course's jobs on the queue (see onQueue), oldest first, with their exercise and the submitter. */
  jobs(db: Db, courseId: number) {
    return db
      .selectFrom('grading_jobs as g')
      .innerJoin('exercises as e', 'e.id', 'g.exercise_id')
      .leftJoin('submissions as s', 's.id', 'g.submission_id')
      .leftJoin('users as u', 'u.id', 's.user_id')
      .select([
        'g.id',
        'g.exercise_id',
        'e.name as exercise_name',
        'g.submission_id',
        's.number as submission_number',
        'u.id as user_id',
        'u.username',
        'u.first_name',
        'u.last_name',
        'g.kind',
        'g.status',
        'g.attempts',
        'g.max_attempts',
        'g.error',
        'g.created_at',
        'g.started_at',
        'g.finished_at',
      ])
      .where('g.course_id', '=', courseId)
      .where(onQueue)
      .orderBy('g.id')
      .limit(QUEUE_LIST_LIMIT)
      .execute();
  },

  /** How many of the course's jobs on the queue have each status. */
  async counts(db: Db, courseId: number): Promise<Map<string, number>> {
    const rows = await db
      .selectFrom('grading_jobs as g')
      .select(['g.status', (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('g.course_id', '=', courseId)
      .where(onQueue)
      .groupBy('g.status')
      .execute();
    return new Map(rows.map((r) => [r.status, Number(r.n)]));
  },

  /** When each of the course's jobs that started since `since` was queued and started. */
  startedSince(db: Db, courseId: number, since: string) {
    return db.selectFrom('grading_jobs').select(['created_at', 'started_at']).where('course_id', '=', courseId).where('started_at', '>=', since).execute();
  },

  /** The course's failed jobs not run again since, all of them or those of `ids`, with what a new job needs. */
  failed(db: Db, courseId: number, ids: number[] | null) {
    let q = db
      .selectFrom('grading_jobs as g')
      .select(['g.id', 'g.course_id', 'g.exercise_id', 'g.submission_id', 'g.response_id', 'g.payload'])
      .where('g.course_id', '=', courseId)
      .where(failedNotRerun);
    if (ids !== null) q = q.where('g.id', 'in', ids);
    return q.orderBy('g.id').execute();
  },

  /** How many of the exercise's rerun jobs queued since `since` have each status. */
  async rerunsSince(db: Db, exerciseId: number, since: string): Promise<Map<string, number>> {
    const rows = await db
      .selectFrom('grading_jobs')
      .select(['status', (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('exercise_id', '=', exerciseId)
      .where('kind', '=', 'rerun')
      .where('created_at', '>=', since)
      .groupBy('status')
      .execute();
    return new Map(rows.map((r) => [r.status, Number(r.n)]));
  },
};
