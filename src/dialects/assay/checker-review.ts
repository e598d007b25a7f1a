import { Type } from '@sinclair/typebox';
import type { LineCommentInput } from '../../core/review/line-comments.service.ts';
import { MAX_LINE_COMMENT } from '../../core/review/line-comments.service.ts';
import type { Review, ReviewInput, ReviewSubmission } from '../../core/review/review.service.ts';
import { MAX_REVIEW_COMMENT, VERDICTS } from '../../core/review/review.service.ts';
import { readHiveBody } from '../hive/body.ts';
import type { HiveRouter } from '../hive/router.ts';
import { EMPTY } from '../hive/router.ts';
import { DateTime, Enum, Nullable } from '../hive/schema-helpers.ts';
import { validateBody } from '../hive/validate.ts';
import { AssignmentStatus, LineCommentWire, LockHolder, Named, Student, doc, idParams, renderLineComment } from './checker-wire.ts';

const LineCommentRequest = Type.Object({
  path: Type.String({ minLength: 1, description: 'A file of the submission.' }),
  line: Type.Integer({ minimum: 1, description: "1-based, at most the file's line count." }),
  text: Type.String({ minLength: 1, maxLength: MAX_LINE_COMMENT }),
});

const ReviewRequest = Type.Object({
  verdict: Enum(VERDICTS, { description: "Hive's status the assignment moves to." }),
  comment: Type.Optional(Type.String({ maxLength: MAX_REVIEW_COMMENT, description: 'The general comment (the staff feedback the student reads).' })),
  points: Type.Optional(
    Type.Array(Type.Object({ problem: Type.Integer({ description: "A problem of the assignment's exercise." }), points: Type.Number({ minimum: 0 }) }), {
      description: 'Per-problem points (0 to the problem’s max_score), each problem at most once.',
    }),
  ),
});

const ReviewSubmissionWire = Type.Object({
  id: Type.Integer(),
  number: Type.Integer(),
  created_at: DateTime(),
  files: Type.Array(
    Type.Object({
      path: Type.String(),
      size: Type.Integer(),
      text: Nullable(Type.String({ description: 'The file as UTF-8 text when it is text of at most 256 KiB; else null (GET /submissions/{id}/files/{path}).' })),
    }),
  ),
  comments: Type.Array(LineCommentWire),
});

const ReviewWire = Type.Object({
  assignment: Type.Object({
    id: Type.Integer(),
    status: AssignmentStatus,
    course: Named,
    exercise: Named,
    student: Student,
    locked_by: Nullable(LockHolder),
  }),
  latest: Nullable(ReviewSubmissionWire),
  previous: Nullable(ReviewSubmissionWire),
  problems: Type.Array(Type.Object({ id: Type.Integer(), name: Type.String(), max_score: Type.Number(), points: Nullable(Type.Number()) })),
  grade: Nullable(
    Type.Object({
      points: Nullable(Type.Number()),
      passing: Nullable(Type.Boolean()),
      text: Type.String(),
      author: Nullable(Named),
      created_at: DateTime(),
    }),
  ),
});

const renderSubmission = (s: ReviewSubmission) => ({ ...s, comments: s.comments.map(renderLineComment) });
const render = (r: Review) => ({ ...r, latest: r.latest && renderSubmission(r.latest), previous: r.previous && renderSubmission(r.previous) });

/**
 * Grading an assignment in the browser. The course's grading side (checkers of the course,
 * instructors, staff); a student gets 403 on their own work and 404 on others'; writes are
 * refused (403) while another checker holds the assignment's lock.
 *
 * - `GET /assignments/{id}/review/`: the latest and previous submissions with their files' text
 *   (for a diff) and line comments, the problems with their points, the latest staff grade, and
 *   who holds the lock.
 * - `POST /submissions/{id}/review/` `{verdict: Done|Redo, comment?, points?: [{problem, points}]}`:
 *   the verdict (a Hive response), the points and the comment, at once; answers the review.
 * - `GET /submissions/{id}/comments/`: the line comments (also for the submission's student).
 * - `POST /submissions/{id}/comments/` `{path, line, text}`; `DELETE /submissions/{id}/comments/{comment}/` (its author or staff).
 */
export function checkerReviewRoutes(router: HiveRouter): void {
  router.get(
    '/assignments/:id/review/',
    { schema: doc('assay_review_retrieve', "What a checker grades: the assignment's latest and previous submissions, comments, points", { params: idParams, response: { 200: ReviewWire } }) },
    async ({ services, actor, id }) => render(await services.review.reviews.get(actor, id())),
  );

  router.post(
    '/submissions/:id/review/',
    {
      status: 200,
      schema: doc('assay_review_submit', 'Done or Redo with per-problem points and a general comment', { params: idParams, body: ReviewRequest, response: { 200: ReviewWire } }),
    },
    async ({ request, services, actor, id }) => {
      const submissionId = id();
      await services.review.reviews.assertMayReview(actor, submissionId);
      const body = await readHiveBody(request, services);
      const input = validateBody<ReviewInput>(ReviewRequest, body.data, { form: body.form });
      return render(await services.review.reviews.submit(actor, submissionId, input));
    },
  );

  router.get(
    '/submissions/:id/comments/',
    { schema: doc('assay_line_comments_list', "Comments on lines of a submission's files", { params: idParams, response: { 200: Type.Array(LineCommentWire) } }) },
    async ({ services, actor, id }) => (await services.review.comments.list(actor, id())).map(renderLineComment),
  );

  router.post(
    '/submissions/:id/comments/',
    { schema: doc('assay_line_comments_create', 'Comment on a line of a file of the submission', { params: idParams, body: LineCommentRequest, response: { 201: LineCommentWire } }) },
    async ({ request, services, actor, id }) => {
      const submissionId = id();
      await services.review.comments.assertMayComment(actor, submissionId);
      const body = await readHiveBody(request, services);
      const input = validateBody<LineCommentInput>(LineCommentRequest, body.data, { form: body.form });
      return renderLineComment(await services.review.comments.create(actor, submissionId, input));
    },
  );

  router.delete(
    '/submissions/:id/comments/:comment/',
    { schema: doc('assay_line_comments_destroy', 'Delete a line comment (its author or staff)', { params: Type.Object({ id: Type.Integer(), comment: Type.Integer() }) }) },
    async ({ services, actor, id }) => {
      await services.review.comments.delete(actor, id(), id('comment'));
      return EMPTY;
    },
  );
}
