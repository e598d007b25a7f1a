import { Type } from '@sinclair/typebox';
import { ASSIGNMENT_STATUSES } from '../../core/assignments/status-flow.ts';
import { FIELD_TYPES } from '../../core/courses/fields.service.ts';
import type { Field } from '../../core/courses/fields.service.ts';
import { sendAttachment } from '../hive/attachment.ts';
import { ErrorEnvelope } from './checker-wire.ts';
import type { HiveRouter } from '../hive/router.ts';
import { DateTime, Enum, Nullable } from '../hive/schema-helpers.ts';

const Status = Nullable(Enum(ASSIGNMENT_STATUSES, { description: 'The assignment’s status; null before the first submission.' }));

const ExerciseCard = Type.Object({
  id: Type.Integer(),
  slug: Type.String(),
  name: Type.String(),
  due_at: Nullable(DateTime()),
  end_at: Nullable(DateTime()),
  status: Status,
  score: Nullable(Type.Number({ description: 'The latest submission’s score (its latest released feedback with points, automatic or a person’s).' })),
  max_score: Nullable(Type.Number({ description: 'The sum of the exercise’s problems’ maximums; null without problems.' })),
  submissions: Type.Integer(),
});

const CourseCard = Type.Object({
  id: Type.Integer(),
  slug: Type.String(),
  name: Type.String(),
  semester: Type.String(),
  role: Enum(['student', 'checker', 'instructor'] as const),
  grace_days: Nullable(Type.Integer({ description: 'Late days the course grants; null when none.' })),
  grace_days_left: Nullable(Type.Integer()),
});

const DueItem = Type.Object({
  exercise: Type.Object({ id: Type.Integer(), slug: Type.String(), name: Type.String() }),
  course: Type.Object({ id: Type.Integer(), name: Type.String() }),
  due_at: Nullable(Type.String({ format: 'date-time', description: 'After the caller’s extension.' })),
  end_at: Nullable(DateTime()),
  status: Status,
  score: Nullable(Type.Number()),
  max_score: Nullable(Type.Number()),
  submissions: Type.Integer(),
  submissions_left: Nullable(Type.Integer({ description: 'Null: no limit.' })),
  extension_days: Nullable(Type.Integer()),
});

const HomeWire = Type.Object({ courses: Type.Array(CourseCard), due: Type.Array(DueItem, { description: 'Open exercises with a due date across the caller’s courses, soonest first.' }) });

const CurriculumWire = Type.Object({
  course: Type.Object({ id: Type.Integer(), slug: Type.String(), name: Type.String(), semester: Type.String() }),
  subjects: Type.Array(
    Type.Object({
      id: Type.Integer(),
      symbol: Type.String(),
      name: Type.String(),
      color: Type.String(),
      modules: Type.Array(Type.Object({ id: Type.Integer(), name: Type.String(), exercises: Type.Array(ExerciseCard) })),
    }),
  ),
  unfiled: Type.Array(ExerciseCard, { description: 'Exercises in no module.' }),
});

const FieldWire = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  description: Type.String(),
  type: Enum(FIELD_TYPES),
  required: Type.Boolean(),
  choices: Nullable(Type.Array(Type.String())),
  lower_limit: Nullable(Type.Number()),
  upper_limit: Nullable(Type.Number()),
});

const OverviewWire = Type.Object({
  ...ExerciseCard.properties,
  course: Type.Object({ id: Type.Integer(), name: Type.String() }),
  description: Type.String({ description: 'Markdown source.' }),
  start_at: Nullable(DateTime()),
  max_submissions: Nullable(Type.Integer()),
  submissions_left: Nullable(Type.Integer({ description: 'Null: no limit (or the caller grades this course).' })),
  extension: Nullable(Type.Object({ days: Type.Integer(), infinite: Type.Boolean() })),
  limits: Type.Object({ max_upload_bytes: Type.Integer(), wall_seconds: Nullable(Type.Integer()), memory_mb: Nullable(Type.Integer()) }),
  fields: Type.Array(FieldWire, { description: 'The inputs the exercise asks for (send them as `answers`, by name).' }),
  handout: Type.Array(Type.Object({ path: Type.String(), size: Type.Integer() }), { description: 'The starter files (GET handout.zip); empty when none or not downloadable.' }),
  latest_submission: Nullable(Type.Integer()),
});

const renderField = (f: Field) => ({ id: f.id, name: f.name, description: f.description, type: f.type, required: f.required, choices: f.choices, lower_limit: f.lower_limit, upper_limit: f.upper_limit });

/** Error answers, in Hive's envelope. */
const ERRORS = { 400: ErrorEnvelope, 401: ErrorEnvelope, 403: ErrorEnvelope, 404: ErrorEnvelope };
const doc = (operationId: string, summary: string, extra: { response?: object } & Record<string, unknown> = {}) => ({ operationId, summary, tags: ['student'], ...extra, response: { ...ERRORS, ...extra.response } });
const params = Type.Object({ id: Type.Integer() });

/**
 * A student's pages (the core decides what each caller sees; these only translate):
 * - `GET /me/courses/`: the caller's courses and, across those they study, what is due next.
 * - `GET /courses/{id}/curriculum/`: subjects → modules → exercises with the caller's status and score.
 * - `GET /exercises/{id}/overview/`: one exercise before handing in.
 * - `GET /exercises/{id}/handout.zip`: its starter files (404 none, 403 when students may not download them).
 */
export function studentProgressRoutes(router: HiveRouter): void {
  router.get('/me/courses/', { schema: doc('assay_me_courses', 'My courses and what is due next', { response: { 200: HomeWire } }) }, async ({ services, actor }) => {
    const home = await services.progress.home(actor);
    return {
      courses: home.courses,
      due: home.due.map((d) => ({ ...d, exercise: { id: d.id, slug: d.slug, name: d.name } })),
    };
  });

  router.get(
    '/courses/:id/curriculum/',
    { schema: doc('assay_course_curriculum', 'A course’s subjects, modules and exercises with my status and score', { params, response: { 200: CurriculumWire } }) },
    async ({ services, actor, id }) => services.progress.curriculum(actor, id()),
  );

  router.get(
    '/exercises/:id/overview/',
    { schema: doc('assay_exercise_overview', 'One exercise before handing in: description, deadlines, limits, fields, handout', { params, response: { 200: OverviewWire } }) },
    async ({ services, actor, id }) => {
      const overview = await services.progress.exercise(actor, id());
      return { ...overview, fields: overview.fields.map(renderField), handout: overview.handout.map((f) => ({ path: f.path, size: f.size })) };
    },
  );

  router.get(
    '/exercises/:id/handout.zip',
    {
      schema: doc('assay_exercise_handout_zip', 'The exercise’s starter files as a zip', {
        params,
        produces: ['application/zip'],
        response: { 200: Type.String({ format: 'binary', description: 'application/zip' }) },
      }),
    },
    async ({ reply, services, actor, id }) => {
      const { exercise, treeId } = await services.exercises.handoutTree(actor, id());
      return sendAttachment(reply, await services.files.zipTree(treeId), `${exercise.slug}.zip`, 'application/zip');
    },
  );
}
