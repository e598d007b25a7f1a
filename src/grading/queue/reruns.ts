import type { Kysely } from 'kysely';
import type { Database } from '../../db/types.ts';
import type { GradingJob, GradingQueue } from './types.ts';

/**
 * Staff rerun of a whole exercise: one `rerun` job for the latest submission of each assignment,
 * queued behind fresh submissions. A submission that already has a job waiting to start is
 * skipped, so pressing the button twice queues nothing twice. Permission checks are the caller's.
 */
export async function rerunExercise(db: Kysely<Database>, queue: GradingQueue, exerciseId: number): Promise<GradingJob[]> {
  const exercise = await db.selectFrom('exercises').select(['id', 'course_id']).where('id', '=', exerciseId).executeTakeFirst();
  if (!exercise) return [];
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
  return queue.enqueueMany(
    latest.map((s) => ({
      courseId: exercise.course_id,
      exerciseId,
      submissionId: s.id,
      responseId: s.response_id,
      kind: 'rerun' as const,
      payload: { submission_id: s.id, assignment_id: s.assignment_id, reason: 'exercise rerun' },
    })),
  );
}
