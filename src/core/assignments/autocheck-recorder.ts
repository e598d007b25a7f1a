import type { Db } from '../../db/database.ts';
import type { FinishedJob, JobResult } from '../../grading/queue/types.ts';
import type { Clock } from '../clock.ts';
import type { SystemUser } from '../identity/system-user.ts';
import { readGrade } from '../grading/results.service.ts';
import { notifyResponse } from '../threads/notify.ts';
import type { AssignmentStatus } from './status-flow.ts';
import { autoCheckApplies, statusChangeFor } from './status-flow.ts';
import { assignmentsRepo } from './assignments.repo.ts';
import { responsesRepo } from './responses.repo.ts';
import { fieldsRepo } from '../courses/fields.repo.ts';
import { AUTOCHECK_FIELD, autocheckReport } from './autocheck-report.ts';

/**
 * What a finished autocheck means on Hive's side: an `AutoCheck` response by the autocheck account
 * (its `autocheck_statuses` are the job's timeline) that moves the assignment to AutoChecked, or to
 * Done when the exercise has `autodone` and the check passed; its `contents` answer the exercise's
 * AutoCheck field with every visible test (autocheck-report.ts). Runs in the transaction that
 * completes the job, so each job answers once (every submission has its Submission response, see
 * recordSubmission; a rerun's job has it too). A `No Check` and a staff error (the harness failed, not the student) add nothing:
 * the Submission's timeline already says what happened and the assignment waits for a person.
 */
export class AutocheckRecorder {
  constructor(
    private readonly clock: Clock,
    private readonly systemUser: SystemUser,
  ) {}

  async record(trx: Db, finished: FinishedJob, result: JobResult): Promise<void> {
    if (finished.response_id === null) return;
    const jobId = finished.id;
    const grade = readGrade(result);
    if (!grade || grade.staffError) return;
    const job = await responsesRepo.submissionTarget(trx, finished.response_id);
    if (!job) return;
    const authorId = await this.systemUser.id(trx);
    const now = this.clock.now();
    const passed = grade.outcome === 'success';
    const responseId = await responsesRepo.insert(trx, {
        assignment_id: job.assignment_id,
        user_id: authorId,
        response_type: 'AutoCheck',
        file_name: '',
        dear_student: true,
        hide_checker_name: false,
        segel_only: false,
        autocheck_job_id: jobId,
        created_at: now,
        updated_at: now,
      });
    const fieldId =
      (await fieldsRepo.staffFieldNamed(trx, job.exercise_id, AUTOCHECK_FIELD.name)) ??
      (await fieldsRepo.insert(trx, { ...AUTOCHECK_FIELD, exercise_id: job.exercise_id, created_at: now }));
    await responsesRepo.setContents(trx, responseId, [{ field: fieldId, content: autocheckReport(grade, typeof result.summary === 'string' ? result.summary : null) }]);
    const change = statusChangeFor('AutoCheck', { passed, autodone: Boolean(job.autodone) });
    // A late result (a rerun after a person graded) is recorded but moves nothing.
    if (!autoCheckApplies(job.status as AssignmentStatus)) change.status = null;
    await assignmentsRepo.applyStatusChange(trx, job.assignment_id, change, { staffAuthor: true, now });
    const score = grade.score !== null && grade.maxScore !== null ? ` (${grade.score}/${grade.maxScore})` : '';
    await notifyResponse(trx, {
      thread: { kind: 'assignment', id: job.assignment_id },
      authorId,
      responseType: 'AutoCheck',
      comment: `${passed ? 'Passed' : 'Failed'}: ${job.name}${score}`,
      staffOnly: false,
      now,
    });
  }
}
