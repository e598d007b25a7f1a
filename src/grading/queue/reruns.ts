import type { Db } from '../../db/database.ts';
import { rerunTargets } from './jobs.repo.ts';
import type { GradingJob, GradingQueue } from './types.ts';

/**
 * Staff rerun of a whole exercise: one `rerun` job for the latest submission of each assignment,
 * queued behind fresh submissions. A submission that already has a job waiting to start is
 * skipped, so pressing the button twice queues nothing twice. Permission checks are the caller's.
 */
export async function rerunExercise(db: Db, queue: GradingQueue, exerciseId: number): Promise<GradingJob[]> {
  const targets = await rerunTargets(db, exerciseId);
  if (!targets) return [];
  const { exercise, latest } = targets;
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
