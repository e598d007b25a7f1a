import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { AssayError } from '../../core/errors.ts';
import type { Submission, SubmissionDetail, SubmissionInput } from '../../core/grading/submissions.service.ts';
import type { Services } from '../../core/services.ts';
import { JOB_STATUSES } from '../../grading/queue/index.ts';
import type { ProblemResult, TestResult } from '../../grading/results/types.ts';
import { sendAttachment } from '../hive/attachment.ts';
import { readHiveBody } from '../hive/body.ts';
import type { HiveRouter } from '../hive/router.ts';
import { EMPTY } from '../hive/router.ts';
import { DateTime, Enum, Nullable } from '../hive/schema-helpers.ts';
import { OUTCOMES, TIMELINE_ACTIONS, outcomeName, timelineAction } from './grading-steps.ts';

const JobStatus = Enum(JOB_STATUSES);
const Outcome = Enum(OUTCOMES);
const Step = Enum(TIMELINE_ACTIONS);

const TreeEntry = Type.Object({ path: Type.String(), size: Type.Integer(), sha256: Type.String(), md5: Type.String() });

const SubmissionWire = Type.Object({
  id: Type.Integer(),
  exercise: Type.Integer(),
  assignment: Type.Integer(),
  user: Nullable(Type.Integer()),
  number: Type.Integer({ description: '1, 2, 3, … within the assignment.' }),
  created_at: DateTime(),
  answers: Nullable(Type.Object({}, { additionalProperties: true })),
  files: Type.Array(TreeEntry),
  job: Nullable(Type.Object({ id: Type.Integer(), status: JobStatus }, { description: 'The latest grading job of the submission.' })),
});

export const TestWire = Type.Object({
  name: Type.String(),
  score: Nullable(Type.Number()),
  max_score: Nullable(Type.Number()),
  status: Nullable(Enum(['passed', 'failed'] as const)),
  output: Type.String(),
  visibility: Type.String(),
});

export const ProblemWire = Type.Object({ score: Nullable(Type.Number()), result: Nullable(Type.String()), feedback: Nullable(Type.String()) });

const GradingWire = Type.Object({
  status: JobStatus,
  outcome: Nullable(Outcome),
  score: Nullable(Type.Number()),
  max_score: Nullable(Type.Number()),
  feedback: Nullable(Type.String()),
  tests: Type.Array(TestWire, { description: 'Students see the visible tests (and after_due_date ones once the exercise is due).' }),
  problems: Type.Record(Type.String(), ProblemWire),
  log: Nullable(Type.String({ description: "The harness's log; staff only." })),
  warnings: Type.Array(Type.String(), {
    description: 'Staff only (empty for students): where the result breaks the grading contract (names a problem the exercise does not have, leaves one unscored).',
  }),
  timeline: Type.Array(Type.Object({ time: DateTime(), action: Step, payload: Nullable(Type.String()) })),
});

const Person = Type.Object({ id: Type.Integer(), name: Type.String() });
const CommentWire = Type.Object({
  id: Type.Integer(),
  author: Nullable(Person),
  text: Type.String(),
  file: Type.String({ description: 'The path of the file the comment is on.' }),
  line: Type.Integer({ minimum: 1, description: '1-based.' }),
  created_at: DateTime(),
});
const StaffGradeWire = Type.Object({
  points: Nullable(Type.Number()),
  passing: Nullable(Type.Boolean()),
  text: Nullable(Type.String({ description: 'The general comment.' })),
  author: Nullable(Person),
  created_at: DateTime(),
});

const SubmissionDetailWire = Type.Object({
  ...SubmissionWire.properties,
  grading: Nullable(GradingWire),
  queue_position: Nullable(Type.Integer({ minimum: 1, description: 'While its grading is queued: 1 = graded next.' })),
  comments: Type.Array(CommentWire, { description: 'Staff comments on lines of its files (code review), by path and line.' }),
  grade: Nullable(StaffGradeWire),
});

const render = (s: Submission) => ({
  id: s.id,
  exercise: s.exercise_id,
  assignment: s.assignment_id,
  user: s.user_id,
  number: s.number,
  created_at: s.created_at,
  answers: s.answers,
  files: s.files,
  job: s.job,
});

