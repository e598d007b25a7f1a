import { AssayError } from '../../../core/errors.ts';
import type { Member, MemberNames } from '../../../core/exchange/exchange-courses.service.ts';
import type { NgshareArgs } from '../args.ts';
import { decodeJsonArgument } from '../args.ts';
import { ngshareMessage } from '../errors.ts';
import { CourseParams, InstructorParams, StudentParams } from '../params.ts';
import type { NgshareRouter } from '../router.ts';

/** A failed argument check; errors.ts turns the reason into ngshare's exact message. */
const bad = (reason: string) => new AssayError('invalid', reason, { reason });

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** A user name ngshare could address later: non-empty (path segments are), and storable. */
const isUsername = (v: unknown): v is string => typeof v === 'string' && v !== '' && !v.includes('\u0000');

/** `first_name`, `last_name`, `email`: each required, `""` allowed. */
function memberNames(args: NgshareArgs): MemberNames {
  const first_name = args.argument('first_name');
  if (first_name === undefined) throw bad('first_name_missing');
  const last_name = args.argument('last_name');
  if (last_name === undefined) throw bad('last_name_missing');
  const email = args.argument('email');
  if (email === undefined) throw bad('email_missing');
  return { first_name, last_name, email };
}

/** `instructors`: optional JSON list of user names (upstream iterates whatever it gets; we insist on a list of strings). */
function instructorList(text: string | undefined): string[] {
  if (text === undefined) return [];
  const decoded = decodeJsonArgument(text);
  if (!decoded.ok) throw bad('instructors_not_json');
  if (!Array.isArray(decoded.value) || !decoded.value.every(isUsername)) throw bad('incorrect_request_format');
  return decoded.value;
}

/** `students`: a non-empty JSON list of `{username, first_name, last_name, email}`, all strings; checked whole before anything is written. */
function studentList(text: string | undefined): (MemberNames & { username: string })[] {
  if (text === undefined || text === '') throw bad('students_missing');
  const decoded = decodeJsonArgument(text);
  if (!decoded.ok) throw bad('students_not_json');
  if (!Array.isArray(decoded.value)) throw bad('incorrect_request_format');
  if (decoded.value.length === 0) throw bad('students_missing');
  return decoded.value.map((row: unknown) => {
    if (!isObject(row) || !isUsername(row.username)) throw bad('incorrect_request_format');
    const { username, first_name, last_name, email } = row;
    if (typeof first_name !== 'string' || typeof last_name !== 'string' || typeof email !== 'string') throw bad('incorrect_request_format');
    return { username, first_name, last_name, email };
  });
}

const member = (m: Member) => ({ username: m.username, first_name: m.first_name, last_name: m.last_name, email: m.email });

/** Courses, instructors and students (reference §5.1). Each handler's checks run in upstream's order. */
export function ngshareCourseRoutes(router: NgshareRouter): void {
  router.get('/courses', {}, async ({ actor, services }) => ({ courses: await services.exchangeCourses.listCourses(actor) }));

  router.post('/course/:course_id', { params: CourseParams }, async ({ actor, services, params, args }) => {
    const exchange = services.exchangeCourses;
    await exchange.assertMayCreate(actor, params.course_id);
    const instructors = instructorList((await args()).argument('instructors'));
    await exchange.createCourse(actor, params.course_id, instructors);
    return {};
  });

  router.delete('/course/:course_id', { params: CourseParams }, async ({ actor, services, params }) => {
    await services.exchangeCourses.deleteCourse(actor, params.course_id);
    return {};
  });

  router.get('/instructor/:course_id/:instructor_id', { params: InstructorParams }, async ({ actor, services, params }) =>
    member(await services.exchangeCourses.getInstructor(actor, params.course_id, params.instructor_id)),
  );

  router.post('/instructor/:course_id/:instructor_id', { params: InstructorParams }, async ({ actor, services, params, args }) => {
    const exchange = services.exchangeCourses;
    exchange.assertInstructor(await exchange.access(actor, params.course_id));
    const names = memberNames(await args());
    await exchange.putInstructor(actor, params.course_id, params.instructor_id, names);
    return {};
  });

  router.delete('/instructor/:course_id/:instructor_id', { params: InstructorParams }, async ({ actor, services, params }) => {
    await services.exchangeCourses.removeInstructor(actor, params.course_id, params.instructor_id);
    return {};
  });

  router.get('/instructors/:course_id', { params: CourseParams }, async ({ actor, services, params }) => ({
    instructors: (await services.exchangeCourses.listInstructors(actor, params.course_id)).map(member),
  }));

  router.get('/student/:course_id/:student_id', { params: StudentParams }, async ({ actor, services, params }) =>
    member(await services.exchangeCourses.getStudent(actor, params.course_id, params.student_id)),
  );

  router.post('/student/:course_id/:student_id', { params: StudentParams }, async ({ actor, services, params, args }) => {
    const exchange = services.exchangeCourses;
    exchange.assertInstructor(await exchange.access(actor, params.course_id));
    const names = memberNames(await args());
    await exchange.putStudent(actor, params.course_id, params.student_id, names);
    return {};
  });

  router.delete('/student/:course_id/:student_id', { params: StudentParams }, async ({ actor, services, params }) => {
    await services.exchangeCourses.removeStudent(actor, params.course_id, params.student_id);
    return {};
  });

  router.get('/students/:course_id', { params: CourseParams }, async ({ actor, services, params }) => ({
    students: (await services.exchangeCourses.listStudents(actor, params.course_id)).map(member),
  }));

  router.post('/students/:course_id', { params: CourseParams }, async ({ actor, services, params, args }) => {
    const exchange = services.exchangeCourses;
    exchange.assertInstructor(await exchange.access(actor, params.course_id));
    const rows = studentList((await args()).argument('students'));
    const results = await exchange.putStudents(actor, params.course_id, rows);
    return {
      status: results.map((r) =>
        r.added ? { username: r.username, success: true } : { username: r.username, success: false, message: ngshareMessage('instructor_as_student') },
      ),
    };
  });
}
