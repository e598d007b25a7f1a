import type { Db } from '../../db/database.ts';
import type { GradingJob, GradingQueue } from '../../grading/queue/index.ts';
import { assignmentsRepo } from '../assignments/assignments.repo.ts';
import { responsesRepo } from '../assignments/responses.repo.ts';
import { statusChangeFor } from '../assignments/status-flow.ts';
import { notifyResponse } from '../threads/notify.ts';

/** One submission to record, whatever dialect it came through. */
export interface NewSubmission {
  assignmentId: number;
  exercise: { id: number; course_id: number; name: string };
  userId: number;
  /** The submitter is on the course's grading side (their Submission marks the assignment as changed by staff). */
  staffAuthor: boolean;
  treeId: number | null;
  /** The answers as JSON text (null: none). */
  answers: string | null;
  now: string;
  /** Hive's own Submission response, which its caller wrote with its status change and notification. */
  responseId?: number;
  /** The grading job's wall time (see jobWallSeconds); the queue's default when left out. */
  wallSeconds?: number;
  /** More for the job's payload (JSON). */
  payload?: Record<string, unknown>;
}

export interface RecordedSubmission {
  id: number;
  /** 1, 2, 3, … within the assignment. */
  number: number;
  /** The Hive `Submission` response that stands for it. */
  responseId: number;
  job: GradingJob;
}

/**
 * The one place a submission is recorded, so a submission made through any dialect moves the same
 * state (README, "One submission lifecycle"). In the caller's transaction, which has written the
 * assignment row first (claimAssignment, which counts the submission; Hive's own path counts it with
 * its response's status change), serialising one assignment's submissions:
 * - the `submissions` row, numbered next in the assignment (what Autolab's versions, INGInious'
 *   submission list, ngshare's timestamps and Assay's API read);
 * - the Hive `Submission` response that stands for it, unless Hive itself wrote one: the assignment
 *   moves to Submitted with `submission_count` + 1, and the assignment's thread is notified;
 * - one grading job tied to both, whose result AutocheckRecorder turns into Hive's `AutoCheck`
 *   response (its `contents`: every visible test) and the assignment's next move
 *   (`total_check_count` + 1, AutoChecked or Done).
 * The caller wakes the queue once its transaction has committed.
 */
export async function recordSubmission(trx: Db, queue: GradingQueue, s: NewSubmission): Promise<RecordedSubmission> {
  let responseId = s.responseId;
  if (responseId === undefined) {
    responseId = await responsesRepo.insert(trx, {
      assignment_id: s.assignmentId,
      user_id: s.userId,
      response_type: 'Submission',
      file_name: '',
      file_blob: null,
      dear_student: true,
      hide_checker_name: false,
      segel_only: false,
      created_at: s.now,
      updated_at: s.now,
    });
    // claimAssignment has counted the submission already (its write serialises the assignment's submissions).
    const change = { ...statusChangeFor('Submission'), submissions: 0 };
    await assignmentsRepo.applyStatusChange(trx, s.assignmentId, change, { staffAuthor: s.staffAuthor, now: s.now });
    await notifyResponse(trx, {
      thread: { kind: 'assignment', id: s.assignmentId },
      authorId: s.userId,
      responseType: 'Submission',
      comment: `Submission: ${s.exercise.name}`,
      staffOnly: false,
      now: s.now,
    });
  }
  const number = await responsesRepo.nextSubmissionNumber(trx, s.assignmentId);
  const id = await responsesRepo.insertSubmission(trx, {
    assignment_id: s.assignmentId,
    response_id: responseId,
    user_id: s.userId,
    number,
    tree_id: s.treeId,
    answers: s.answers,
    created_at: s.now,
  });
  const job = await queue.enqueue(
    {
      courseId: s.exercise.course_id,
      exerciseId: s.exercise.id,
      submissionId: id,
      responseId,
      payload: { ...s.payload, submission_id: id, assignment_id: s.assignmentId, response_id: responseId, number },
      ...(s.wallSeconds !== undefined ? { wallSeconds: s.wallSeconds } : {}),
    },
    trx,
  );
  return { id, number, responseId, job };
}
