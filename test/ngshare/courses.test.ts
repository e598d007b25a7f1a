import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import { startTestServer } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';
import { adminActor, login, makeUser } from '../helpers/fixtures.ts';
import type { Reply, RequestOptions } from '../helpers/http.ts';
import { call } from '../helpers/http.ts';

const JSON_TYPE = 'application/json; charset=UTF-8';

/** An ngshare client: `Authorization: <scheme> <token>` (ngshare_exchange sends `token`). */
function ng(server: TestServer, token?: string, scheme = 'token') {
  const auth: Record<string, string> = token ? { authorization: `${scheme} ${token}` } : {};
  const go = (method: string) => (url: string, options: RequestOptions = {}) =>
    call(server.app, method, url, { ...options, headers: { ...auth, ...options.headers } });
  return { get: go('GET'), post: go('POST'), delete: go('DELETE'), put: go('PUT') };
}
type Ng = ReturnType<typeof ng>;

function ok(res: Reply, fields: Record<string, unknown> = {}): void {
  assert.equal(res.status, 200, res.text);
  assert.equal(res.headers['content-type'], JSON_TYPE);
  assert.deepEqual(res.body, { success: true, ...fields });
}

function fails(res: Reply, status: number, message: string): void {
  assert.equal(res.status, status, res.text);
  assert.equal(res.headers['content-type'], JSON_TYPE);
  assert.deepEqual(res.body, { success: false, message });
}

const names = (first: string, last: string, email: string) => ({ first_name: first, last_name: last, email });