const renderDetail = (s: SubmissionDetail) => ({
  ...render(s),
  grading: s.grading && {
    ...s.grading,
    outcome: s.grading.outcome && outcomeName(s.grading.outcome),
    timeline: s.grading.timeline.map((e) => ({ ...e, action: timelineAction(e.action) })),
    tests: renderTests(s.grading.tests),
    problems: renderProblems(s.grading.problems),
  },
});

export const renderTests = (tests: TestResult[]) => tests.map((t) => ({ name: t.name, score: t.score, max_score: t.maxScore, status: t.status, output: t.output, visibility: t.visibility }));
export const renderProblems = (problems: Record<string, ProblemResult>) =>
  Object.fromEntries(Object.entries(problems).map(([name, p]) => [name, { score: p.score ?? null, result: p.result ?? null, feedback: p.feedback ?? null }]));

/** `answers`: a JSON object, given as JSON text in a form or multipart field, or as itself in a JSON body. */
function readAnswers(raw: unknown, form: boolean): Record<string, unknown> | undefined {
  if (raw === undefined) return undefined;
  if (Array.isArray(raw) && form) throw AssayError.field('answers', 'invalid', 'Send one answers field.');
  let value = raw;
  if (form && typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      throw AssayError.field('answers', 'invalid', 'Value must be valid JSON.');
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw AssayError.field('answers', 'invalid', 'Expected a JSON object of answers.');
  }
  return value as Record<string, unknown>;
}

/** The `file` parts (named by their paths) and the `answers` field of the body. */
async function readSubmission(request: FastifyRequest, services: Services): Promise<SubmissionInput> {
  const body = await readHiveBody(request, services, { preservePath: true });
  const files = body.files.filter((f) => f.field === 'file').map((f) => ({ path: f.filename, blob: f.blob }));
  const answers = readAnswers(body.data.answers, body.form);
  return answers === undefined ? { files } : { files, answers };
}

const doc = (operationId: string, summary: string, extra: object = {}) => ({ operationId, summary, tags: ['assay'], ...extra });

/**
 * Submissions and their automatic grading.
 *
 * - `POST /exercises/{id}/submissions/`: hands in files for the caller (multipart `file` parts,
 *   each part's filename being its path: `curl -F "file=@main.py;filename=src/main.py"`) and/or
 *   an `answers` field holding a JSON object (a JSON body `{"answers": {...}}` works too for
 *   answers alone). The submission goes into the caller's assignment on the exercise (made at
 *   the first one), takes the next number, and gets one grading job, all at once. Answers 201
 *   `{id, exercise, assignment, user, number, created_at, answers, files: [{path, size, sha256,
 *   md5}], job: {id, status}}`. A bad path is a 400 on `files.<i>.path`, no file and no answers a
 *   400 on `file`, a file over the upload limit a 413, an exercise the caller cannot see a 404,
 *   and 403 once a student has used the exercise's `max_submissions`.
 * - `GET /exercises/{id}/submissions/`: students get their own submissions, the course's
 *   checkers, instructors and staff all of them, oldest first.
 * - `GET /submissions/{id}/`: one submission and its latest grading: `grading: {status (queued,
 *   running, waiting, done, failed), outcome (Success, Error, No Check once done), score,
 *   max_score, feedback, tests, problems, log, warnings, timeline: [{time, action, payload}]}` (the
 *   Hive autocheck steps Handling, Built, Sending, Finished, then Success, Error or No Check, and a
 *   staff-only Warning step per grading contract warning, also listed in `warnings`), or
 *   `grading: null` for a submission never queued for grading. Students see only the tests whose
 *   visibility is `visible` (and `after_due_date` once the exercise is due) and no log; other
 *   people's submissions are 404. Also `queue_position` (1 = next, while queued), `comments`
 *   (staff comments on lines: `{id, author, text, file, line, created_at}`) and `grade` (the
 *   latest grade a person gave: `{points, passing, text, author, created_at}` or null).
 * - `GET /submissions/{id}/files/{path}`: one submitted file's bytes (`text/plain; charset=utf-8`
 *   for text, else `application/octet-stream`, always `nosniff`); 404 for a path it does not have.
 * - `DELETE /submissions/{id}/`: staff and the course's instructors delete a submission with its
 *   grades, feedback and grading jobs, in one transaction; 204. It is gone from every listing
 *   (ngshare's included); its files are freed by `assay gc`. 403 for others who can see it.
 * - `POST /exercises/{id}/rerun/`: staff and the course's instructors grade the latest
 *   submission of every assignment again, behind fresh submissions; 200 `{queued: n, since}` (a
 *   submission whose job has not started yet is not queued twice; `GET` with `?since=` tells the
 *   rerun's progress, grader-workbench.ts). 403 for others who can see the exercise.
 */
