import type { Static } from '@sinclair/typebox';
import { Type } from '@sinclair/typebox';
import { parseTimestamp } from '../../core/clock.ts';
import { AssayError } from '../../core/errors.ts';
import { GRADE_OUTCOMES } from '../../grading/results/types.ts';
import { readHiveBody } from '../hive/body.ts';
import type { HiveRouter } from '../hive/router.ts';
import { DateTime, Enum, Nullable } from '../hive/schema-helpers.ts';
import { validateBody } from '../hive/validate.ts';
import { ProblemWire, TestWire, renderProblems, renderTests } from './submissions.ts';

const doc = (operationId: string, summary: string, extra: object = {}) => ({ operationId, summary, tags: ['assay'], ...extra });
const params = Type.Object({ id: Type.Integer() });

const TrialRequest = Type.Object({
  submission: Type.Optional(Nullable(Type.Integer({ description: 'A submission of the exercise to run the grader on; left out or null: the reference solution.' }))),
});

const TrialWire = Type.Object({
  on: Enum(['solution', 'submission'] as const),
  submission: Nullable(Type.Integer()),
  outcome: Enum(GRADE_OUTCOMES),
  staff_error: Type.Boolean({ description: 'The grader failed as a harness (not the submission’s fault).' }),
  score: Nullable(Type.Number()),
  max_score: Nullable(Type.Number()),
  feedback: Type.String(),
  tests: Type.Array(TestWire, { description: 'Every test, hidden ones included.' }),
  problems: Type.Record(Type.String(), ProblemWire),
  log: Type.String({ description: "The harness's log (what only staff see)." }),
  warnings: Type.Array(Type.String(), { description: 'Where the result breaks the grading contract with the exercise.' }),
  ms: Type.Integer({ description: 'Wall time of the run, in milliseconds.' }),
});

const RerunProgressWire = Type.Object({
  total: Type.Integer(),
  queued: Type.Integer(),
  waiting: Type.Integer(),
  running: Type.Integer(),
  done: Type.Integer(),
  failed: Type.Integer(),
});

/**
 * The grader workbench (the course's instructors, staff and admins; 404 for those who cannot see
 * the exercise, 403 for the others, before the body is read):
 *
 * - `POST /exercises/{id}/grader/trial/` `{submission?}` runs the exercise's grader as stored now
 *   on its reference solution (or on the submission named) and answers the result with the log,
 *   the contract's warnings and the time it took. Nothing is recorded. 409 when the exercise has no
 *   grader, 400 when it has no reference solution (and none is named) or the submission is not
 *   the exercise's, 429 when the server runs as many trials as it allows, 503 without a sandbox.
 * - `GET /exercises/{id}/rerun/?since=` counts the exercise's rerun jobs queued since `since` (the
 *   `since` of `POST /exercises/{id}/rerun/`'s answer) by status: a rerun's progress.
 */
export function graderWorkbenchRoutes(router: HiveRouter): void {
  router.post(
    '/exercises/:id/grader/trial/',
    {
      status: 200,
      schema: doc('assay_grader_trial', "Run the exercise's grader on its reference solution or a submission, recording nothing (staff and instructors)", {
        params,
        body: TrialRequest,
        response: { 200: TrialWire },
      }),
    },
    async ({ request, services, actor, id }) => {
      const exerciseId = id();
      await services.exercises.getForWrite(actor, exerciseId);
      const body = await readHiveBody(request, services);
      const input = validateBody<Static<typeof TrialRequest>>(TrialRequest, body.data, { form: body.form });
      const trial = await services.graderTrials.run(actor, exerciseId, input.submission ?? null);
      const { grade } = trial;
      return {
        on: trial.on,
        submission: trial.submission,
        outcome: grade.outcome,
        staff_error: grade.staffError,
        score: grade.score,
        max_score: grade.maxScore,
        feedback: grade.feedback,
        tests: renderTests(grade.tests),
        problems: renderProblems(grade.problems),
        log: grade.log,
        warnings: trial.warnings,
        ms: trial.ms,
      };
    },
  );

  router.get(
    '/exercises/:id/rerun/',
    {
      schema: doc('assay_exercise_rerun_progress', "How far the exercise's rerun is: its jobs queued since `since`, by status (staff and instructors)", {
        params,
        querystring: Type.Object({ since: DateTime() }),
        response: { 200: RerunProgressWire },
      }),
    },
    async ({ services, actor, id, query }) => {
      const exerciseId = id();
      await services.exercises.getForWrite(actor, exerciseId);
      const raw = query.since;
      if (raw === undefined || raw === '') throw AssayError.field('since', 'required', 'This field is required.');
      const since = typeof raw === 'string' ? parseTimestamp(raw) : null;
      if (since === null) throw AssayError.field('since', 'invalid', 'Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].');
      return services.courseQueue.rerunProgress(actor, exerciseId, since);
    },
  );
}