describe('ngshare courses, instructors and students (assay tokens)', () => {
  let server: TestServer;
  let admin: Ng; // named in ASSAY_NGSHARE_ADMINS
  let assayAdmin: Ng; // clearance 5
  let inst1: Ng;
  let inst2: Ng;
  let stud1: Ng;
  let stud2: Ng;
  let outsider: Ng;

  before(async () => {
    server = await startTestServer({ env: { ASSAY_NGSHARE_ADMINS: 'ngadmin, other' } });
    const apiToken = async (username: string, clearance: 1 | 5 = 1) => {
      const user = await makeUser(server, clearance, username);
      return (await server.services.tokens.createApiToken(user.id, 'nbgrader')).token;
    };
    admin = ng(server, await apiToken('ngadmin'));
    assayAdmin = ng(server, await apiToken('root', 5));
    inst1 = ng(server, await apiToken('inst1'));
    await makeUser(server, 1, 'inst2');
    // A JWT access token under the Bearer scheme works as well.
    inst2 = ng(server, await login(server, 'inst2'), 'Bearer');
    stud1 = ng(server, await apiToken('stud1'));
    stud2 = ng(server, await apiToken('stud2'), 'TOKEN');
    outsider = ng(server, await apiToken('outsider'));
  });
  after(() => server.close());

  it('answers health checks without authentication', async () => {
    ok(await call(server.app, 'GET', '/api/healthz'));
    ok(await call(server.app, 'GET', '/services/ngshare/healthz/'));
    const root = await call(server.app, 'GET', '/healthz');
    assert.equal(root.status, 200);
    assert.equal(root.body.success, true);
  });

  it('answers 401 Login required before anything else', async () => {
    const anonymous = ng(server);
    fails(await anonymous.get('/api/courses'), 401, 'Login required');
    fails(await anonymous.post('/api/course/nope'), 401, 'Login required');
    fails(await anonymous.put('/api/courses'), 401, 'Login required');
    fails(await anonymous.get('/services/ngshare/assignments/nope'), 401, 'Login required');
    fails(await ng(server, 'assay_not-a-token').get('/api/courses'), 401, 'Login required');
    fails(await ng(server, 'not.a.jwt', 'Bearer').get('/api/courses'), 401, 'Login required');
    fails(await call(server.app, 'GET', '/api/courses', { headers: { authorization: 'Basic dTpw' } }), 401, 'Login required');
    fails(await call(server.app, 'GET', '/api/courses', { headers: { authorization: 'token' } }), 401, 'Login required');
  });

  it('answers JSON 404 for unknown routes and 405 for other methods, without shadowing other dialects', async () => {
    fails(await admin.get('/api/nope'), 404, 'Not found');
    fails(await admin.get('/services/ngshare/course/a/b/c'), 404, 'Not found');
    fails(await admin.put('/api/courses'), 405, 'Method not allowed');
    fails(await admin.delete('/api/students/x'), 405, 'Method not allowed');
    const hive = await call(server.app, 'GET', '/api/core/nope/');
    assert.equal(hive.status, 404);
    assert.equal(hive.body.type, 'client_error');
    const assay = await call(server.app, 'GET', '/api/assay/v1/nope/');
    assert.equal(assay.body.type, 'client_error');
  });

  it('creates courses: admins only, then 409, then the instructors argument', async () => {
    fails(await inst1.post('/api/course/course1', { form: { instructors: '["inst1"]' } }), 403, 'Permission denied');
    ok(await admin.post('/api/course/course1', { form: { instructors: '["inst1", "inst2", "inst1"]' } }));
    fails(await admin.post('/api/course/course1', { form: { instructors: 'not json' } }), 409, 'Course already exists');
    fails(await admin.post('/api/course/c2', { form: { instructors: 'not json' } }), 400, 'Instructors cannot be JSON decoded');
    fails(await admin.post('/api/course/c2', { form: { instructors: '  ' } }), 400, 'Instructors cannot be JSON decoded');
    fails(await admin.post('/api/course/c2', { form: { instructors: '"inst1"' } }), 400, 'Incorrect request format');
    fails(await admin.post('/api/course/c2', { form: { instructors: '[1]' } }), 400, 'Incorrect request format');
    fails(await admin.post('/api/course/c2', { form: { instructors: '[""]' } }), 400, 'Incorrect request format');
    // Nothing was written by the failed attempts.
    fails(await admin.delete('/api/course/c2'), 404, 'Course not found');
    // Query string arguments, an Assay admin, no instructors, a case-sensitive id with odd characters.
    ok(await assayAdmin.post('/api/course/Course%202+x', { query: { instructors: '[]' } }));
    ok(await admin.post('/services/ngshare/course/course2/'));
    ok(await admin.post('/api/course/doomed', { form: { instructors: '["stud2"]' } }));
  });

  it('lists courses: all for admins, the own ones (sorted) for others', async () => {
    ok(await admin.get('/api/courses'), { courses: ['Course 2+x', 'course1', 'course2', 'doomed'] });
    ok(await assayAdmin.get('/services/ngshare/courses/'), { courses: ['Course 2+x', 'course1', 'course2', 'doomed'] });
    ok(await inst1.get('/api/courses'), { courses: ['course1'] });
    ok(await outsider.get('/api/courses'), { courses: [] });
  });

  it('an ngshare course is an Assay course, seen through the Hive dialect', async () => {
    const rows = await server.services.db.selectFrom('courses').select(['slug', 'name']).where('slug', '=', 'course1').execute();
    assert.deepEqual(rows, [{ slug: 'course1', name: 'course1' }]);
    const token = await login(server, 'inst2');
    const programs = await call(server.app, 'GET', '/api/core/course/programs/', { token });
    assert.equal(programs.status, 200);
    assert.ok(JSON.stringify(programs.body).includes('"course1"'));
  });

  it('reads instructors: course users only; outsiders cannot tell the course exists', async () => {
    // Names never set for this course read as null, as upstream's (the users' profiles are not the course's).
    ok(await inst1.get('/api/instructors/course1'), {
      instructors: [
        { username: 'inst1', first_name: null, last_name: null, email: null },
        { username: 'inst2', first_name: null, last_name: null, email: null },
      ],
    });
    ok(await admin.get('/api/instructor/course1/inst2'), { username: 'inst2', first_name: null, last_name: null, email: null });
    fails(await inst1.get('/api/instructor/course1/stud1'), 404, 'Instructor not found');
    fails(await outsider.get('/api/instructors/course1'), 404, 'Course not found');
    fails(await outsider.get('/api/instructor/course1/inst1'), 404, 'Course not found');
    fails(await admin.get('/api/instructors/missing'), 404, 'Course not found');
  });

  it('adds and updates instructors in upstream check order', async () => {
    const full = names('Ada', 'Lovelace', 'ada@example.org');
    fails(await admin.post('/api/instructor/missing/x', { form: full }), 404, 'Course not found');
    fails(await outsider.post('/api/instructor/course1/outsider', { form: full }), 404, 'Course not found');
    fails(await admin.post('/api/instructor/course1/newinst', { form: { last_name: 'L', email: '' } }), 400, 'Please supply first name');
    fails(await admin.post('/api/instructor/course1/newinst', { form: { first_name: 'F', email: '' } }), 400, 'Please supply last name');
    fails(await admin.post('/api/instructor/course1/newinst', { form: { first_name: 'F', last_name: '' } }), 400, 'Please supply email');
    // The failed calls created no user (upstream quirk 20 fixed).
    assert.equal(await server.services.users.byUsername('newinst'), undefined);
    ok(await admin.post('/api/instructor/course1/newinst', { form: { first_name: '  Grace ', last_name: 'Hopper\t', email: '' } }));
    ok(await inst1.get('/api/instructor/course1/newinst'), { username: 'newinst', first_name: 'Grace', last_name: 'Hopper', email: '' });
    // An instructor may update their own names only.
    ok(await inst1.post('/api/instructor/course1/inst1', { form: full }));
    ok(await inst2.get('/api/instructor/course1/inst1'), { username: 'inst1', ...full });
    fails(await inst1.post('/api/instructor/course1/inst2', { form: full }), 403, 'Permission denied (cannot modify other instructors)');
    fails(await inst1.post('/api/instructor/course1/somebody', { form: full }), 403, 'Permission denied (cannot modify instructors)');
    // The names are checked before the instructor rules.
    fails(await inst1.post('/api/instructor/course1/inst2', { form: {} }), 400, 'Please supply first name');
    // Body values win over query values.
    ok(await inst2.post('/api/instructor/course1/inst2', { query: { first_name: 'Q', last_name: 'Q', email: 'q' }, form: { first_name: 'B' } }));
    ok(await inst2.get('/api/instructor/course1/inst2'), { username: 'inst2', first_name: 'B', last_name: 'Q', email: 'q' });
  });

  it('adds, reads and removes students', async () => {
    const full = names('Stu', 'Dent', 'stu@example.org');
    fails(await inst1.post('/api/student/missing/stud1', { form: full }), 404, 'Course not found');
    fails(await outsider.post('/api/student/course1/stud1', { form: full }), 404, 'Course not found');
    ok(await inst1.post('/api/student/course1/stud1', { form: full }));
    fails(await stud1.post('/api/student/course1/stud2', { form: full }), 403, 'Permission denied');
    fails(await stud1.post('/api/student/course1/stud2', { form: {} }), 403, 'Permission denied');
    fails(await inst1.post('/api/student/course1/stud2', { form: { first_name: 'a', last_name: 'b' } }), 400, 'Please supply email');
    fails(await inst1.post('/api/student/course1/inst2', { form: full }), 409, 'Cannot add instructor as student');
    // Multipart bodies carry arguments too.
    const form = new FormData();
    for (const [k, v] of Object.entries(names('Two', 'Dent', ''))) form.append(k, v);
    ok(await admin.post('/api/student/course1/stud2', { multipart: form }));

    ok(await stud1.get('/api/student/course1/stud1'), { username: 'stud1', ...full });
    ok(await inst2.get('/api/student/course1/stud2'), { username: 'stud2', first_name: 'Two', last_name: 'Dent', email: '' });
    fails(await stud1.get('/api/student/course1/stud2'), 403, 'Permission denied');
    fails(await outsider.get('/api/student/course1/outsider'), 404, 'Course not found');
    fails(await inst1.get('/api/student/course1/inst2'), 404, 'Student not found');
    fails(await stud1.get('/api/students/course1'), 403, 'Permission denied');
    ok(await inst1.get('/api/students/course1'), {
      students: [
        { username: 'stud1', ...full },
        { username: 'stud2', first_name: 'Two', last_name: 'Dent', email: '' },
      ],
    });
    ok(await stud1.get('/api/courses'), { courses: ['course1'] });
    assert.equal((await stud1.get('/api/instructors/course1')).status, 200);
    fails(await stud1.post('/api/instructor/course1/stud1', { form: full }), 403, 'Permission denied');
    // Ids are case-sensitive.
    fails(await admin.get('/api/students/Course1'), 404, 'Course not found');
    fails(await inst1.get('/api/student/course1/STUD1'), 404, 'Student not found');
    ok(await stud2.get('/api/courses'), { courses: ['course1', 'doomed'] });

    fails(await stud1.delete('/api/student/course1/stud2'), 403, 'Permission denied');
    fails(await inst1.delete('/api/student/course1/inst2'), 404, 'Student not found');
    fails(await outsider.delete('/api/student/course1/stud2'), 404, 'Course not found');
    ok(await inst1.delete('/api/student/course1/stud2', { form: { user: 'inst1' } }));
    fails(await inst1.get('/api/student/course1/stud2'), 404, 'Student not found');
    fails(await stud2.get('/api/instructors/course1'), 404, 'Course not found');
  });

  it('keeps instructor and student exclusive: an admin turning a student into an instructor', async () => {
    ok(await inst1.post('/api/student/course1/switcher', { form: names('S', 'W', '') }));
    ok(await admin.post('/api/instructor/course1/switcher', { form: names('S', 'W', 's@w') }));
    fails(await inst1.get('/api/student/course1/switcher'), 404, 'Student not found');
    ok(await inst1.get('/api/instructor/course1/switcher'), { username: 'switcher', first_name: 'S', last_name: 'W', email: 's@w' });
    const instructors = (await inst1.get('/api/instructors/course1')).body.instructors.map((i: { username: string }) => i.username);
    assert.deepEqual(instructors, ['inst1', 'inst2', 'newinst', 'switcher']);
    const students = (await inst1.get('/api/students/course1')).body.students.map((s: { username: string }) => s.username);
    assert.deepEqual(students, ['stud1']);
  });

  it('never demotes a Hive checker of the course to a student', async () => {
    const course = await server.services.db.selectFrom('courses').select('id').where('slug', '=', 'course1').executeTakeFirstOrThrow();
    const checker = await makeUser(server, 2, 'hivechecker');
    await server.services.programs.enroll(await adminActor(server), course.id, checker.id, 'checker');
    fails(await inst1.post('/api/student/course1/hivechecker', { form: names('H', 'C', '') }), 409, 'Cannot add instructor as student');
    const status = (await inst1.post('/api/students/course1', { form: { students: JSON.stringify([{ username: 'hivechecker', ...names('H', 'C', '') }]) } })).body.status;
    assert.deepEqual(status, [{ username: 'hivechecker', success: false, message: 'Cannot add instructor as student' }]);
    const token = (await server.services.tokens.createApiToken(checker.id, 'x')).token;
    ok(await ng(server, token).get('/api/courses'), { courses: [] });
  });

  it('adds students in bulk, checking every row before writing any', async () => {
    const post = (students?: string) => inst1.post('/api/students/course1', { form: students === undefined ? {} : { students } });
    fails(await stud1.post('/api/students/course1', { form: { students: 'x' } }), 403, 'Permission denied');
    fails(await outsider.post('/api/students/course1', { form: { students: 'x' } }), 404, 'Course not found');
    fails(await post(), 400, 'Please supply students');
    fails(await post(' '), 400, 'Please supply students');
    fails(await post('[nope'), 400, 'Students cannot be JSON decoded');
    fails(await post('{"username": "a"}'), 400, 'Incorrect request format');
    fails(await post('[]'), 400, 'Please supply students');
    const row = (username: string) => ({ username, first_name: 'F', last_name: 'L', email: `${username}@x` });
    fails(await post(JSON.stringify([row('bulk0'), { username: 'bulk9', first_name: 'F', last_name: 'L' }])), 400, 'Incorrect request format');
    fails(await post(JSON.stringify([row('bulk0'), { ...row('bulk9'), email: 3 }])), 400, 'Incorrect request format');
    fails(await post(JSON.stringify([row('bulk0'), 'bulk9'])), 400, 'Incorrect request format');
    assert.equal(await server.services.users.byUsername('bulk0'), undefined);
    const res = await post(JSON.stringify([row('bulk1'), row('inst2'), row('stud1'), { ...row('bulk2'), extra: true }]));
    ok(res, {
      status: [
        { username: 'bulk1', success: true },
        { username: 'inst2', success: false, message: 'Cannot add instructor as student' },
        { username: 'stud1', success: true },
        { username: 'bulk2', success: true },
      ],
    });
    const students = (await inst1.get('/api/students/course1')).body.students;
    assert.deepEqual(
      students.map((s: { username: string }) => s.username),
      ['stud1', 'bulk1', 'bulk2'],
    );
    assert.deepEqual(students[0], { username: 'stud1', first_name: 'F', last_name: 'L', email: 'stud1@x' });
    // Users created implicitly are students without a password.
    const bulk1 = await server.services.users.byUsername('bulk1');
    assert.equal(bulk1?.clearance, 1);
    assert.equal(bulk1?.password_hash, null);
  });

  it('removes instructors: admins only (checked before the course), then the course, then the instructor', async () => {
    fails(await inst1.delete('/api/instructor/missing/inst2'), 403, 'Permission denied');
    fails(await inst1.delete('/api/instructor/course1/inst2'), 403, 'Permission denied');
    fails(await admin.delete('/api/instructor/missing/inst2'), 404, 'Course not found');
    fails(await admin.delete('/api/instructor/course1/stud1'), 404, 'Instructor not found');
    ok(await admin.delete('/api/instructor/course1/inst2'));
    fails(await inst2.get('/api/instructors/course1'), 404, 'Course not found');
    ok(await inst2.get('/api/courses'), { courses: [] });
  });

  it('deletes courses: admins only, and the members lose it; users stay', async () => {
    fails(await stud2.delete('/api/course/doomed'), 403, 'Permission denied');
    fails(await admin.delete('/api/course/nope'), 404, 'Course not found');
    ok(await admin.delete('/api/course/doomed'));
    fails(await admin.get('/api/instructors/doomed'), 404, 'Course not found');
    ok(await stud2.get('/api/courses'), { courses: [] });
    assert.ok(await server.services.users.byUsername('stud2'));
    // Course ids can be reused.
    ok(await admin.post('/api/course/doomed'));
  });

  it('answers 501 in the ngshare envelope for what is not implemented yet, or the real answer', async () => {
    const res = await inst1.get('/api/assignments/course1');
    assert.equal(res.headers['content-type'], JSON_TYPE);
    assert.equal(typeof res.body.success, 'boolean');
    if (res.status !== 200) assert.equal(res.status, 501);
  });
});

