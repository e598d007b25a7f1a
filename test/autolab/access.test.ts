import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import type { TestServer } from '../helpers/harness.ts';
import { call } from '../helpers/http.ts';
import type { Cast } from './course.ts';
import { makeAutolabCourse } from './course.ts';
import { ALL_SCOPES, api, autolabServer, handin } from './fixture.ts';

const TOKEN_FAILED = { error: 'OAuth2 authorization failed' };
const NO_SCOPE = { error: 'Your client does not have the required scope for this action' };
const NOT_INSTRUCTOR = { error: 'User does not have instructor privileges for this course' };
const NO_COURSE = { error: 'Course does not exist' };
const NO_ASSESSMENT = { error: 'Assessment does not exist' };

/** Every endpoint, with the scope it needs and whether it needs an instructor (reference §3.1). */
const ENDPOINTS: { method: string; url: string; scope: string; instructor?: boolean; global?: boolean }[] = [
  { method: 'GET', url: '/user', scope: 'user_info', global: true },
  { method: 'GET', url: '/courses', scope: 'user_courses', global: true },
  { method: 'GET', url: '/courses/sys/assessments', scope: 'user_courses' },
  { method: 'GET', url: '/courses/sys/assessments/hw1', scope: 'user_courses' },
  { method: 'GET', url: '/courses/sys/assessments/hw1/writeup', scope: 'user_courses' },
  { method: 'GET', url: '/courses/sys/assessments/hw1/handout', scope: 'user_courses' },
  { method: 'GET', url: '/courses/sys/assessments/hw1/problems', scope: 'user_courses' },
  { method: 'POST', url: '/courses/sys/assessments/hw1/submit', scope: 'user_submit' },
  { method: 'GET', url: '/courses/sys/assessments/hw1/submissions', scope: 'user_scores' },
  { method: 'GET', url: '/courses/sys/assessments/hw1/submissions/1/feedback?problem=Style', scope: 'user_scores' },
  { method: 'POST', url: '/courses/sys/assessments/hw1/set_group_settings', scope: 'instructor_all', instructor: true },
  { method: 'POST', url: '/courses/sys/assessments/hw1/problems', scope: 'instructor_all', instructor: true },
  { method: 'GET', url: '/courses/sys/assessments/hw1/groups', scope: 'instructor_all', instructor: true },
  { method: 'POST', url: '/courses/sys/assessments/hw1/groups', scope: 'instructor_all', instructor: true },
  { method: 'GET', url: '/courses/sys/assessments/hw1/groups/1', scope: 'instructor_all', instructor: true },
  { method: 'DELETE', url: '/courses/sys/assessments/hw1/groups/1', scope: 'instructor_all', instructor: true },
  { method: 'GET', url: '/courses/sys/assessments/hw1/scores', scope: 'instructor_all', instructor: true },
  { method: 'GET', url: '/courses/sys/assessments/hw1/scores/x%40y.z', scope: 'instructor_all', instructor: true },
  { method: 'PUT', url: '/courses/sys/assessments/hw1/scores/x%40y.z/update_latest', scope: 'instructor_all', instructor: true },
  { method: 'GET', url: '/courses/sys/course_user_data', scope: 'instructor_all', instructor: true },
  { method: 'POST', url: '/courses/sys/course_user_data', scope: 'instructor_all', instructor: true },
  { method: 'GET', url: '/courses/sys/course_user_data/x%40y.z', scope: 'instructor_all', instructor: true },
  { method: 'PUT', url: '/courses/sys/course_user_data/x%40y.z', scope: 'instructor_all', instructor: true },
  { method: 'PATCH', url: '/courses/sys/course_user_data/x%40y.z', scope: 'instructor_all', instructor: true },
  { method: 'DELETE', url: '/courses/sys/course_user_data/x%40y.z', scope: 'instructor_all', instructor: true },
];

