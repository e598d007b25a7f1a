import type { Db } from '../../db/database.ts';
import type { GradingQueue, JobChange, JobStatus } from '../../grading/queue/index.ts';
import type { EventBus } from '../events/event-bus.ts';
import { topics } from '../events/event-bus.ts';
import type { ThreadChanges } from '../threads/changes.ts';
import type { ThreadRef } from '../threads/thread.ts';
import { inboxEventsRepo } from './inbox.repo.ts';

/**
 * Job changes that may move an assignment into or within the inbox: a job started (a submission
 * made through an API whose service does not announce it yet is seen here, once a worker takes
 * its job), a result.
 */
const INBOX_JOB_STATUSES: readonly JobStatus[] = ['queued', 'running', 'done', 'failed'];
/** Jobs whose last announced status is remembered (a running job reports each step; one hint is enough). */
const REMEMBERED_JOBS = 1000;

/**
 * Publishes what changes a course's checker inbox on its topic (`inbox:<course>`), as a hint
 * carrying the item's new state: a new submission to check and its automatic result (from the
 * grading queue's job changes), a lock taken or released, a status set, a help thread opened,
 * answered or resolved (announced by the services that make them, threads/changes.ts). Nothing
 * is published for a course nobody here follows, unless the bus reaches other servers.
 */
export class InboxEvents {
  private readonly announcedStatus = new Map<number, JobStatus>();

  constructor(
    private readonly db: Db,
    private readonly bus: EventBus,
    grading: GradingQueue,
    /** The services' announcements of committed changes (assignments', help threads'). */
    sources: ThreadChanges[],
  ) {
    grading.onJobChanged((change) => void this.jobChanged(change).catch(() => undefined));
    for (const source of sources) source.listen((thread) => this.changed(thread));
  }

  /** The thread changed (after its transaction committed). Never throws: an event is only a hint. */
  async changed(thread: ThreadRef): Promise<void> {
    try {
      const state = await inboxEventsRepo.threadState(this.db, thread.kind, thread.id);
      if (!state || state.course_id === null) return;
      const topic = topics.inbox(state.course_id);
      if (!this.bus.wanted(topic)) return;
      this.bus.publish(topic, { kind: 'inbox', course: state.course_id, item: thread.kind, id: thread.id, status: state.status, locked_by: state.checker_id });
    } catch {
      // A lost hint costs a refetch at the next one; the change itself is committed.
    }
  }

  private async jobChanged(job: JobChange): Promise<void> {
    if (job.submission_id === null || !INBOX_JOB_STATUSES.includes(job.status)) return;
    if (!this.bus.wanted(topics.inbox(job.course_id))) return;
    if (this.announcedStatus.get(job.id) === job.status) return;
    this.announcedStatus.delete(job.id);
    if (job.status !== 'done' && job.status !== 'failed') this.announcedStatus.set(job.id, job.status);
    if (this.announcedStatus.size > REMEMBERED_JOBS) this.announcedStatus.delete(this.announcedStatus.keys().next().value!);
    const assignmentId = await inboxEventsRepo.assignmentOfSubmission(this.db, job.submission_id);
    if (assignmentId !== undefined) await this.changed({ kind: 'assignment', id: assignmentId });
  }
}
