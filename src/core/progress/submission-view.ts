import type { Readable } from 'node:stream';
import type { BlobStore } from '../../blobs/store.ts';
import type { Db } from '../../db/database.ts';
import type { Actor } from '../actor.ts';
import type { TreeListing } from '../courses/exercises.service.ts';
import { AssayError } from '../errors.ts';
import type { SubmissionsService } from '../grading/submissions.service.ts';
import type { ReviewServices } from '../review/index.ts';
import type { LineComment } from '../review/line-comments.service.ts';
import type { StaffGrade } from '../review/review.service.ts';
import { asText } from '../review/file-text.ts';
import { MAX_COMMENTED_FILE_BYTES } from '../review/line-comments.service.ts';
import { progressRepo } from './progress.repo.ts';

/** Files up to this size are read whole and shown as text when they are; larger ones are downloads. */
const SHOWN_FILE_BYTES = MAX_COMMENTED_FILE_BYTES;

/** What a submission's page shows beside the submission and its automatic grading. */
export interface SubmissionExtras {
  /** 1 = graded next; null unless its latest job is queued. */
  queue_position: number | null;
  /** Staff comments on lines of its files (code review). */
  comments: LineComment[];
  /** The latest grade a person gave it (general comment, points, passing), null before one. */
  grade: StaffGrade | null;
}

/**
 * A submission as its reader sees it in the web app: whoever may read it (its student, the
 * course's grading side; submissions.service decides) reads its queue position, review comments,
 * staff grade and its files' contents, whatever dialect it came through.
 */
export class SubmissionView {
  constructor(
    private readonly db: Db,
    private readonly blobs: BlobStore,
    private readonly submissions: SubmissionsService,
    private readonly review: Pick<ReviewServices, 'comments' | 'reviews'>,
  ) {}

  async extras(actor: Actor, submissionId: number, job: { id: number; status: string } | null): Promise<SubmissionExtras> {
    const [ahead, comments, grade] = await Promise.all([
      job && job.status === 'queued' ? progressRepo.jobsAhead(this.db, job.id) : null,
      this.review.comments.list(actor, submissionId),
      this.review.reviews.grade(actor, submissionId),
    ]);
    return { queue_position: ahead === null ? null : ahead + 1, comments, grade };
  }

  /**
   * One file of a submission the actor may read, by its path (not found for any other path):
   * read whole and told whether it is text when it is small enough to show, else a stream.
   */
  async file(actor: Actor, submissionId: number, path: string): Promise<{ entry: TreeListing; content: Buffer | Readable; text: boolean }> {
    const submission = await this.submissions.get(actor, submissionId);
    const entry = submission.files.find((f) => f.path === path);
    if (!entry) throw AssayError.notFound();
    if (entry.size > SHOWN_FILE_BYTES) return { entry, content: this.blobs.open(entry.sha256), text: false };
    const bytes = await this.blobs.read(entry.sha256, entry.size);
    return { entry, content: bytes, text: asText(bytes) !== null };
  }
}
