import type { CourseState } from '../../../core/assessments/access.ts';
import { COURSE_STATES } from '../../../core/assessments/access.ts';
import { badParameter } from '../errors.ts';
import type { AutolabRouter } from '../router.ts';
import { required } from './required.ts';

/** `/user` and `/courses`: outside any course. */
export function courseRoutes(router: AutolabRouter): void {
  router.route('GET', '/user', { scope: 'user_info' }, async ({ services, caller }) => ({
    ...(await services.assessments.catalog.profile(caller.actor)),
    school: null,
    major: null,
    year: null,
  }));

  router.route('GET', '/courses', { scope: 'user_courses' }, async ({ services, caller, params }) => {
    const state = params.text('state');
    if (state !== undefined && !(COURSE_STATES as readonly string[]).includes(state)) throw badParameter('Unexpected course state');
    const courses = await services.assessments.catalog.listCourses(caller.actor, state as CourseState | undefined);
    return courses.map((c) => ({
      name: c.name,
      display_name: c.display_name,
      semester: c.semester,
      late_slack: c.late_slack,
      grace_days: c.grace_days,
      auth_level: c.auth_level,
    }));
  });

  router.route('POST', '/courses', { scope: 'admin_all', needs: 'admin' }, async ({ services, caller, params }) => {
    const [name, semester, instructorEmail] = required(params, 'name', 'semester', 'instructor_email');
    const created = await services.assessments.catalog.createCourse(caller.actor, {
      name: name,
      semester: semester,
      instructorEmail: instructorEmail,
      startDate: params.text('start_date'),
      endDate: params.text('end_date'),
    });
    return { name: created.name };
  });
}
