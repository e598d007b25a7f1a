import { Type } from '@sinclair/typebox';
import type { CourseRole } from '../../core/actor.ts';
import type { Member, MemberPatch, RosterReport } from '../../core/enrolment/enrolment.service.ts';
import { rosterError } from '../../core/enrolment/enrolment.service.ts';
import { AssayError } from '../../core/errors.ts';
import { readHiveBody } from '../hive/body.ts';
import type { HiveContext, HiveRouter } from '../hive/router.ts';
import { EMPTY } from '../hive/router.ts';
import { DateTime } from '../hive/schema-helpers.ts';
import { validateBody } from '../hive/validate.ts';

const Role = Type.Union([Type.Literal('student'), Type.Literal('checker'), Type.Literal('instructor')]);
const MemberWire = Type.Object({
  user: Type.Integer(),
  username: Type.String(),
  email: Type.String(),
  first_name: Type.String(),
  last_name: Type.String(),
  role: Role,
  section: Type.String(),
  dropped: Type.Boolean({ description: 'A dropped member keeps the enrolment but no longer takes part (Autolab).' }),
  created_at: DateTime(),
});
const EnrolRequest = Type.Object({
  usernames: Type.Array(Type.String({ minLength: 1, maxLength: 254 }), { minItems: 1, maxItems: 10_000, description: 'Existing accounts, each by username or else by email address.' }),
  role: Role,
});
const MemberPatchRequest = Type.Object({
  role: Type.Optional(Role),
  section: Type.Optional(Type.String({ maxLength: 100 })),
  dropped: Type.Optional(Type.Boolean()),
});
const RosterQuery = Type.Object({
  preview: Type.Optional(Type.Boolean({ description: 'Only check the roster: the report names what each row would do and every problem; nothing is written.' })),
});
const RosterRequest = Type.Object({ csv: Type.String({ description: 'The roster file’s text (or send it as the multipart file `file`).' }) });
const RosterRowWire = Type.Object({
  line: Type.Integer(),
  username: Type.String(),
  role: Role,
  action: Type.Union([Type.Literal('create'), Type.Literal('enrol'), Type.Literal('change'), Type.Literal('unchanged')]),
  password: Type.Optional(Type.String({ description: "A new account's one-time password; only when the roster was applied." })),
});
const RosterProblemWire = Type.Object({ line: Type.Integer(), column: Type.Union([Type.String(), Type.Null()]), message: Type.String() });
const RosterReportWire = Type.Object({ preview: Type.Boolean(), rows: Type.Array(RosterRowWire), problems: Type.Array(RosterProblemWire) });

const render = (m: Member) => ({
  user: m.user_id,
  username: m.username,
  email: m.email,
  first_name: m.first_name,
  last_name: m.last_name,
  role: m.role,
  section: m.section,
  dropped: m.dropped,
  created_at: m.created_at,
});
const doc = (operationId: string, summary: string, extra: object = {}) => ({ operationId, summary, tags: ['assay'], ...extra });
const CourseParams = Type.Object({ id: Type.Integer() });
const MemberParams = Type.Object({ id: Type.Integer(), user: Type.Integer() });

function previewFlag(ctx: HiveContext): boolean {
  const raw = ctx.query.preview;
  if (raw === undefined) return false;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw AssayError.field('preview', 'invalid', 'Must be true or false.');
}

/** The roster's text: the multipart file `file`, or `csv` in a JSON, form or multipart body. */
async function rosterText(ctx: HiveContext): Promise<string> {
  const body = await readHiveBody(ctx.request, ctx.services);
  const file = body.files.find((f) => f.field === 'file');
  if (file) {
    const bytes = await ctx.services.files.read(file.blob.sha256, file.blob.size);
    const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
    if (text.includes('\uFFFD') || text.includes('\0')) throw AssayError.field('file', 'invalid', 'The roster must be UTF-8 text.');
    return text;
  }
  const input = validateBody<{ csv: string }>(RosterRequest, body.data, { form: body.form });
  if (input.csv.includes('\0')) throw AssayError.field('csv', 'invalid', 'The roster must be text.');
  return input.csv;
}

/**
 * Course membership (the core's enrolment, which every dialect's own enrolment writes through).
 * Staff and the course's instructors manage members; its checkers read the roster; other
 * members get 403, everyone else 404.
 *
 * - `GET /courses/{id}/enrollments/`: the members, dropped ones included, in joining order.
 * - `POST /courses/{id}/enrollments/` `{usernames, role}`: enrols existing accounts (200, their memberships).
 * - `PATCH /courses/{id}/enrollments/{user}/` `{role, section, dropped}`: changes one.
 * - `DELETE /courses/{id}/enrollments/{user}/`: ends one (204).
 * - `POST /courses/{id}/roster/[?preview=true]`: imports a roster CSV (README, "Course rosters").
 */
export function enrolmentRoutes(router: HiveRouter): void {
  const course = (ctx: HiveContext) => ({ id: ctx.id() });
  router.get('/courses/:id/enrollments/', { schema: doc('assay_enrollments_list', "A course's members", { params: CourseParams, response: { 200: Type.Array(MemberWire) } }) }, async (ctx) =>
    (await ctx.services.enrolment.roster(ctx.actor, course(ctx))).map(render),
  );
  router.post(
    '/courses/:id/enrollments/',
    { status: 200, schema: doc('assay_enrollments_create', 'Enrols existing users in a course with one role', { params: CourseParams, body: EnrolRequest, response: { 200: Type.Array(MemberWire) } }) },
    async (ctx) => {
      const target = course(ctx);
      await ctx.services.enrolment.assertMayManage(ctx.actor, target);
      const body = await readHiveBody(ctx.request, ctx.services);
      const input = validateBody<{ usernames: string[]; role: CourseRole }>(EnrolRequest, body.data, { form: body.form });
      return (await ctx.services.enrolment.enrol(ctx.actor, target, input.usernames, input.role)).map(render);
    },
  );
  router.patch(
    '/courses/:id/enrollments/:user/',
    { schema: doc('assay_enrollments_update', "Changes a member's role, section or dropped flag", { params: MemberParams, body: MemberPatchRequest, response: { 200: MemberWire } }) },
    async (ctx) => {
      const target = course(ctx);
      const user = ctx.id('user');
      await ctx.services.enrolment.assertMayManage(ctx.actor, target);
      const body = await readHiveBody(ctx.request, ctx.services);
      const input = validateBody<MemberPatch>(MemberPatchRequest, body.data, { form: body.form });
      return render(await ctx.services.enrolment.update(ctx.actor, target, user, input));
    },
  );
  router.delete('/courses/:id/enrollments/:user/', { schema: doc('assay_enrollments_remove', 'Ends a membership', { params: MemberParams }) }, async (ctx) => {
    await ctx.services.enrolment.remove(ctx.actor, course(ctx), ctx.id('user'));
    return EMPTY;
  });
  router.post(
    '/courses/:id/roster/',
    {
      status: 200,
      schema: doc('assay_roster_import', 'Imports a roster CSV (preview=true only checks it)', { params: CourseParams, querystring: RosterQuery, body: RosterRequest, response: { 200: RosterReportWire } }),
    },
    async (ctx) => {
      const target = course(ctx);
      const preview = previewFlag(ctx);
      // Refusals (404, 403) come before the body is read.
      await ctx.services.enrolment.assertMayManage(ctx.actor, target);
      const report: RosterReport = await ctx.services.enrolment.importRoster(ctx.actor, target, await rosterText(ctx), { preview });
      if (!preview && report.problems.length > 0) throw rosterError(report.problems);
      return report;
    },
  );
}
