import type { Db } from '../../db/database.ts';
import type { GradingQueue, JobChange } from '../../grading/queue/index.ts';
import type { Actor } from '../actor.ts';
import type { ExercisesService } from '../courses/exercises.service.ts';
import { isRowId } from '../courses/exercises.service.ts';
import { canSee, visibleCourseIds } from '../courses/visibility.ts';
import { AssayError } from '../errors.ts';
import type { SubmissionsService } from '../grading/submissions.service.ts';
import type { EventBus, Listener } from './event-bus.ts';
import { topics } from './event-bus.ts';
import { eventsRepo } from './events.repo.ts';

/** A grading contract warning is for staff: a hint any follower gets does not name it. */
const STAFF_ONLY_STEPS: readonly string[] = ['warning'];

/** What a client follows: one submission's grading, or a course's checker inbox. */
export type FollowTarget = { submission: number } | { inbox: number | 'all' };

/**
 * Who may follow what, and the grading side's events. A submission is followed by whoever may
 * read it (its student, the course's staff side); a course's inbox by its staff side. Each change
 * of a grading job (status or timeline step, from any worker of this process or its grading
 * thread) is published on its submission's topic: while someone here follows one, or always on a
 * bus across servers (a follower may be on another server; an `assay worker` has none of its own).
 */
export class LiveEventsService {
  private gradingFollowers = 0;

  constructor(
    private readonly db: Db,
    readonly bus: EventBus,
    grading: GradingQueue,
    private readonly submissions: SubmissionsService,
    private readonly exercises: ExercisesService,
  ) {
    grading.onJobChanged((change) => {
      if (this.gradingFollowers > 0 || bus.acrossServers) this.publishJob(change);
    });
  }

  /** Checks the actor may follow the target (404 or 403 as reading it would be), then subscribes. */
  async follow(actor: Actor, target: FollowTarget, listener: Listener): Promise<() => void> {
    if ('submission' in target) {
      await this.submissions.get(actor, target.submission);
      const stop = this.bus.subscribe(topics.submission(target.submission), listener);
      this.gradingFollowers++;
      let stopped = false;
      return () => {
        if (stopped) return;
        stopped = true;
        this.gradingFollowers--;
        stop();
      };
    }
    if (target.inbox === 'all') {
      const courses = await this.gradedCourses(actor);
      if (courses.length === 0) throw AssayError.forbidden();
      const stops = courses.map((id) => this.bus.subscribe(topics.inbox(id), listener));
      return () => stops.forEach((stop) => stop());
    }
    await this.assertInboxReader(actor, target.inbox);
    return this.bus.subscribe(topics.inbox(target.inbox), listener);
  }

  /** The courses whose staff side the actor is on (every course for staff). */
  private async gradedCourses(actor: Actor): Promise<number[]> {
    const visible = (await visibleCourseIds(this.db, actor)) ?? (await eventsRepo.allCourseIds(this.db));
    const out: number[] = [];
    for (const id of visible) if (await this.exercises.isStaffSide(actor, { course_id: id })) out.push(id);
    return out;
  }

  /** The course's staff side (checkers, instructors, staff); a course the actor cannot see is not found. */
  private async assertInboxReader(actor: Actor, courseId: number): Promise<void> {
    if (!isRowId(courseId) || !canSee(await visibleCourseIds(this.db, actor), courseId)) throw AssayError.notFound();
    if (!(await this.exercises.isStaffSide(actor, { course_id: courseId }))) throw AssayError.forbidden();
  }

  /** The change as its submission's followers see it: what the queue told, nothing read again. */
  private publishJob(change: JobChange): void {
    if (change.submission_id === null) return;
    const topic = topics.submission(change.submission_id);
    if (!this.bus.wanted(topic)) return;
    this.bus.publish(topic, {
      kind: 'grading',
      submission: change.submission_id,
      job: change.id,
      status: change.status,
      step: STAFF_ONLY_STEPS.includes(change.step) ? null : change.step,
      time: change.time,
    });
  }
}
