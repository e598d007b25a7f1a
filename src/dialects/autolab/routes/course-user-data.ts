import type { CourseUserDatum, CourseUserDatumInput } from '../../../core/assessments/roster.service.ts';
import type { AutolabParams } from '../params.ts';
import type { AutolabRouter } from '../router.ts';
import { required } from './required.ts';

const C = '/courses/:course_name/course_user_data';
const INSTRUCTOR = { scope: 'instructor_all', needs: 'instructor', within: 'course' } as const;

const wire = (d: CourseUserDatum) => ({ ...d, school: null, major: null, year: null });

function fields(params: AutolabParams): CourseUserDatumInput {
  const out: CourseUserDatumInput = {};
  for (const key of ['lecture', 'section', 'grade_policy', 'nickname', 'auth_level'] as const) {
    const value = params.text(key);
    if (value !== undefined) out[key] = value;
  }
  const dropped = params.text('dropped');
  if (dropped !== undefined) out.dropped = dropped === 'true';
  return out;
}

/** Course membership (instructors). */
export function courseUserDataRoutes(router: AutolabRouter): void {
  router.route('GET', C, INSTRUCTOR, async (ctx) => (await ctx.services.assessments.roster.list(ctx.course)).map(wire));

  router.route('POST', C, INSTRUCTOR, async (ctx) => {
    const [email, lecture, section, authLevel] = required(ctx.params, 'email', 'lecture', 'section', 'auth_level');
    const input = { ...fields(ctx.params), lecture: lecture, section: section, auth_level: authLevel };
    return wire(await ctx.services.assessments.roster.create(ctx.course, email, input));
  });

  router.route('GET', `${C}/:email`, INSTRUCTOR, async (ctx) => wire(await ctx.services.assessments.roster.show(ctx.course, ctx.path.email)));

  router.route(['PUT', 'PATCH'], `${C}/:email`, INSTRUCTOR, async (ctx) =>
    wire(await ctx.services.assessments.roster.update(ctx.course, ctx.path.email, fields(ctx.params))),
  );

  router.route('DELETE', `${C}/:email`, INSTRUCTOR, async (ctx) => wire(await ctx.services.assessments.roster.drop(ctx.course, ctx.path.email)));
}
