import { Type } from '@sinclair/typebox';
import type { ExtensionInfo } from '../../core/assessments/extensions.service.ts';
import { MAX_GRACE_DAYS, MAX_LATE_SLACK_SECONDS } from '../../core/assessments/late-policy.ts';
import { MAX_EXTENSION_DAYS } from '../../core/assessments/extensions.service.ts';
import { readHiveBody } from '../hive/body.ts';
import type { HiveRouter } from '../hive/router.ts';
import { EMPTY } from '../hive/router.ts';
import { DateTime, Nullable } from '../hive/schema-helpers.ts';
import { validateBody } from '../hive/validate.ts';

const ExtensionRequest = Type.Object({
  days: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_EXTENSION_DAYS, description: 'Days added to the due and end dates (default 0).' })),
  infinite: Type.Optional(Type.Boolean({ description: 'No end date at all for this student (default false).' })),
});
const ExtensionWire = Type.Object({
  user: Type.Integer(),
  username: Type.String(),
  email: Type.String(),
  days: Type.Integer(),
  infinite: Type.Boolean(),
  created_at: DateTime(),
  updated_at: DateTime(),
});

const LatenessWire = Type.Object({
  user: Type.Integer(),
  username: Type.String(),
  email: Type.String(),
  days_late: Type.Integer({ description: 'Started days past the due date (after the late slack and any extension) of the latest handin.' }),
  grace_days: Type.Integer({ description: 'Grace days this assessment spends.' }),
  penalty_days: Type.Integer({ description: 'Late days no grace day covers.' }),
  grace_days_left: Type.Integer({ description: "The course's grace days not spent on any assessment." }),
  extension: Type.Union([Type.Object({ days: Type.Integer(), infinite: Type.Boolean() }), Type.Null()]),
});

const AssessmentSettingsWire = Type.Object({
  max_grace_days: Type.Integer({ minimum: 0, description: 'Grace days one handin may spend on this assessment.' }),
  disable_handins: Type.Boolean(),
  group_size: Type.Integer({ minimum: 1, description: '1: individual work.' }),
  allow_student_assign_group: Type.Boolean(),
  version_threshold: Nullable(Type.Integer({ minimum: -1, description: "Submissions before penalties (Autolab's max_unpenalized_submissions); -1 unlimited; null: the course's." })),
  handin_filename: Type.String({ minLength: 1, maxLength: 255, description: 'The name a handin is stored (and graded) under.' }),
  max_size_mb: Type.Integer({ minimum: 1, description: 'Largest handin, in MiB.' }),
  has_scoreboard: Type.Boolean(),
  embedded_quiz: Type.Boolean(),
  handout_url: Nullable(Type.String({ maxLength: 2000, description: 'Given: the handout is this URL instead of the handout files.' })),
  writeup_url: Nullable(Type.String({ maxLength: 2000, description: 'Given: the writeup is this URL instead of the PDF preview.' })),
});
const CourseSettingsWire = Type.Object({
  disabled: Type.Boolean({ description: 'Students and course assistants are refused.' }),
  disable_on_end: Type.Boolean({ description: 'The course counts as disabled once it has ended.' }),
  version_threshold: Type.Integer({ minimum: -1, description: 'Default max_unpenalized_submissions of its assessments; -1 unlimited.' }),
  grace_days: Type.Integer({ minimum: 0, maximum: MAX_GRACE_DAYS, description: "Late days a student may spend without penalty across the course's assessments (each capped by its max_grace_days)." }),
  late_slack: Type.Integer({ minimum: 0, maximum: MAX_LATE_SLACK_SECONDS, description: 'Seconds past the due date, and past each later day boundary, not counted as a started late day; handins also close this much after the end date.' }),
});

const render = (x: ExtensionInfo) => ({ user: x.user, username: x.username, email: x.email, days: x.days, infinite: x.infinite, created_at: x.created_at, updated_at: x.updated_at });
const doc = (operationId: string, summary: string, extra: object = {}) => ({ operationId, summary, tags: ['assay'], ...extra });
const ExerciseParams = Type.Object({ id: Type.Integer() });
const ExtensionParams = Type.Object({ id: Type.Integer(), user: Type.Integer() });

/**
 * Per-student extensions of an exercise's due and end dates (Autolab's late policy: handins close
 * at the end date unless the student holds an extension). Staff and the course's instructors.
 *
 * - `GET /exercises/{id}/extensions/`: every extension of the exercise.
 * - `PUT /exercises/{id}/extensions/{user}/` `{days, infinite}`: gives or changes one.
 * - `DELETE /exercises/{id}/extensions/{user}/`: takes it back (204; 404 when there is none).
 * - `GET /exercises/{id}/lateness/`: grace and penalty days of each submitter (students: their own).
 */