describe('ngshare member names belong to the course membership', () => {
  let server: TestServer;
  let admin: Ng;
  let teacherA: Ng;
  let teacherB: Ng;
  let shared: Ng;

  before(async () => {
    server = await startTestServer();
    const apiToken = async (username: string, clearance: 1 | 5 = 1) => {
      const user = await makeUser(server, clearance, username);
      return (await server.services.tokens.createApiToken(user.id, 'nbgrader')).token;
    };
    admin = ng(server, await apiToken('boss', 5));
    teacherA = ng(server, await apiToken('teacherA'));
    teacherB = ng(server, await apiToken('teacherB'));
    shared = ng(server, await apiToken('shared'));
    ok(await admin.post('/api/course/courseA', { form: { instructors: '["teacherA"]' } }));
    ok(await admin.post('/api/course/courseB', { form: { instructors: '["teacherB"]' } }));
  });
  after(() => server.close());

  const profile = async (username: string) => {
    const user = await server.services.users.byUsername(username);
    return { first_name: user?.first_name, last_name: user?.last_name, email: user?.email };
  };

  it("a course's instructor names a student for that course only, never on the user's profile", async () => {
    ok(await teacherB.post('/api/student/courseB/shared', { form: names('Bee', 'Student', 'b@example.org') }));
    ok(await teacherA.post('/api/student/courseA/shared', { form: names('Renamed', 'ByA', 'evil@example.org') }));
    ok(await teacherA.get('/api/student/courseA/shared'), { username: 'shared', ...names('Renamed', 'ByA', 'evil@example.org') });
    ok(await shared.get('/api/student/courseB/shared'), { username: 'shared', ...names('Bee', 'Student', 'b@example.org') });
    assert.deepEqual(await profile('shared'), { first_name: 'First', last_name: 'shared', email: '' });
  });

  it('an instructor cannot rename an admin globally by enrolling them', async () => {
    ok(await teacherA.post('/api/student/courseA/boss', { form: names('Mallory', 'Owned', 'mallory@evil') }));
    assert.deepEqual(await profile('boss'), { first_name: 'First', last_name: 'boss', email: '' });
  });

  it("instructors' names are per course too (upstream test_get_instructor: a name set in course 2 reads back in course 2)", async () => {
    ok(await admin.post('/api/instructor/courseB/teacherA', { form: names('Tea', 'InB', 'tb@example.org') }));
    ok(await teacherB.get('/api/instructor/courseB/teacherA'), { username: 'teacherA', ...names('Tea', 'InB', 'tb@example.org') });
    ok(await teacherA.get('/api/instructor/courseA/teacherA'), { username: 'teacherA', first_name: null, last_name: null, email: null });
    ok(await teacherA.post('/api/instructor/courseA/teacherA', { form: names('Tea', 'InA', '') }));
    ok(await teacherB.get('/api/instructors/courseB'), {
      instructors: [
        { username: 'teacherB', first_name: null, last_name: null, email: null },
        { username: 'teacherA', ...names('Tea', 'InB', 'tb@example.org') },
      ],
    });
    assert.deepEqual(await profile('teacherA'), { first_name: 'First', last_name: 'teacherA', email: '' });
  });

  it('a member removed and added again starts without names; bulk adds name per course as well', async () => {
    ok(await teacherA.delete('/api/student/courseA/shared'));
    ok(await teacherA.post('/api/students/courseA', { form: { students: JSON.stringify([{ username: 'shared', ...names('Bulk', 'A', '') }]) } }), {
      status: [{ username: 'shared', success: true }],
    });
    ok(await teacherA.get('/api/student/courseA/shared'), { username: 'shared', ...names('Bulk', 'A', '') });
    ok(await teacherB.get('/api/student/courseB/shared'), { username: 'shared', ...names('Bee', 'Student', 'b@example.org') });
    assert.deepEqual(await profile('shared'), { first_name: 'First', last_name: 'shared', email: '' });
  });
});