describe('autolab: authorization and check order', () => {
  let server: TestServer;
  let cast: Cast;
  const clock = new ManualClock('2025-01-10T12:00:00Z');

  before(async () => {
    server = await autolabServer({ clock });
    cast = await makeAutolabCourse(server);
  });
  after(() => server.close());

  it('answers 401 OAuth2 authorization failed without a valid token, before anything else', async () => {
    for (const token of [null, 'not-a-token']) {
      for (const url of ['/user', '/courses/nope/assessments', '/courses/sys/assessments/hw1', '/no/such/path']) {
        const res = await api(server, token).get(url);
        assert.equal(res.status, 401, `${url} ${res.text}`);
        assert.deepEqual(res.body, TOKEN_FAILED);
        assert.match(String(res.headers['content-type']), /^application\/json; charset=utf-8$/);
      }
    }
    // Unknown paths with a valid token.
    const unknown = await api(server, cast.student.token).get('/no/such/path');
    assert.equal(unknown.status, 404);
    assert.deepEqual(unknown.body, { error: 'Invalid request path' });
  });

  it('takes the token from the header, the access_token or bearer_token parameter, or a form body', async () => {
    const t = cast.student.token;
    assert.equal((await call(server.app, 'GET', `/api/v1/user?access_token=${t}`)).status, 200);
    assert.equal((await call(server.app, 'GET', `/api/v1/user.json?bearer_token=${t}`)).status, 200);
    const form = await call(server.app, 'POST', '/api/v1/courses/sys/course_user_data', { form: { access_token: cast.instructor.token } });
    assert.equal(form.status, 400, form.text);
    assert.deepEqual(form.body, { error: "Required parameter 'email' not found" });
    const multipart = handin('int main;');
    multipart.append('access_token', t);
    const submitted = await call(server.app, 'POST', '/api/v1/courses/sys/assessments/hw1/submit', { multipart });
    assert.equal(submitted.status, 200, submitted.text);
    // An expired token is refused like an unknown one.
    clock.advance(7201_000);
    assert.deepEqual((await api(server, t).get('/user')).body, TOKEN_FAILED);
    clock.advance(-7201_000);
  });

  it('hides courses from non-members, then checks the scope, then the role', async () => {
    const noScopes = await cast.student.tokenWith([]);
    // Course and membership come before the scope.
    assert.deepEqual((await api(server, noScopes).get('/courses/nope/assessments')).body, NO_COURSE);
    const outsider = await api(server, cast.outsider.token).get('/courses/sys/assessments');
    assert.equal(outsider.status, 404);
    assert.deepEqual(outsider.body, NO_COURSE);
    const scoped = await api(server, noScopes).get('/courses/sys/assessments');
    assert.equal(scoped.status, 403);
    assert.deepEqual(scoped.body, NO_SCOPE);
    // Unknown assessments come after the scope and role checks.
    assert.deepEqual((await api(server, noScopes).get('/courses/sys/assessments/nope')).body, NO_SCOPE);
    assert.deepEqual((await api(server, cast.student.token).get('/courses/sys/assessments/nope')).body, NO_ASSESSMENT);
    // Students do not find unreleased assessments; staff do.
    const unreleased = await api(server, cast.student.token).get('/courses/sys/assessments/hw2');
    assert.equal(unreleased.status, 404);
    assert.deepEqual(unreleased.body, NO_ASSESSMENT);
    assert.equal((await api(server, cast.assistant.token).get('/courses/sys/assessments/hw2')).status, 200);
    // Dropped students are not members any more.
    const dropped = await api(server, cast.instructor.token).delete(`/courses/sys/course_user_data/${encodeURIComponent(cast.student3.email)}`);
    assert.equal(dropped.status, 200, dropped.text);
    assert.deepEqual((await api(server, cast.student3.token).get('/courses/sys/assessments')).body, NO_COURSE);
  });

  it('requires each endpoint’s scope (reference §3.1) and an instructor for instructor_all', async () => {
    for (const e of ENDPOINTS) {
      const others = ALL_SCOPES.filter((s) => s !== e.scope);
      const who = e.instructor ? cast.instructor : cast.student;
      const without = await call(server.app, e.method, `/api/v1${e.url}`, { token: await who.tokenWith(others) });
      assert.equal(without.status, 403, `${e.method} ${e.url}: ${without.text}`);
      assert.deepEqual(without.body, NO_SCOPE, `${e.method} ${e.url}`);
      const only = await call(server.app, e.method, `/api/v1${e.url}`, { token: await who.tokenWith([e.scope]) });
      assert.notDeepEqual(only.body, NO_SCOPE, `${e.method} ${e.url} with ${e.scope}`);
      assert.notEqual(only.status, 401);
      if (e.instructor) {
        for (const other of [cast.student, cast.assistant]) {
          const refused = await call(server.app, e.method, `/api/v1${e.url}`, { token: other.token });
          assert.equal(refused.status, 403, `${e.method} ${e.url}`);
          assert.deepEqual(refused.body, NOT_INSTRUCTOR);
        }
        // Admins are instructors of every course without an enrollment.
        const admin = await call(server.app, e.method, `/api/v1${e.url}`, { token: cast.admin.token });
        assert.notEqual(admin.status, 403, `${e.method} ${e.url}: ${admin.text}`);
      }
      if (!e.global) {
        const outside = await call(server.app, e.method, `/api/v1${e.url}`, { token: cast.outsider.token });
        assert.deepEqual(outside.body, NO_COURSE, `${e.method} ${e.url}`);
      }
    }
  });

  it('refuses POST /courses to non-administrators, and students of a disabled course', async () => {
    const notAdmin = await api(server, cast.instructor.token).post('/courses', { form: { name: 'x', semester: 'y', instructor_email: 'z@q.r' } });
    assert.equal(notAdmin.status, 403);
    assert.deepEqual(notAdmin.body, { error: 'User does not have admin privileges' });
    const noScope = await api(server, await cast.admin.tokenWith(['user_courses'])).post('/courses', { form: { name: 'x' } });
    assert.deepEqual(noScope.body, NO_SCOPE);

    const admin = { id: cast.admin.id, username: cast.admin.username, clearance: 5 as const };
    await server.services.assessments.catalog.configureCourse(admin, cast.courseId, { disabled: true });
    const disabled = { error: 'Your course has been disabled by your instructor. Please contact them directly if you have any questions' };
    for (const who of [cast.student, cast.assistant]) {
      const res = await api(server, who.token).get('/courses/sys/assessments');
      assert.equal(res.status, 403);
      assert.deepEqual(res.body, disabled);
    }
    assert.equal((await api(server, cast.instructor.token).get('/courses/sys/assessments')).status, 200);
    await server.services.assessments.catalog.configureCourse(admin, cast.courseId, { disabled: false });
    assert.equal((await api(server, cast.student.token).get('/courses/sys/assessments')).status, 200);
  });

  it('answers malformed requests in the {"error": …} envelope, never 500', async () => {
    const t = cast.instructor.token;
    const badJson = await call(server.app, 'POST', '/api/v1/courses/sys/course_user_data', { token: t, raw: '{"email":', headers: { 'content-type': 'application/json' } });
    assert.equal(badJson.status, 400);
    assert.match(badJson.body.error, /^JSON parse error/);
    const badEncoding = await call(server.app, 'GET', '/api/v1/courses/%E0%A4%A/assessments', { token: t });
    assert.deepEqual([badEncoding.status, badEncoding.body], [400, { error: 'Bad request' }]);
    const wrongMethod = await call(server.app, 'PATCH', '/api/v1/user', { token: t });
    assert.deepEqual([wrongMethod.status, wrongMethod.body], [404, { error: 'Invalid request path' }]);
    const notAnObject = await call(server.app, 'POST', '/api/v1/courses/sys/course_user_data', { token: t, json: [1, 2] });
    assert.equal(notAnObject.status, 400);
    assert.equal(typeof notAnObject.body.error, 'string');
  });
});