export function extensionRoutes(router: HiveRouter): void {
  router.get('/exercises/:id/extensions/', { schema: doc('assay_extensions_list', 'Extensions of an exercise', { params: ExerciseParams, response: { 200: Type.Array(ExtensionWire) } }) }, async ({ services, actor, id }) =>
    (await services.assessments.extensions.list(actor, id())).map(render),
  );
  router.put(
    '/exercises/:id/extensions/:user/',
    { schema: doc('assay_extensions_set', "Gives or changes a student's extension", { params: ExtensionParams, body: ExtensionRequest, response: { 200: ExtensionWire } }) },
    async ({ request, services, actor, id }) => {
      const body = await readHiveBody(request, services);
      const input = validateBody<{ days?: number; infinite?: boolean }>(ExtensionRequest, body.data, { form: body.form });
      return render(await services.assessments.extensions.set(actor, id(), id('user'), { days: input.days ?? 0, infinite: input.infinite ?? false }));
    },
  );
  router.get('/exercises/:id/lateness/', { schema: doc('assay_lateness_list', 'Grace days and late days per submitter', { response: { 200: Type.Array(LatenessWire) } }) }, async ({ services, actor, id }) =>
    (await services.assessments.lateness.report(actor, id())).map((x) => ({
      user: x.user,
      username: x.username,
      email: x.email,
      days_late: x.daysLate,
      grace_days: x.graceDays,
      penalty_days: x.penaltyDays,
      grace_days_left: x.graceDaysLeft,
      extension: x.extension,
    })),
  );
  settingRoutes(router);
  router.delete('/exercises/:id/extensions/:user/', { schema: doc('assay_extensions_remove', "Takes back a student's extension", { params: ExtensionParams }) }, async ({ services, actor, id }) => {
    await services.assessments.extensions.remove(actor, id(), id('user'));
    return EMPTY;
  });
}

/**
 * Autolab's settings that the core's exercises and courses have no column for (staff and the
 * course's instructors): `GET` answers them (defaults until set), `PATCH` changes the keys given.
 *
 * - `/exercises/{id}/autolab/`: grace days, handins, groups, handin file, size, downloads as URLs.
 * - `/courses/{id}/autolab/`: disabled, disable on end, the submissions threshold, grace days, late slack.
 * - `POST /exercises/{id}/autolab/release/` `{released}`: releases (or withdraws) every score of the
 *   exercise; students see withdrawn ones as `"unreleased"` (200, empty).
 */
function settingRoutes(router: HiveRouter): void {
  const PatchAssessment = Type.Partial(AssessmentSettingsWire);
  const PatchCourse = Type.Partial(CourseSettingsWire);
  router.get('/exercises/:id/autolab/', { schema: doc('assay_autolab_assessment_get', "An exercise's Autolab settings", { response: { 200: AssessmentSettingsWire } }) }, async ({ services, actor, id }) =>
    services.assessments.catalog.assessmentSettings(actor, id()),
  );
  router.patch(
    '/exercises/:id/autolab/',
    { schema: doc('assay_autolab_assessment_update', "Changes an exercise's Autolab settings", { body: PatchAssessment, response: { 200: AssessmentSettingsWire } }) },
    async ({ request, services, actor, id }) => {
      const body = await readHiveBody(request, services);
      return services.assessments.catalog.configureAssessment(actor, id(), validateBody(PatchAssessment, body.data, { form: body.form }));
    },
  );
  const Release = Type.Object({ released: Type.Boolean() });
  router.post('/exercises/:id/autolab/release/', { schema: doc('assay_autolab_release', 'Releases or withdraws every score of an exercise', { body: Release }) }, async ({ request, services, actor, id }) => {
    const body = await readHiveBody(request, services);
    const input = validateBody<{ released: boolean }>(Release, body.data, { form: body.form });
    await services.assessments.scores.setReleased(actor, id(), input.released);
    return EMPTY;
  });
  router.get('/courses/:id/autolab/', { schema: doc('assay_autolab_course_get', "A course's Autolab settings", { response: { 200: CourseSettingsWire } }) }, async ({ services, actor, id }) =>
    services.assessments.catalog.courseSettings(actor, id()),
  );
  router.patch(
    '/courses/:id/autolab/',
    { schema: doc('assay_autolab_course_update', "Changes a course's Autolab settings", { body: PatchCourse, response: { 200: CourseSettingsWire } }) },
    async ({ request, services, actor, id }) => {
      const body = await readHiveBody(request, services);
      return services.assessments.catalog.configureCourse(actor, id(), validateBody(PatchCourse, body.data, { form: body.form }));
    },
  );
}
