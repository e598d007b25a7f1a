import type { GradingQueue, JobStatus } from '../../grading/queue/index.ts';
import type { Db } from '../../db/database.ts';
import type { Actor } from '../actor.ts';
import type { Clock, Timestamp } from '../clock.ts';
import { addSeconds, timestampToMicros } from '../clock.ts';
import type { ExercisesService } from '../courses/exercises.service.ts';
import type { ProgramsService } from '../courses/programs.service.ts';
import { displayName } from '../identity/users.service.ts';
import { courseQueueRepo } from './course-queue.repo.ts';

/** The median wait is over the jobs that started in this window. */
export const WAIT_WINDOW_SECONDS = 3600;

/** One job on a course's queue, as staff see it. */
export interface QueuedJob {
  id: number;
  exercise: { id: number; name: string };
  submission: { id: number; number: number } | null;
  user: { id: number; name: string } | null;
  kind: string;
  status: JobStatus;
  attempts: number;
  max_attempts: number;
  /** Why the last attempt failed (failed jobs). */
  error: string | null;
  created_at: Timestamp;
  started_at: Timestamp | null;
}

/** A course's grading queue: the jobs waiting or running and the failed ones nobody ran again, counted and listed. */
export interface CourseQueue {
  counts: { queued: number; waiting: number; running: number; failed: number };
  /** The median time from queued to started of the course's jobs that started in the last WAIT_WINDOW_SECONDS; null when none did. */
  median_wait_seconds: number | null;
  /** Oldest first, at most QUEUE_LIST_LIMIT. */
  jobs: QueuedJob[];
}

/** Where an exercise's rerun is: its jobs queued since the rerun started, by status. */
export interface RerunProgress {
  total: number;
  queued: number;
  waiting: number;
  running: number;
  done: number;
  failed: number;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const secondsBetween = (from: Timestamp, to: Timestamp) => Number(timestampToMicros(to) - timestampToMicros(from)) / 1e6;

/**
 * The staff's view of grading: a course's queue live (what waits, what runs, what failed, how long
 * jobs wait), failed jobs run again, and the progress of an exercise's rerun. The course's
 * instructors, staff and admins only: others who see the course get 403, the rest 404.
 */
export class CourseQueueService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly programs: ProgramsService,
    private readonly exercises: ExercisesService,
    private readonly grading: GradingQueue,
  ) {}

  /** Not found when the actor cannot see the course, forbidden when they may not manage it. */
  async assertManages(actor: Actor, courseId: number): Promise<void> {
    await this.programs.get(actor, courseId);
    await this.programs.assertManage(actor, courseId);
  }

  async view(actor: Actor, courseId: number): Promise<CourseQueue> {
    await this.assertManages(actor, courseId);
    const since = addSeconds(this.clock.now(), -WAIT_WINDOW_SECONDS);
    const [rows, counts, started] = await Promise.all([
      courseQueueRepo.jobs(this.db, courseId),
      courseQueueRepo.counts(this.db, courseId),
      courseQueueRepo.startedSince(this.db, courseId, since),
    ]);
    const waits = started.flatMap((j) => (j.started_at === null ? [] : [secondsBetween(j.created_at, j.started_at)]));
    const wait = median(waits);
    return {
      counts: { queued: counts.get('queued') ?? 0, waiting: counts.get('waiting') ?? 0, running: counts.get('running') ?? 0, failed: counts.get('failed') ?? 0 },
      median_wait_seconds: wait === null ? null : Math.round(wait * 10) / 10,
      jobs: rows.map((r) => ({
        id: r.id,
        exercise: { id: r.exercise_id, name: r.exercise_name },
        submission: r.submission_id === null || r.submission_number === null ? null : { id: r.submission_id, number: r.submission_number },
        user: r.user_id === null ? null : { id: r.user_id, name: displayName({ username: r.username ?? '', first_name: r.first_name ?? '', last_name: r.last_name ?? '' }) },
        kind: r.kind,
        status: r.status as JobStatus,
        attempts: r.attempts,
        max_attempts: r.max_attempts,
        error: r.error,
        created_at: r.created_at,
        started_at: r.started_at,
      })),
    };
  }

  /**
   * Queues the course's failed jobs again (those of `jobIds`, or all when null), each as a new
   * `rerun` job of the same submission; answers how many were queued. A job that is not failed,
   * not the course's, or already run again is skipped.
   */
  async rerunFailed(actor: Actor, courseId: number, jobIds: number[] | null): Promise<number> {
    await this.assertManages(actor, courseId);
    const failed = await courseQueueRepo.failed(this.db, courseId, jobIds);
    if (failed.length === 0) return 0;
    const jobs = await this.grading.enqueueMany(
      failed.map((j) => ({
        courseId: j.course_id,
        exerciseId: j.exercise_id,
        submissionId: j.submission_id,
        responseId: j.response_id,
        kind: 'rerun' as const,
        payload: { ...(JSON.parse(j.payload) as Record<string, unknown>), reason: `rerun of failed job ${j.id}` },
      })),
    );
    return jobs.length;
  }

  /** The exercise's rerun jobs queued at or after `since` (when the rerun was asked for), by status. */
  async rerunProgress(actor: Actor, exerciseId: number, since: Timestamp): Promise<RerunProgress> {
    const exercise = await this.exercises.getForWrite(actor, exerciseId);
    const counts = await courseQueueRepo.rerunsSince(this.db, exercise.id, since);
    const n = (status: JobStatus) => counts.get(status) ?? 0;
    return { total: [...counts.values()].reduce((a, b) => a + b, 0), queued: n('queued'), waiting: n('waiting'), running: n('running'), done: n('done'), failed: n('failed') };
  }
}
