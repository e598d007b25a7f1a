import type { BlobStore } from '../../blobs/store.ts';
import type { Db } from '../../db/database.ts';
import type { Actor } from '../actor.ts';
import { scoresRepo } from '../assessments/scores.repo.ts';
import { recordAudit } from '../audit/audit.ts';
import type { AssignmentsService } from '../assignments/assignments.service.ts';
import type { ResponsesService } from '../assignments/responses.service.ts';
import type { AssignmentStatus } from '../assignments/status-flow.ts';
import type { Clock } from '../clock.ts';
import type { ProblemsService } from '../courses/problems.service.ts';
import type { FieldProblem } from '../errors.ts';
import { AssayError } from '../errors.ts';
import type { SubmissionDetail, SubmissionsService } from '../grading/submissions.service.ts';
import { displayName } from '../identity/users.service.ts';
import { INLINE_SUBMISSION_BYTES, INLINE_TEXT_BYTES, asText } from './file-text.ts';
import { gradingWriteTarget } from './grading-target.ts';
import type { LineComment, LineCommentsService, Person } from './line-comments.service.ts';
import { reviewRepo } from './review.repo.ts';

export const MAX_REVIEW_COMMENT = 20000;
export const VERDICTS = ['Done', 'Redo'] as const;
export type Verdict = (typeof VERDICTS)[number];

export interface ReviewFile {
  path: string;
  size: number;
  /** The file as text when it is UTF-8 text of at most INLINE_TEXT_BYTES; else null (downloaded on its own). */
  text: string | null;
}

export interface ReviewSubmission {
  id: number;
  number: number;
  created_at: string;
  files: ReviewFile[];
  comments: LineComment[];
}

export interface ReviewProblem {
  id: number;
  name: string;
  max_score: number;
  /** The latest submission's current points (automatic or a checker's). */
  points: number | null;
}

/** The latest grade a person gave a submission: the review's points, verdict and general comment. */
export interface StaffGrade {
  points: number | null;
  passing: boolean | null;
  text: string;
  author: Person | null;
  created_at: string;
}

/** What a checker needs to grade an assignment, in one read. */
export interface Review {
  assignment: {
    id: number;
    status: AssignmentStatus;
    course: { id: number; name: string };
    exercise: { id: number; name: string };
    student: { id: number; username: string; name: string };
    locked_by: Person | null;
  };
  latest: ReviewSubmission | null;
  previous: ReviewSubmission | null;
  problems: ReviewProblem[];
  grade: StaffGrade | null;
}

export interface ReviewInput {
  verdict: Verdict;
  comment?: string;
  points?: { problem: number; points: number }[];
}

const person = (p: { id: number; first_name: string; last_name: string; username: string } | undefined): Person | null => (p ? { id: p.id, name: displayName(p) } : null);

/**
 * A checker's review of an assignment: its latest and previous submissions with their files (for
 * a diff; their automatic grading is the submission's own read), the line comments, the problems' points; and the verdict, which
 * is a Hive response (Done or Redo: the status flow, counters and notifications are Hive's) written
 * in one transaction with the points and the general comment (a staff `feedback` row, which
 * Autolab's and Devilry's views read too). Who may do it is the assignments' rules.
 */
