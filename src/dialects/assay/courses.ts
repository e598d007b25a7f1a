import type { Static } from '@sinclair/typebox';
import { Type } from '@sinclair/typebox';
import type { CourseSummary } from '../../core/courses/course-admin.service.ts';
import type { SyncReport } from '../../core/courses/course-sync.ts';
import { SYNC_KINDS } from '../../core/courses/course-sync.ts';
import type { ExerciseSettingsPatch as ExerciseSettingsInput } from '../../core/courses/exercise-settings.service.ts';
import { PATBAS_POLICIES, PREVIEW_TYPES } from '../../core/courses/exercise-access.ts';
import { AssayError } from '../../core/errors.ts';
import { MAX_GRACE_DAYS, MAX_LATE_SLACK_SECONDS } from '../../core/assessments/late-policy.ts';
import { readHiveBody } from '../hive/body.ts';
import type { HiveRouter } from '../hive/router.ts';
import { DateTime, Enum, Nullable } from '../hive/schema-helpers.ts';
import { validateBody } from '../hive/validate.ts';
import { doc, idParams } from './checker-wire.ts';

const CourseWire = Type.Object({
  id: Type.Integer(),
  slug: Type.String(),
  name: Type.String(),
  semester: Type.String(),
  description: Type.String(),
  start_at: Nullable(DateTime()),
  end_at: Nullable(DateTime()),
});
const NewCourseRequest = Type.Object({
  slug: Type.String({ minLength: 1, maxLength: 60, description: 'Lower-case letters, digits, "-" and "_"; what URLs and other dialects call the course.' }),
  name: Type.String({ minLength: 1, maxLength: 200 }),
  semester: Type.Optional(Type.String({ maxLength: 100 })),
  description: Type.Optional(Type.String({ maxLength: 10_000 })),
  start_at: Type.Optional(Nullable(DateTime())),
  end_at: Type.Optional(Nullable(DateTime())),
});

const Counts = Type.Object({ created: Type.Integer(), updated: Type.Integer(), unchanged: Type.Integer(), deleted: Type.Integer() });
const SyncReportWire = Type.Object({
  course: Type.Integer(),
  slug: Type.String(),
  changed: Type.Boolean({ description: 'Whether anything was written.' }),
  counts: Type.Object(Object.fromEntries(SYNC_KINDS.map((k) => [k, Counts])) as Record<(typeof SYNC_KINDS)[number], typeof Counts>),
  exercises: Type.Array(Type.Object({ id: Type.Integer(), slug: Type.String(), name: Type.String() }), { description: 'Every exercise of the directory, in its order.' }),
  members: Type.Array(
    Type.Object({
      line: Type.Integer(),
      username: Type.String(),
      role: Type.String(),
      action: Type.String(),
      password: Type.Optional(Type.String({ description: "A new account's one-time password." })),
    }),
    { description: 'What each row of roster.csv did; empty without one.' },
  ),
  warnings: Type.Array(Type.String(), { description: 'Rows the directory no longer names (left as they are), grading contract mismatches.' }),
});
const ZipUpload = Type.Object({ file: Type.String({ format: 'binary', description: 'The course directory as a zip (course.yaml at its top, or in its one top folder).' }) });

const ExerciseSettingsWire = Type.Object({
  start_at: Nullable(DateTime()),
  due_at: Nullable(DateTime()),
  end_at: Nullable(DateTime()),
  max_submissions: Nullable(Type.Integer({ minimum: 1, maximum: 100_000, description: 'Submissions a student may make; null: no limit.' })),
  version_threshold: Nullable(Type.Integer({ minimum: -1, maximum: 100_000, description: "Submissions before a penalty; -1 none; null: the course's." })),
  download: Type.Boolean({ description: 'Students may download the handout.' }),
  preview: Enum(PREVIEW_TYPES, { description: "How the statement's preview shows." }),
  patbas: Enum(PATBAS_POLICIES, { description: 'When students see the reference solution.' }),
  patbas_download: Type.Boolean({ description: 'Students who see the solution may download it.' }),
  patbas_preview: Enum(PREVIEW_TYPES),
  max_grace_days: Type.Integer({ minimum: 0, maximum: MAX_GRACE_DAYS, description: 'Grace days one submission may spend on this exercise.' }),
  course_grace_days: Type.Integer({ minimum: 0, maximum: MAX_GRACE_DAYS, description: "The course's (every exercise shares it): grace days a student may spend in all." }),
  course_late_slack: Type.Integer({ minimum: 0, maximum: MAX_LATE_SLACK_SECONDS, description: "The course's: seconds past a deadline not counted as a started late day." }),
});
const ExerciseSettingsPatch = Type.Partial(ExerciseSettingsWire);
const ExerciseSettingsView = Type.Composite([
  Type.Object({ name: Type.String({ description: "The exercise's name (read-only)." }), course: Type.Object({ id: Type.Integer(), name: Type.String() }, { description: 'Its course (read-only).' }) }),
  ExerciseSettingsWire,
]);

