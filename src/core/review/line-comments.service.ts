import type { BlobStore } from '../../blobs/store.ts';
import type { Db } from '../../db/database.ts';
import type { Actor } from '../actor.ts';
import { isStaff } from '../actor.ts';
import type { AssignmentsService } from '../assignments/assignments.service.ts';
import type { Clock } from '../clock.ts';
import { isRowId } from '../courses/exercises.service.ts';
import type { FieldProblem } from '../errors.ts';
import { AssayError } from '../errors.ts';
import type { SubmissionsService } from '../grading/submissions.service.ts';
import { displayName } from '../identity/users.service.ts';
import { asText, lineCount } from './file-text.ts';
import { gradingWriteTarget } from './grading-target.ts';
import type { LineCommentRow } from './line-comments.repo.ts';
import { lineCommentsRepo } from './line-comments.repo.ts';
import { reviewRepo } from './review.repo.ts';

export const MAX_LINE_COMMENT = 5000;
/** Lines are counted in files up to this size; larger ones take no line comments. */
export const MAX_COMMENTED_FILE_BYTES = 4 * 1024 * 1024;

export interface Person {
  id: number;
  name: string;
}

/** A comment on one line of one file of a submission (code review). */
export interface LineComment {
  id: number;
  submission_id: number;
  path: string;
  /** 1-based. */
  line: number;
  text: string;
  /** null once the account is gone. */
  author: Person | null;
  created_at: string;
}

export interface LineCommentInput {
  path: string;
  line: number;
  text: string;
}

export function toLineComment(r: LineCommentRow): LineComment {
  const author = r.author_id === null ? null : { id: r.author_id, name: displayName({ first_name: r.author_first_name ?? '', last_name: r.author_last_name ?? '', username: r.author_username ?? '' }) };
  return { id: r.id, submission_id: r.submission_id, path: r.path, line: r.line, text: r.text, author, created_at: r.created_at };
}

function textProblems(text: string): FieldProblem[] {
  if (text.trim() === '') return [{ field: 'text', code: 'blank', message: 'This field may not be blank.' }];
  if ([...text].length > MAX_LINE_COMMENT) return [{ field: 'text', code: 'max_length', message: `Ensure this field has no more than ${MAX_LINE_COMMENT} characters.` }];
  return [];
}

/**
 * Comments on lines of a submission's files. Whoever reads the submission reads them (its student
 * sees them inline, as code review); the course's grading side writes them, not while another
 * checker holds the assignment (threads/locks.ts); their author or staff delete them.
 */
export class LineCommentsService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly blobs: BlobStore,
    private readonly submissions: SubmissionsService,
    private readonly assignments: AssignmentsService,
  ) {}

  async list(actor: Actor, submissionId: number): Promise<LineComment[]> {
    await this.submissions.get(actor, submissionId);
    return (await lineCommentsRepo.bySubmissions(this.db, [submissionId])).map(toLineComment);
  }

  /** The comments of submissions the caller has already read (a review's two). */
  async ofReadSubmissions(submissionIds: number[]): Promise<LineComment[]> {
    return (await lineCommentsRepo.bySubmissions(this.db, submissionIds)).map(toLineComment);
  }

  /** Refuses (404, 403) who may not comment on the submission now, before a body is read. */
  async assertMayComment(actor: Actor, submissionId: number): Promise<void> {
    await gradingWriteTarget(this.db, this.assignments, actor, submissionId);
  }

  async create(actor: Actor, submissionId: number, input: LineCommentInput): Promise<LineComment> {
    const { place } = await gradingWriteTarget(this.db, this.assignments, actor, submissionId);
    const problems = textProblems(input.text);
    const file = place.tree_id === null ? undefined : await reviewRepo.treeFile(this.db, place.tree_id, input.path);
    if (!file) problems.push({ field: 'path', code: 'invalid', message: `The submission has no file "${input.path}".` });
    else if (file.size > MAX_COMMENTED_FILE_BYTES) problems.push({ field: 'path', code: 'invalid', message: `"${input.path}" is too large to comment on.` });
    else {
      const text = asText(await this.blobs.read(file.blob, file.size));
      const lines = text === null ? 0 : lineCount(text);
      if (text === null) problems.push({ field: 'path', code: 'invalid', message: `"${input.path}" is not a text file.` });
      else if (!Number.isInteger(input.line) || input.line < 1 || input.line > lines) {
        problems.push({ field: 'line', code: 'invalid', message: `Line must be between 1 and ${lines}, the lines of "${input.path}".` });
      }
    }
    if (problems.length > 0) throw AssayError.invalid(problems);
    const id = await lineCommentsRepo.insert(this.db, { submission_id: place.id, author_id: actor.id, path: input.path, line: input.line, text: input.text, created_at: this.clock.now() });
    return toLineComment((await lineCommentsRepo.byId(this.db, place.id, id))!);
  }

  async delete(actor: Actor, submissionId: number, commentId: number): Promise<void> {
    const { place } = await gradingWriteTarget(this.db, this.assignments, actor, submissionId);
    const row = isRowId(commentId) ? await lineCommentsRepo.byId(this.db, place.id, commentId) : undefined;
    if (!row) throw AssayError.notFound();
    if (row.author_id !== actor.id && !isStaff(actor)) throw AssayError.forbidden();
    await lineCommentsRepo.delete(this.db, row.id);
  }
}
