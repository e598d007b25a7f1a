import type { StoredBlob } from '../../blobs/store.ts';
import type { Db } from '../../db/database.ts';
import type { GradingQueue, JobEvent } from '../../grading/queue/index.ts';
import type { Actor } from '../actor.ts';
import { recordAudit } from '../audit/audit.ts';
import { Clearance, isStaff } from '../actor.ts';
import type { Clock } from '../clock.ts';
import type { FieldsService } from '../courses/fields.service.ts';
import type { GradersService } from '../grading/graders.service.ts';
import { jobWallSeconds } from '../grading/job-wall.ts';
import type { ExercisesService } from '../courses/exercises.service.ts';
import { isRowId } from '../courses/exercises.service.ts';
import { AssayError } from '../errors.ts';
import type { FilesService, NewTreeFile } from '../files/files.service.ts';
import type { SystemUser } from '../identity/system-user.ts';
import { assertMayRespond } from '../threads/locks.ts';
import { notifyResponse } from '../threads/notify.ts';
import { recordSubmission } from '../grading/submission-record.ts';
import type { Assignment, AssignmentsService } from './assignments.service.ts';
import type { ContentInput } from './contents.ts';
import { contentProblems } from './contents.ts';
import { assignmentsRepo } from './assignments.repo.ts';
import { fieldsRepo } from '../courses/fields.repo.ts';
import type { ResponseRow } from './responses.repo.ts';
import { responsesRepo } from './responses.repo.ts';
import type { AssignmentResponseType } from './status-flow.ts';
import { STUDENT_RESPONSE_TYPES, statusChangeFor } from './status-flow.ts';
import { submissionFiles } from './submission-files.ts';
import { assignmentPolicy } from './policy.ts';

export interface AutocheckStatus {
  id: number;
  time: string;
  action: JobEvent['action'];
  payload: string | null;
}

export interface AssignmentResponse {
  id: number;
  assignment_id: number;
  /** The author as the reader may see them (a hidden checker reads as the autocheck account). */
  user_id: number;
  contents: ContentInput[];
  file_name: string;
  dear_student: boolean;
  date: string;
  hide_checker_name: boolean;
  segel_only: boolean;
  response_type: AssignmentResponseType;
  autocheck_statuses: AutocheckStatus[] | null;
}

export interface ResponseInput {
  contents?: ContentInput[];
  file?: StoredBlob | null;
  file_name?: string;
  dear_student?: boolean;
  hide_checker_name?: boolean;
  segel_only?: boolean;
  response_type?: AssignmentResponseType;
}

export interface ResponseFile {
  name: string;
  blob: string;
  size: number;
}

export type NewResponse = ResponseInput & { response_type: AssignmentResponseType; contents: ContentInput[] };

interface WriteContext {
  exercise: { id: number; course_id: number; name: string };
  /** The files of a Submission, unpacked. */
  submitted: NewTreeFile[];
  wallSeconds: number | undefined;
  now: string;
}

/** Grading verdicts: refused while another checker holds the assignment. */
const GRADING_TYPES: readonly AssignmentResponseType[] = ['AutoCheck', 'Redo', 'Done'];

/**
 * Responses on an assignment: students hand in and comment, the grading side grades. Each new
 * response moves the assignment (status-flow.ts), notifies its subscribers and student, and a
 * Submission also becomes a submission with a grading job, all in one transaction.
 */