/** A stand-in JupyterHub: `GET /hub/api/user` with `Authorization: token <t>`. */
async function startHub(users: Record<string, string>) {
  const seen: string[] = [];
  const hub = http.createServer((req, res) => {
    const token = /^token (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    seen.push(token);
    if (req.url !== '/hub/api/user') {
      res.writeHead(404).end();
    } else if (token === 'broken') {
      res.writeHead(500).end('oops');
    } else if (users[token]) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'user', name: users[token], admin: false }));
    } else {
      res.writeHead(403, { 'content-type': 'application/json' }).end('{"status": 403, "message": "Forbidden"}');
    }
  });
  await new Promise<void>((resolve) => hub.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(hub.address() as AddressInfo).port}/hub/api`;
  return { url, seen, close: () => new Promise<void>((resolve) => hub.close(() => resolve())) };
}

describe('ngshare with JupyterHub authentication, a custom prefix and debug messages', () => {
  let server: TestServer;
  let hub: Awaited<ReturnType<typeof startHub>>;
  const clock = new ManualClock('2024-05-01T09:30:00.000000Z');

  before(async () => {
    hub = await startHub({ 'tok-admin': 'hubadmin', 'tok-alice': 'alice', 'tok-bob': 'bob' });
    server = await startTestServer({
      clock,
      env: {
        ASSAY_NGSHARE_AUTH: 'hub',
        ASSAY_JUPYTERHUB_API_URL: `${hub.url}/`,
        ASSAY_NGSHARE_ADMINS: 'hubadmin',
        ASSAY_NGSHARE_PREFIX: '/exchange/',
        ASSAY_NGSHARE_DEBUG_MESSAGES: 'true',
        ASSAY_NGSHARE_MAX_BODY_BYTES: '4096',
      },
    });
  });
  after(async () => {
    await server.close();
    await hub.close();
  });

  it('resolves tokens through the hub, creating users on first sight', async () => {
    const admin = ng(server, 'tok-admin');
    ok(await admin.post('/exchange/course/hubcourse', { form: { instructors: '["alice"]' } }));
    ok(await ng(server, 'tok-alice').get('/services/ngshare/courses'), { courses: ['hubcourse'] });
    ok(await ng(server, 'tok-alice').post('/exchange/student/hubcourse/bob', { form: names('Bob', 'B', '') }));
    ok(await ng(server, 'tok-bob', 'bearer').get('/exchange/courses/'), { courses: ['hubcourse'] });
    const alice = await server.services.users.byUsername('alice');
    assert.equal(alice?.clearance, 1);
    assert.equal(alice?.password_hash, null);
    assert.ok(await server.services.users.byUsername('hubadmin'));
  });

  it('asks the hub at most once a minute per token, and never remembers a refusal', async () => {
    const before = hub.seen.length;
    await ng(server, 'tok-alice').get('/exchange/courses');
    await ng(server, 'tok-alice').get('/exchange/courses');
    assert.equal(hub.seen.length, before, 'cached since the first test');
    clock.advance(61_000);
    ok(await ng(server, 'tok-alice').get('/exchange/courses'), { courses: ['hubcourse'] });
    assert.deepEqual(hub.seen.slice(before), ['tok-alice']);
    fails(await ng(server, 'tok-nobody').get('/exchange/courses'), 401, 'Login required');
    fails(await ng(server, 'tok-nobody').get('/exchange/courses'), 401, 'Login required');
    assert.deepEqual(hub.seen.slice(before + 1), ['tok-nobody', 'tok-nobody']);
    fails(await ng(server).get('/exchange/courses'), 401, 'Login required');
  });

  it('Assay tokens mean nothing in hub mode; a failing hub is a 503, not a 500', async () => {
    await makeUser(server, 5, 'assayroot');
    fails(await ng(server, await login(server, 'assayroot'), 'Bearer').get('/exchange/courses'), 401, 'Login required');
    fails(await ng(server, 'broken').get('/exchange/courses'), 503, 'Authentication service unavailable');
  });

  it('uses upstream debug 403 messages when configured', async () => {
    fails(await ng(server, 'tok-alice').post('/exchange/course/other'), 403, 'Permission denied (not admin)');
    fails(await ng(server, 'tok-bob').get('/exchange/students/hubcourse'), 403, 'Permission denied (not course instructor)');
  });

  it('serves the configured prefix and the hub service prefix only', async () => {
    ok(await call(server.app, 'GET', '/exchange/healthz'));
    ok(await call(server.app, 'GET', '/services/ngshare/healthz'));
    assert.equal((await ng(server, 'tok-alice').get('/api/courses')).status, 404);
  });

  it('refuses bodies over the limit with 413 Request too large, form or multipart', async () => {
    const admin = ng(server, 'tok-admin');
    const big = JSON.stringify(['x'.repeat(5000)]);
    fails(await admin.post('/exchange/course/big', { form: { instructors: big } }), 413, 'Request too large');
    const form = new FormData();
    form.append('instructors', big);
    fails(await admin.post('/exchange/course/big', { multipart: form }), 413, 'Request too large');
    // Authentication still comes first.
    fails(await ng(server).post('/exchange/course/big', { form: { instructors: big } }), 401, 'Login required');
    fails(await admin.delete('/exchange/course/big'), 404, 'Course not found');
  });

  it('answers malformed paths in its envelope, and leaves other dialects theirs', async () => {
    fails(await call(server.app, 'GET', '/exchange/course/%E0%A4%A'), 400, 'Bad request');
    fails(await call(server.app, 'GET', '/services/ngshare/anything/%E0%A4%A'), 400, 'Bad request');
    fails(await call(server.app, 'GET', `/exchange/instructors/${'x'.repeat(2000)}`), 414, 'Request-URI too long');
    const hive = await call(server.app, 'GET', '/api/core/course/%E0%A4%A/');
    assert.equal(hive.status, 400);
    assert.equal(hive.body.success, undefined);
  });

  it('strips argument whitespace and control characters as Tornado does', async () => {
    const alice = ng(server, 'tok-alice');
    ok(await alice.post('/exchange/student/hubcourse/carol', { form: { first_name: '\u0001 Carol\u00a0', last_name: '\n\u0085Ng ', email: '\u3000c@x\u001f' } }));
    ok(await alice.get('/exchange/student/hubcourse/carol'), { username: 'carol', first_name: 'Carol', last_name: 'Ng', email: 'c@x' });
    // JavaScript's trim() would drop U+FEFF; Python's strip() keeps it.
    ok(await alice.post('/exchange/student/hubcourse/carol', { form: { first_name: '\ufeffC', last_name: 'a\u0000b', email: '' } }));
    ok(await alice.get('/exchange/student/hubcourse/carol'), { username: 'carol', first_name: '\ufeffC', last_name: 'a b', email: '' });
  });
});

describe('ngshare at the root prefix', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ env: { ASSAY_NGSHARE_PREFIX: '/' } });
  });
  after(() => server.close());

  it('serves /courses beside the other dialects and the server health check', async () => {
    const user = await makeUser(server, 5, 'rootadmin');
    const admin = ng(server, (await server.services.tokens.createApiToken(user.id, 'x')).token);
    ok(await admin.post('/course/rooted'));
    ok(await admin.get('/courses'), { courses: ['rooted'] });
    ok(await admin.get('/services/ngshare/courses'), { courses: ['rooted'] });
    fails(await admin.get('/nope'), 404, 'Not found');
    assert.equal((await call(server.app, 'GET', '/healthz')).body.success, true);
    assert.equal((await call(server.app, 'GET', '/api/core/nope/')).body.type, 'client_error');
  });
});

describe('ngshare development mode (ASSAY_NGSHARE_AUTH=dev)', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ env: { ASSAY_NGSHARE_AUTH: 'dev', ASSAY_NGSHARE_ADMINS: 'kevin' } });
  });
  after(() => server.close());

  it('takes the caller from the user argument, query or form body; none is a 401', async () => {
    const anonymous = ng(server);
    fails(await anonymous.get('/api/courses'), 401, 'Login required');
    fails(await anonymous.get('/api/courses', { query: { user: '  ' } }), 401, 'Login required');
    fails(await anonymous.post('/api/course/dev1', { form: { instructors: '[]' } }), 401, 'Login required');
    fails(await anonymous.post('/api/course/dev1', { form: { user: 'lawrence' } }), 403, 'Permission denied');
    ok(await anonymous.post('/api/course/dev1', { form: { user: 'kevin', instructors: '["abigail"]' } }));
    ok(await anonymous.get('/api/instructors/dev1', { query: { user: 'abigail' } }), {
      instructors: [{ username: 'abigail', first_name: null, last_name: null, email: null }],
    });
    ok(await anonymous.delete('/api/course/dev1', { form: { user: 'kevin' } }));
    // Tokens mean nothing here.
    const root = await makeUser(server, 5, 'devroot');
    fails(await ng(server, (await server.services.tokens.createApiToken(root.id, 'x')).token).get('/api/courses'), 401, 'Login required');
  });
});
