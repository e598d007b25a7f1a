import type { Static } from '@sinclair/typebox';
import { Type } from '@sinclair/typebox';
import { JOB_STATUSES } from '../../grading/queue/index.ts';
import { readHiveBody } from '../hive/body.ts';
import type { HiveRouter } from '../hive/router.ts';
import { MAX_ID } from '../hive/router.ts';
import { DateTime, Enum, Nullable } from '../hive/schema-helpers.ts';
import { validateBody } from '../hive/validate.ts';

const doc = (operationId: string, summary: string, extra: object = {}) => ({ operationId, summary, tags: ['assay'], ...extra });
const params = Type.Object({ id: Type.Integer() });

const QueuedJobWire = Type.Object({
  id: Type.Integer(),
  exercise: Type.Object({ id: Type.Integer(), name: Type.String() }),
  submission: Nullable(Type.Object({ id: Type.Integer(), number: Type.Integer() })),
  user: Nullable(Type.Object({ id: Type.Integer(), name: Type.String() })),
  kind: Enum(['submission', 'rerun'] as const),
  status: Enum(JOB_STATUSES),
  attempts: Type.Integer(),
  max_attempts: Type.Integer(),
  error: Nullable(Type.String({ description: 'Why the last attempt failed.' })),
  created_at: DateTime(),
  started_at: Nullable(DateTime()),
});

const CourseQueueWire = Type.Object({
  counts: Type.Object({ queued: Type.Integer(), waiting: Type.Integer(), running: Type.Integer(), failed: Type.Integer() }),
  median_wait_seconds: Nullable(Type.Number({ description: 'Median time from queued to started of the jobs that started in the last hour.' })),
  jobs: Type.Array(QueuedJobWire, { description: 'Waiting, running, and failed jobs not run again since; oldest first, at most 500.' }),
});

const RerunFailedRequest = Type.Object({
  jobs: Type.Optional(Nullable(Type.Array(Type.Integer({ minimum: 1, maximum: MAX_ID }), { maxItems: 1000, description: 'Failed jobs of the course to run again; left out or null: all of them.' }))),
});

/**
 * A course's grading queue, for the course's instructors, staff and admins (404 for those who
 * cannot see the course, 403 for the others, before the body is read):
 *
 * - `GET /courses/{id}/queue/`: the jobs waiting or running and the failed ones nobody ran again,
 *   counted by status, with the median wait of the last hour.
 * - `POST /courses/{id}/queue/rerun/` `{jobs?}`: queues those failed jobs (or all) again, each as
 *   a new rerun job of its submission; answers how many were queued.
 */
export function courseQueueRoutes(router: HiveRouter): void {
  router.get(
    '/courses/:id/queue/',
    { schema: doc('assay_course_queue', "A course's grading queue: jobs waiting, running and failed, and the median wait (staff and instructors)", { params, response: { 200: CourseQueueWire } }) },
    async ({ services, actor, id }) => services.courseQueue.view(actor, id()),
  );

  router.post(
    '/courses/:id/queue/rerun/',
    {
      status: 200,
      schema: doc('assay_course_queue_rerun', "Run a course's failed grading jobs again (staff and instructors)", {
        params,
        body: RerunFailedRequest,
        response: { 200: Type.Object({ queued: Type.Integer() }) },
      }),
    },
    async ({ request, services, actor, id }) => {
      const courseId = id();
      await services.courseQueue.assertManages(actor, courseId);
      const body = await readHiveBody(request, services);
      const input = validateBody<Static<typeof RerunFailedRequest>>(RerunFailedRequest, body.data, { form: body.form });
      return { queued: await services.courseQueue.rerunFailed(actor, courseId, input.jobs ?? null) };
    },
  );
}