export class ResponsesService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly files: FilesService,
    private readonly fields: FieldsService,
    private readonly exercises: ExercisesService,
    private readonly assignments: AssignmentsService,
    private readonly graders: GradersService,
    private readonly grading: GradingQueue,
    private readonly systemUser: SystemUser,
  ) {}

  private rows(assignmentId: number, studentReader: boolean, responseId?: number): Promise<ResponseRow[]> {
    return responsesRepo.ofAssignment(this.db, assignmentId, !studentReader, responseId);
  }

  private async render(actor: Actor, rows: ResponseRow[]): Promise<AssignmentResponse[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const contents = await responsesRepo.contentsOf(this.db, ids);
    const bySubmission = await responsesRepo.jobsOf(this.db, ids);
    const latestJob = new Map<number, number>();
    for (const j of bySubmission) latestJob.set(j.response_id, j.id);
    for (const r of rows) if (r.autocheck_job_id !== null) latestJob.set(r.id, r.autocheck_job_id);
    const jobIds = [...new Set(latestJob.values())];
    const events = await responsesRepo.jobEvents(this.db, jobIds);
    const timeline = new Map<number, AutocheckStatus[]>();
    for (const e of events) {
      timeline.set(e.job_id, [...(timeline.get(e.job_id) ?? []), { id: e.id, time: e.time, action: e.action as JobEvent['action'], payload: e.payload }]);
    }
    const studentReader = actor.clearance < Clearance.checker;
    // A hidden checker (for students) and a deleted author both read as the autocheck account.
    const shownAsSystem = (r: (typeof rows)[number]) => r.user_id === null || (studentReader && r.hide_checker_name && r.user_id !== actor.id);
    const systemId = rows.some(shownAsSystem) ? await this.systemUser.id() : null;
    const answers = new Map<number, ContentInput[]>();
    for (const c of contents) answers.set(c.response_id, [...(answers.get(c.response_id) ?? []), { content: c.content, field: c.field_id }]);
    return rows.map((r) => {
      const job = latestJob.get(r.id);
      return {
        id: r.id,
        assignment_id: r.assignment_id,
        user_id: shownAsSystem(r) ? systemId! : r.user_id!,
        contents: answers.get(r.id) ?? [],
        file_name: r.file_name,
        dear_student: r.dear_student,
        date: r.created_at,
        hide_checker_name: r.hide_checker_name,
        segel_only: r.segel_only,
        response_type: r.response_type as AssignmentResponseType,
        autocheck_statuses: job === undefined ? null : (timeline.get(job) ?? []),
      };
    });
  }

  async list(actor: Actor, assignmentId: number): Promise<AssignmentResponse[]> {
    await this.assignments.get(actor, assignmentId);
    return this.render(actor, await this.rows(assignmentId, actor.clearance < Clearance.checker));
  }

  async get(actor: Actor, assignmentId: number, responseId: number): Promise<AssignmentResponse> {
    await this.assignments.get(actor, assignmentId);
    if (!isRowId(responseId)) throw AssayError.notFound();
    const [row] = await this.rows(assignmentId, actor.clearance < Clearance.checker, responseId);
    if (!row) throw AssayError.notFound();
    return (await this.render(actor, [row]))[0]!;
  }

  /** The response when the actor may change or delete it: its author, or staff. */
  async getForWrite(actor: Actor, assignmentId: number, responseId: number): Promise<AssignmentResponse> {
    const response = await this.get(actor, assignmentId, responseId);
    const authorId = await responsesRepo.authorOf(this.db, responseId);
    if (authorId !== actor.id && !isStaff(actor)) throw AssayError.forbidden();
    return response;
  }

  /** Refuses what the actor may not post, before the body's values are looked at further. */
  private async checkPost(actor: Actor, assignment: Assignment, input: ResponseInput & { response_type: AssignmentResponseType }): Promise<void> {
    const student = actor.clearance < Clearance.checker;
    if (student && !STUDENT_RESPONSE_TYPES.includes(input.response_type)) {
      throw AssayError.forbidden(`Students may not post a response of type "${input.response_type}".`);
    }
    if (!student && GRADING_TYPES.includes(input.response_type)) {
      const current = await assignmentsRepo.checkerOf(this.db, assignment.id);
      assertMayRespond(current!.checker_id, actor);
    }
    // Staff-side rights come from clearance (a student's assignment is visible to them as its owner).
    const fields = await this.fields.ofExercise(assignment.exercise_id, !student);
    const side = student ? 'student' : 'staff';
    const enforceRequired = student ? input.response_type === 'Submission' : input.response_type === 'Redo' || input.response_type === 'Done';
    const problems = contentProblems(input.contents ?? [], fields, { side, enforceRequired });
    if (problems.length > 0) throw AssayError.invalid(problems);
  }

  /**
   * Posts a response; `assignment` is the caller's own lookup of it, when it has one already.
   * `alsoWrite` adds the caller's own rows to the response's transaction (a review's grades).
   */
  async create(actor: Actor, assignmentId: number, input: NewResponse, assignment?: Assignment, alsoWrite?: (trx: Db, responseId: number) => Promise<void>): Promise<AssignmentResponse> {
    assignment ??= await this.assignments.get(actor, assignmentId);
    await this.checkPost(actor, assignment, input);
    const exercise = (await responsesRepo.exerciseOf(this.db, assignment.exercise_id))!;
    const grader = input.response_type === 'Submission' ? await this.graders.configFor(exercise.id) : null;
    // Unpacked before the transaction: storing blobs writes through the main connection.
    const submitted = input.response_type === 'Submission' && input.file ? await submissionFiles(this.files, input.file, input.file_name ?? '') : [];
    const wallSeconds = grader ? jobWallSeconds(grader.limits.wall_seconds, grader.check_solution) : undefined;
    const id = await this.db.transaction().execute(async (trx) => {
      const responseId = await this.write(trx, actor, assignmentId, input, { exercise, submitted, wallSeconds, now: this.clock.now() });
      if (alsoWrite) await alsoWrite(trx, responseId);
      return responseId;
    });
    if (input.response_type === 'Submission') this.grading.wake();
    await this.assignments.changes.announce({ kind: 'assignment', id: assignmentId });
    return (await this.render(actor, await this.rows(assignmentId, false, id)))[0]!;
  }

  /**
   * Writes one response and everything it means, in the caller's transaction. A staff-only
   * response is an internal note: it marks the assignment as changed by staff but moves nothing.
   */
  private async write(trx: Db, actor: Actor, assignmentId: number, input: NewResponse, ctx: WriteContext): Promise<number> {
    const student = actor.clearance < Clearance.checker;
    // Students write neither staff-only responses nor hidden names.
    const segelOnly = !student && (input.segel_only ?? false);
    const responseId = await responsesRepo.insert(trx, {
        assignment_id: assignmentId,
        user_id: actor.id,
        response_type: input.response_type,
        file_name: input.file_name ?? '',
        file_blob: input.file?.sha256 ?? null,
        dear_student: input.dear_student ?? true,
        hide_checker_name: !student && (input.hide_checker_name ?? false),
        segel_only: segelOnly,
        created_at: ctx.now,
        updated_at: ctx.now,
      });
    await responsesRepo.setContents(trx, responseId, input.contents);
    // A verdict (Hive's grade of the assignment) goes to the audit trail.
    const verdict = !segelOnly && !student && (input.response_type === 'Done' || input.response_type === 'Redo');
    const before = verdict ? await assignmentsRepo.statusOf(trx, assignmentId) : null;
    if (!segelOnly) await assignmentsRepo.applyStatusChange(trx, assignmentId, statusChangeFor(input.response_type), { staffAuthor: !student, now: ctx.now });
    if (verdict) await recordAudit(trx, [{ kind: 'grade', actorId: actor.id, on: { assignment: assignmentId }, field: 'status', before, after: input.response_type, at: ctx.now }]);
    else await assignmentsRepo.update(trx, assignmentId, { last_staff_updated: ctx.now });
    if (input.response_type === 'Submission') {
      const treeId = ctx.submitted.length > 0 ? await this.files.createTree(ctx.submitted, trx) : null;
      const names = await fieldsRepo.names(trx, input.contents.map((c) => c.field));
      const answers = Object.fromEntries(input.contents.map((c) => [names.get(c.field) ?? String(c.field), c.content]));
      await recordSubmission(trx, this.grading, {
        assignmentId,
        exercise: ctx.exercise,
        userId: actor.id,
        staffAuthor: !student,
        treeId,
        answers: JSON.stringify(answers),
        now: ctx.now,
        responseId,
        ...(ctx.wallSeconds !== undefined ? { wallSeconds: ctx.wallSeconds } : {}),
      });
    }
    await notifyResponse(trx, {
      thread: { kind: 'assignment', id: assignmentId },
      authorId: actor.id,
      responseType: input.response_type,
      comment: `${input.response_type}: ${ctx.exercise.name}`,
      staffOnly: segelOnly,
      now: ctx.now,
    });
    return responseId;
  }

  /**
   * Hive's `notify_students`: the same response on every assignment of the exercise, all or none.
   * Only the grading side of the course sends it, and not as a Submission or AutoCheck (those stand
   * for one student's work); a verdict is refused when another checker holds one of the assignments.
   */
  async broadcast(actor: Actor, exerciseId: number, input: NewResponse): Promise<number> {
    const exercise = await this.exercisesOf(actor, exerciseId);
    if (input.response_type === 'Submission' || input.response_type === 'AutoCheck') {
      throw AssayError.field('response_type', 'invalid', `A "${input.response_type}" response cannot be sent to every student.`);
    }
    const fields = await this.fields.list(actor, exercise.id);
    const problems = contentProblems(input.contents, fields, { side: 'staff', enforceRequired: input.response_type === 'Redo' || input.response_type === 'Done' });
    if (problems.length > 0) throw AssayError.invalid(problems);
    const targets = await assignmentsRepo.ofExercise(this.db, exercise.id);
    if (GRADING_TYPES.includes(input.response_type)) for (const t of targets) assertMayRespond(t.checker_id, actor);
    await this.db.transaction().execute(async (trx) => {
      const now = this.clock.now();
      for (const t of targets) await this.write(trx, actor, t.id, input, { exercise, submitted: [], wallSeconds: undefined, now });
    });
    for (const t of targets) await this.assignments.changes.announce({ kind: 'assignment', id: t.id });
    return targets.length;
  }

  /** The exercise when the actor is on its grading side: not found if invisible, forbidden for students. */
  private async exercisesOf(actor: Actor, exerciseId: number) {
    const exercise = await this.exercises.get(actor, exerciseId);
    if (!(await this.exercises.isStaffSide(actor, exercise))) throw AssayError.forbidden();
    return exercise;
  }

  /**
   * Changes a response's own fields. The status flow ran when it was posted and is not replayed:
   * changing its type later does not move the assignment again.
   */
  async update(actor: Actor, assignmentId: number, responseId: number, input: ResponseInput): Promise<AssignmentResponse> {
    const current = await this.getForWrite(actor, assignmentId, responseId);
    const assignment = await this.assignments.get(actor, assignmentId);
    const responseType = input.response_type ?? current.response_type;
    await this.checkPost(actor, assignment, { ...input, response_type: responseType, contents: input.contents ?? current.contents });
    const student = actor.clearance < Clearance.checker;
    await this.db.transaction().execute(async (trx) => {
      await responsesRepo.update(trx, responseId, {
          ...(input.response_type !== undefined ? { response_type: input.response_type } : {}),
          ...(input.file ? { file_blob: input.file.sha256, file_name: input.file_name ?? '' } : {}),
          ...(input.file === null ? { file_blob: null } : {}),
          ...(input.file_name !== undefined ? { file_name: input.file_name } : {}),
          ...(input.dear_student !== undefined ? { dear_student: input.dear_student } : {}),
          ...(!student && input.hide_checker_name !== undefined ? { hide_checker_name: input.hide_checker_name } : {}),
          ...(!student && input.segel_only !== undefined ? { segel_only: input.segel_only } : {}),
          updated_at: this.clock.now(),
        });
      if (input.contents !== undefined) await responsesRepo.setContents(trx, responseId, input.contents);
    });
    return this.get(actor, assignmentId, responseId);
  }

  /** Removes the response; its submission stays (with its grading), no longer linked to it. */
  async delete(actor: Actor, assignmentId: number, responseId: number): Promise<void> {
    await this.getForWrite(actor, assignmentId, responseId);
    await this.db.transaction().execute((trx) => responsesRepo.delete(trx, responseId));
  }

  async file(actor: Actor, assignmentId: number, responseId: number): Promise<ResponseFile> {
    const response = await this.get(actor, assignmentId, responseId);
    const file = (await responsesRepo.file(this.db, responseId))!;
    if (file.blob === null) throw AssayError.notFound('This response has no file.');
    return { name: response.file_name || 'file', blob: file.blob, size: file.size };
  }

  /** Queues the response's submission for another automatic check, behind fresh submissions. */
  async rerunAutochecks(actor: Actor, assignmentId: number, responseId: number): Promise<void> {
    await this.get(actor, assignmentId, responseId);
    if (!assignmentPolicy.mayGrade(actor)) throw AssayError.forbidden();
    const submission = await responsesRepo.submissionOf(this.db, responseId);
    if (!submission) throw AssayError.field(null, 'invalid', 'Only a Submission response has autochecks to run again.');
    await this.grading.enqueue({
      courseId: submission.course_id,
      exerciseId: submission.exercise_id,
      submissionId: submission.id,
      responseId,
      kind: 'rerun',
      payload: { submission_id: submission.id, assignment_id: assignmentId, response_id: responseId, reason: 'rerun_autochecks' },
    });
  }
}