export function submissionRoutes(router: HiveRouter): void {
  const params = Type.Object({ id: Type.Integer() });

  router.post(
    '/exercises/:id/submissions/',
    {
      schema: doc('assay_submissions_create', 'Submit files and answers for an exercise, queueing one grading job', {
        params,
        consumes: ['multipart/form-data', 'application/json'],
        body: Type.Object({
          file: Type.Optional(Type.Array(Type.String({ format: 'binary' }), { description: "One part per file; each part's filename is its path." })),
          answers: Type.Optional(Type.String({ description: 'A JSON object of answers, as text.' })),
        }),
        response: { 201: SubmissionWire },
      }),
    },
    async ({ request, services, actor, id }) => {
      const exerciseId = id();
      const target = await services.submissions.target(actor, exerciseId);
      const input = await readSubmission(request, services);
      return render(await services.submissions.submit(actor, exerciseId, input, target));
    },
  );

  router.get(
    '/exercises/:id/submissions/',
    { schema: doc('assay_submissions_list', 'List the submissions of an exercise (students: their own)', { params, response: { 200: Type.Array(SubmissionWire) } }) },
    async ({ services, actor, id }) => (await services.submissions.list(actor, id())).map(render),
  );

  router.get(
    '/submissions/:id/',
    { schema: doc('assay_submissions_retrieve', 'One submission with its latest grading and timeline', { params, response: { 200: SubmissionDetailWire } }) },
    async ({ services, actor, id }) => {
      const submission = await services.submissions.get(actor, id());
      const extras = await services.submissionView.extras(actor, submission.id, submission.job);
      return {
        ...renderDetail(submission),
        queue_position: extras.queue_position,
        comments: extras.comments.map((c) => ({ id: c.id, author: c.author, text: c.text, file: c.path, line: c.line, created_at: c.created_at })),
        grade: extras.grade,
      };
    },
  );

  router.get(
    '/submissions/:id/files/*',
    {
      schema: doc('assay_submission_file', 'One file of a submission, by its path', {
        params: Type.Object({ id: Type.Integer(), '*': Type.String({ description: 'The file’s path, e.g. src/main.py.' }) }),
        produces: ['text/plain', 'application/octet-stream'],
        response: { 200: Type.String({ format: 'binary' }) },
      }),
    },
    async ({ request, reply, services, actor, id }) => {
      const path = (request.params as Record<string, string>)['*'] ?? '';
      const { entry, content, text } = await services.submissionView.file(actor, id(), path);
      return sendAttachment(reply, content, entry.path, text ? 'text/plain; charset=utf-8' : 'application/octet-stream', entry.size);
    },
  );

  router.delete(
    '/submissions/:id/',
    { schema: doc('assay_submissions_destroy', 'Delete a submission with its grades, feedback and grading jobs (staff and instructors)', { params }) },
    async ({ services, actor, id }) => {
      await services.submissions.delete(actor, id());
      return EMPTY;
    },
  );

  router.post(
    '/exercises/:id/rerun/',
    {
      status: 200,
      schema: doc('assay_exercise_rerun', 'Grade the latest submission of every assignment again (staff and instructors)', {
        params,
        response: {
          200: Type.Object({
            queued: Type.Integer(),
            since: Type.String({ format: 'date-time', description: 'The rerun’s jobs are those queued since: GET this path with ?since= for its progress.' }),
          }),
        },
      }),
    },
    async ({ services, actor, id }) => services.submissions.rerun(actor, id()),
  );
}
