import { Type } from '@sinclair/typebox';
import { csvFileName, exerciseCsv, gradebookCsv } from '../../core/gradebook/gradebook-csv.ts';
import { sendAttachment } from '../hive/attachment.ts';
import type { HiveRouter } from '../hive/router.ts';
import { DateTime, Nullable } from '../hive/schema-helpers.ts';
import { ErrorEnvelope } from './checker-wire.ts';

const Extension = Nullable(Type.Object({ days: Type.Integer(), infinite: Type.Boolean() }));

const CellWire = Type.Object({
  status: Nullable(Type.String({ description: 'The assignment’s status; null before the first submission.' })),
  score: Nullable(Type.Number({ description: 'The latest submission’s score as the student’s own pages show it (its latest released feedback with points).' })),
  submissions: Type.Integer(),
  latest_submission: Nullable(Type.Integer()),
  submitted_at: Nullable(DateTime()),
  days_late: Type.Integer({ description: 'Started days past the due date (after the late slack and any extension) of the latest handin.' }),
  grace_days: Type.Integer({ description: 'Grace days that handin spends.' }),
  penalty_days: Type.Integer({ description: 'Late days no grace day covers.' }),
  extension: Extension,
});

const GradebookWire = Type.Object({
  course: Type.Object({ id: Type.Integer(), slug: Type.String(), name: Type.String(), grace_days: Type.Integer() }),
  exercises: Type.Array(Type.Object({ id: Type.Integer(), slug: Type.String(), name: Type.String(), due_at: Nullable(DateTime()), max_score: Nullable(Type.Number()) }), {
    description: 'The columns, in the curriculum’s order (lectures have none).',
  }),
  students: Type.Array(
    Type.Object({
      id: Type.Integer(),
      username: Type.String(),
      email: Type.String(),
      first_name: Type.String(),
      last_name: Type.String(),
      section: Type.String(),
      total: Type.Number({ description: 'The sum of the scores shown.' }),
      grace_days_left: Nullable(Type.Integer({ description: 'Null when the course grants no grace days.' })),
      cells: Type.Array(CellWire, { description: 'One per exercise, in the order of `exercises`.' }),
    }),
    { description: 'The course’s current students, by last name.' },
  ),
});

const idParams = Type.Object({ id: Type.Integer() });
const refused = { 403: ErrorEnvelope, 404: ErrorEnvelope };
const doc = <Extra extends object>(operationId: string, summary: string, extra: Extra) => ({ operationId, summary, tags: ['assay'], ...extra });
const csvAnswer = { produces: ['text/csv'], response: { 200: Type.String({ description: 'CSV (RFC 4180, CRLF), header row first.' }), ...refused } };

/**
 * A course's gradebook for its staff (staff, admins, its instructors; its checkers and students
 * are refused by the core, others told it does not exist).
 *
 * - `GET /courses/{id}/gradebook/`: students × exercises (status, score, lateness, extension per cell).
 * - `GET /courses/{id}/gradebook.csv`: one row per student, a score column per exercise (streamed).
 * - `GET /exercises/{id}/gradebook.csv`: one row per student for one exercise, with status,
 *   submissions, lateness and extension (streamed).
 */
export function gradebookRoutes(router: HiveRouter): void {
  router.get(
    '/courses/:id/gradebook/',
    { schema: doc('assay_gradebook_retrieve', 'A course’s gradebook: students × exercises', { params: idParams, response: { 200: GradebookWire, ...refused } }) },
    async ({ reply, services, actor, params }) => {
      const gradebook = await services.gradebook.gradebook(actor, { id: params.id });
      // Twenty thousand cells of nullable fields: the schema's serializer picks each union's branch
      // per value, several times slower than JSON.stringify on an object already in the wire's shape.
      reply.type('application/json; charset=utf-8');
      return JSON.stringify(gradebook);
    },
  );
  router.get('/courses/:id/gradebook.csv', { schema: doc('assay_gradebook_export', 'The gradebook as CSV, one row per student', { params: idParams, ...csvAnswer }) }, async ({ reply, services, actor, params }) => {
    const gradebook = await services.gradebook.gradebook(actor, { id: params.id });
    return sendAttachment(reply, gradebookCsv(gradebook), csvFileName(gradebook), 'text/csv; charset=utf-8');
  });
  router.get(
    '/exercises/:id/gradebook.csv',
    { schema: doc('assay_gradebook_exercise_export', 'One exercise’s column of the gradebook as CSV, one row per student', { params: idParams, ...csvAnswer }) },
    async ({ reply, services, actor, params }) => {
      const exerciseId = params.id;
      const courseId = await services.gradebook.courseOfExercise(exerciseId);
      const { gradebook, index } = await services.gradebook.exerciseSheet(actor, { id: courseId }, exerciseId);
      return sendAttachment(reply, exerciseCsv(gradebook, index), csvFileName(gradebook, index), 'text/csv; charset=utf-8');
    },
  );
}