const renderCourse = (c: CourseSummary): Static<typeof CourseWire> => ({ ...c });
const renderReport = (r: SyncReport): Static<typeof SyncReportWire> => ({
  course: r.courseId,
  slug: r.slug,
  changed: r.changed,
  counts: r.counts,
  exercises: r.exercises,
  members: r.members,
  warnings: r.warnings,
});

/**
 * Running a course from the browser (the core decides who: coursePolicy; a course's checkers and
 * students are refused, others told it does not exist).
 *
 * - `POST /courses/` `{slug, name, semester, description, start_at, end_at}`: a new course, its
 *   creator its instructor (staff, and instructors of a course) (201).
 * - `GET /courses/{id}/settings/`: the course, for those who manage it.
 * - `POST /courses/{id}/directory/` multipart `file` (a zip): syncs the course directory in it
 *   into the course, as `assay course sync` does; a directory with problems answers 400 with one
 *   error per problem (`attr` = `<file>: <key>`) and changes nothing.
 * - `GET|PATCH /exercises/{id}/settings/`: deadlines, submission limits, visibility, late policy.
 */
export function courseRoutes(router: HiveRouter): void {
  router.post(
    '/courses/',
    { schema: doc('assay_courses_create', 'Opens a new course (its creator instructs it)', { body: NewCourseRequest, response: { 201: CourseWire } }) },
    async ({ request, services, actor }) => {
      const body = await readHiveBody(request, services);
      const input = validateBody<Static<typeof NewCourseRequest>>(NewCourseRequest, body.data, { form: body.form });
      return renderCourse(await services.courseAdmin.create(actor, input));
    },
  );
  router.get(
    '/courses/:id/settings/',
    { schema: doc('assay_course_settings_get', 'A course, for those who manage it', { params: idParams, response: { 200: CourseWire } }) },
    async ({ services, actor, id }) => renderCourse(await services.courseAdmin.getForManage(actor, id())),
  );
  router.post(
    '/courses/:id/directory/',
    {
      status: 200,
      schema: doc('assay_course_directory_sync', 'Syncs a course directory uploaded as a zip into the course', {
        params: idParams,
        consumes: ['multipart/form-data'],
        body: ZipUpload,
        response: { 200: SyncReportWire },
      }),
    },
    async ({ request, services, actor, id }) => {
      const courseId = id();
      // Refusals (404, 403) come before the upload is read.
      await services.courseAdmin.getForManage(actor, courseId);
      const body = await readHiveBody(request, services);
      const [zip, ...more] = body.files.filter((f) => f.field === 'file');
      if (!zip || more.length > 0) throw AssayError.field('file', 'required', 'Send the course directory as one zip file in the multipart field `file`.');
      return renderReport(await services.courseAdmin.syncZip(actor, courseId, zip.blob));
    },
  );
  router.get(
    '/exercises/:id/settings/',
    { schema: doc('assay_exercise_settings_get', "An exercise's deadlines, limits, visibility and late policy", { params: idParams, response: { 200: ExerciseSettingsView } }) },
    async ({ services, actor, id }) => services.exerciseSettings.get(actor, id()),
  );
  router.patch(
    '/exercises/:id/settings/',
    { schema: doc('assay_exercise_settings_update', "Changes an exercise's settings (the keys given)", { params: idParams, body: ExerciseSettingsPatch, response: { 200: ExerciseSettingsView } }) },
    async ({ request, services, actor, id }) => {
      const exerciseId = id();
      await services.exerciseSettings.get(actor, exerciseId);
      const body = await readHiveBody(request, services);
      return services.exerciseSettings.update(actor, exerciseId, validateBody<ExerciseSettingsInput>(ExerciseSettingsPatch, body.data, { form: body.form }));
    },
  );
}
