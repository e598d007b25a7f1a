import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import { heldBy } from '../assignments/claim.repo.ts';

/** A student's assignment on an exercise, as their progress shows it. */
export interface ProgressAssignment {
  id: number;
  exercise_id: number;
  status: string;
  /** Submissions made (the highest number). */
  submissions: number;
  latest_submission_id: number | null;
}

/** The queries behind a student's progress: their assignments, scores, courses. */
export const progressRepo = {
  /** The user's assignments (own, or as a group's candidate) on these exercises; the own one when both. */
  async assignments(db: Db, userId: number, exerciseIds: number[]): Promise<ProgressAssignment[]> {
    if (exerciseIds.length === 0) return [];
    const rows = await db
      .selectFrom('assignments as a')
      .select([
        'a.id',
        'a.exercise_id',
        'a.status',
        'a.user_id',
        (eb) => eb.selectFrom('submissions as s').select((e) => e.fn.max('s.number').as('n')).whereRef('s.assignment_id', '=', 'a.id').as('submissions'),
        (eb) => eb.selectFrom('submissions as s').select('s.id').whereRef('s.assignment_id', '=', 'a.id').orderBy('s.number', 'desc').limit(1).as('latest_submission_id'),
      ])
      .where('a.exercise_id', 'in', exerciseIds)
      .where(heldBy(userId))
      .orderBy(sql`CASE WHEN a.user_id = ${userId} THEN 0 ELSE 1 END`)
      .orderBy('a.id')
      .execute();
    const byExercise = new Map<number, ProgressAssignment>();
    for (const r of rows) {
      if (byExercise.has(r.exercise_id)) continue;
      byExercise.set(r.exercise_id, {
        id: r.id,
        exercise_id: r.exercise_id,
        status: r.status,
        submissions: Number(r.submissions ?? 0),
        latest_submission_id: r.latest_submission_id ?? null,
      });
    }
    return [...byExercise.values()];
  },

  /** The score of each submission: its latest released feedback that gives points (automatic or a person's). */
  async scores(db: Db, submissionIds: number[]): Promise<Map<number, number>> {
    if (submissionIds.length === 0) return new Map();
    const rows = await db
      .selectFrom('feedback')
      .select(['submission_id', 'points'])
      .where('submission_id', 'in', submissionIds)
      .where('released', '=', true)
      .where('points', 'is not', null)
      .orderBy('id')
      .execute();
    return new Map(rows.map((r) => [r.submission_id, Number(r.points)]));
  },

  /** The most points an exercise gives: the sum of its problems' maximums (exercises without problems are missing). */
  async maxScores(db: Db, exerciseIds: number[]): Promise<Map<number, number>> {
    if (exerciseIds.length === 0) return new Map();
    const rows = await db
      .selectFrom('problems')
      .select(['exercise_id', (eb) => eb.fn.sum<number>('max_score').as('total')])
      .where('exercise_id', 'in', exerciseIds)
      .groupBy('exercise_id')
      .execute();
    return new Map(rows.map((r) => [r.exercise_id, Number(r.total)]));
  },

  courses(db: Db, ids: number[]) {
    if (ids.length === 0) return Promise.resolve([]);
    return db.selectFrom('courses').select(['id', 'slug', 'name', 'semester']).where('id', 'in', ids).orderBy('name').orderBy('id').execute();
  },

  /** The grader's limits of an exercise, if it has one. */
  graderLimits(db: Db, exerciseId: number) {
    return db.selectFrom('graders').select(['wall_seconds', 'memory_mb']).where('exercise_id', '=', exerciseId).executeTakeFirst();
  },

  /** How many queued jobs are served before this one (same order as the queue's claims). */
  async jobsAhead(db: Db, jobId: number): Promise<number | null> {
    const job = await db.selectFrom('grading_jobs').select(['status', 'priority', 'fair_rank']).where('id', '=', jobId).executeTakeFirst();
    if (!job || job.status !== 'queued') return null;
    const row = await db
      .selectFrom('grading_jobs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '=', 'queued')
      .where((eb) =>
        eb.or([
          eb('priority', '<', job.priority),
          eb.and([eb('priority', '=', job.priority), eb('fair_rank', '<', job.fair_rank)]),
          eb.and([eb('priority', '=', job.priority), eb('fair_rank', '=', job.fair_rank), eb('id', '<', jobId)]),
        ]),
      )
      .executeTakeFirstOrThrow();
    return Number(row.n);
  },
};

/** Names of people shown beside what they wrote. */
export const peopleRepo = {
  async names(db: Db, ids: number[]): Promise<Map<number, { first_name: string; last_name: string; username: string }>> {
    const wanted = [...new Set(ids)];
    if (wanted.length === 0) return new Map();
    const rows = await db.selectFrom('users').select(['id', 'first_name', 'last_name', 'username']).where('id', 'in', wanted).execute();
    return new Map(rows.map((r) => [r.id, r]));
  },
};