export class ReviewService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly blobs: BlobStore,
    private readonly assignments: AssignmentsService,
    private readonly responses: ResponsesService,
    private readonly submissions: SubmissionsService,
    private readonly problems: ProblemsService,
    private readonly comments: LineCommentsService,
  ) {}

  async get(actor: Actor, assignmentId: number): Promise<Review> {
    const assignment = await this.assignments.getForGrading(actor, assignmentId);
    const [latestId, previousId] = await reviewRepo.latestSubmissionIds(this.db, assignment.id, 2);
    const latest = latestId === undefined ? null : await this.submissions.get(actor, latestId);
    const previous = previousId === undefined ? null : await this.submissions.get(actor, previousId);
    const comments = await this.comments.ofReadSubmissions([latestId, previousId].filter((id) => id !== undefined));
    const [names, people, problems, points, grade] = await Promise.all([
      reviewRepo.names(this.db, assignment.course_id, assignment.exercise_id),
      reviewRepo.people(this.db, [assignment.user_id, ...(assignment.checker_id === null ? [] : [assignment.checker_id])]),
      this.problems.listTrusted(assignment.exercise_id),
      latest ? scoresRepo.latestGrades(this.db, [latest.id]) : [],
      latest ? reviewRepo.latestStaffGrade(this.db, latest.id) : undefined,
    ]);
    const student = people.get(assignment.user_id);
    const gradeAuthor = grade?.author_id ? (await reviewRepo.people(this.db, [grade.author_id])).get(grade.author_id) : undefined;
    const pointsOf = new Map(points.map((g) => [g.problem_id, g.score]));
    return {
      assignment: {
        id: assignment.id,
        status: assignment.status,
        course: { id: assignment.course_id, name: names.course },
        exercise: { id: assignment.exercise_id, name: names.exercise },
        student: { id: assignment.user_id, username: student?.username ?? '', name: student ? displayName(student) : '' },
        locked_by: assignment.checker_id === null ? null : person(people.get(assignment.checker_id)),
      },
      latest: latest && (await this.reviewSubmission(latest, comments)),
      previous: previous && (await this.reviewSubmission(previous, comments)),
      problems: problems.map((p) => ({ id: p.id, name: p.name, max_score: p.max_score, points: pointsOf.get(p.id) ?? null })),
      grade: grade ? { points: grade.points, passing: grade.passing, text: grade.text, author: person(gradeAuthor), created_at: grade.created_at } : null,
    };
  }

  private async reviewSubmission(s: SubmissionDetail, comments: LineComment[]): Promise<ReviewSubmission> {
    const files: ReviewFile[] = [];
    let budget = INLINE_SUBMISSION_BYTES;
    for (const f of s.files) {
      const inline = f.size <= INLINE_TEXT_BYTES && f.size <= budget;
      if (inline) budget -= f.size;
      files.push({ path: f.path, size: f.size, text: inline ? asText(await this.blobs.read(f.sha256, f.size)) : null });
    }
    return { id: s.id, number: s.number, created_at: s.created_at, files, comments: comments.filter((c) => c.submission_id === s.id) };
  }

  /** The latest grade a person gave the submission, for whoever reads it (its student too). */
  async grade(actor: Actor, submissionId: number): Promise<StaffGrade | null> {
    await this.submissions.get(actor, submissionId);
    const grade = await reviewRepo.latestStaffGrade(this.db, submissionId);
    if (!grade) return null;
    const author = grade.author_id === null ? undefined : (await reviewRepo.people(this.db, [grade.author_id])).get(grade.author_id);
    return { points: grade.points, passing: grade.passing, text: grade.text, author: person(author), created_at: grade.created_at };
  }

  /** Refuses (404, 403) who may not review the submission now, before a body is read. */
  async assertMayReview(actor: Actor, submissionId: number): Promise<void> {
    await gradingWriteTarget(this.db, this.assignments, actor, submissionId);
  }

  /** Done or Redo on the submission's assignment, with its points and general comment, all at once. */
  async submit(actor: Actor, submissionId: number, input: ReviewInput): Promise<Review> {
    const { place, assignment } = await gradingWriteTarget(this.db, this.assignments, actor, submissionId);
    const problems = await this.problems.listTrusted(place.exercise_id);
    const issues: FieldProblem[] = [];
    if (!VERDICTS.includes(input.verdict)) issues.push({ field: 'verdict', code: 'invalid_choice', message: `"${String(input.verdict)}" is not a valid choice.` });
    const comment = input.comment ?? '';
    if ([...comment].length > MAX_REVIEW_COMMENT) issues.push({ field: 'comment', code: 'max_length', message: `Ensure this field has no more than ${MAX_REVIEW_COMMENT} characters.` });
    const byId = new Map(problems.map((p) => [p.id, p]));
    const seen = new Set<number>();
    (input.points ?? []).forEach((given, i) => {
      const problem = byId.get(given.problem);
      if (!problem) issues.push({ field: `points.${i}.problem`, code: 'does_not_exist', message: `The exercise has no problem ${given.problem}.` });
      else if (seen.has(problem.id)) issues.push({ field: `points.${i}.problem`, code: 'unique', message: `Problem ${given.problem} is given twice.` });
      else if (!Number.isFinite(given.points) || given.points < 0 || given.points > problem.max_score) {
        issues.push({ field: `points.${i}.points`, code: 'invalid', message: `Points must be between 0 and ${problem.max_score}.` });
      }
      seen.add(given.problem);
    });
    if (issues.length > 0) throw AssayError.invalid(issues);
    const points = input.points ?? [];
    const total = points.length > 0 ? points.reduce((sum, p) => sum + p.points, 0) : null;
    await this.responses.create(actor, assignment.id, { response_type: input.verdict, contents: [] }, assignment, async (trx) => {
      const now = this.clock.now();
      const earlier = new Map((await scoresRepo.latestGrades(trx, [place.id])).map((g) => [g.problem_id, g.score]));
      const earlierGrade = await reviewRepo.latestStaffGrade(trx, place.id);
      await recordAudit(trx, [
        ...points.map((p) => ({ kind: 'grade' as const, actorId: actor.id, on: { submission: place.id }, field: byId.get(p.problem)!.name, before: earlier.get(p.problem) ?? null, after: p.points, at: now })),
        { kind: 'grade', actorId: actor.id, on: { submission: place.id }, field: 'total', before: earlierGrade?.points ?? null, after: total, at: now },
      ]);
      await scoresRepo.insertGrades(trx, points.map((p) => ({ submission_id: place.id, problem_id: p.problem, score: p.points, grader_id: actor.id, created_at: now })));
      await reviewRepo.insertStaffGrade(trx, { submission_id: place.id, author_id: actor.id, text: comment, points: total, passing: input.verdict === 'Done', created_at: now });
    });
    return this.get(actor, assignment.id);
  }
}
