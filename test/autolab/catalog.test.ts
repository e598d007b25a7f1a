import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import type { TestServer } from '../helpers/harness.ts';
import type { Cast } from './course.ts';
import { makeAutolabCourse } from './course.ts';
import { api, autolabServer, syncCourse } from './fixture.ts';
import { client } from '../helpers/http.ts';
import { login } from '../helpers/fixtures.ts';

/** The raw HTTP/1.1 answer, header casing included (autolab-cli reads it so). */
async function rawGet(server: TestServer, path: string, token: string): Promise<string> {
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = server.app.server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nConnection: close\r\n\r\n`));
    let data = '';
    socket.on('data', (chunk) => (data += chunk.toString('latin1')));
    socket.on('end', () => resolve(data));
    socket.on('error', reject);
  });
}

describe('autolab: user, courses, assessments, problems, downloads', () => {
  let server: TestServer;
  let cast: Cast;
  const clock = new ManualClock('2025-01-10T12:00:00Z');
  let admin: { id: number; username: string; clearance: 5 };

  before(async () => {
    server = await autolabServer({ clock });
    cast = await makeAutolabCourse(server);
    admin = { id: cast.admin.id, username: cast.admin.username, clearance: 5 };
    await server.services.programs.update(admin, cast.courseId, { late_slack: 300, grace_days: 2 });
  });
  after(() => server.close());

  it('GET /user', async () => {
    const res = await api(server, cast.student.token).get('/user');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { first_name: 'First', last_name: cast.student.username, email: cast.student.email, school: null, major: null, year: null });
  });

  it('GET /courses: the caller’s courses with auth_level, states, admins see all', async () => {
    await syncOther();
    const res = await api(server, cast.assistant.token).get('/courses');
    assert.equal(res.status, 200);
    assert.equal(res.text, `[{"name":"sys","display_name":"Intro Systems","semester":"S25","late_slack":300,"grace_days":2,"auth_level":"course_assistant"}]`);
    assert.deepEqual((await api(server, cast.student.token).get('/courses?state=current')).body.map((c: { name: string }) => c.name), ['sys']);
    assert.deepEqual((await api(server, cast.student.token).get('/courses?state=completed')).body, []);
    const all = await api(server, cast.admin.token).get('/courses');
    assert.deepEqual(all.body.map((c: { name: string; auth_level: string }) => [c.name, c.auth_level]), [['old', 'instructor'], ['sys', 'instructor']]);
    assert.deepEqual((await api(server, cast.admin.token).get('/courses?state=completed')).body.map((c: { name: string }) => c.name), ['old']);
    assert.deepEqual((await api(server, cast.admin.token).get('/courses?state=upcoming')).body, []);
    const bad = await api(server, cast.admin.token).get('/courses?state=future');
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body, { error: 'Unexpected course state' });
  });

  async function syncOther() {
    await syncCourse(server, 'old', 'name: An Old Course\nsemester: F24\nstart_at: "2024-09-01T00:00:00Z"\nend_at: "2024-12-20T00:00:00Z"\n', []);
  }

  it('POST /courses creates the course and its instructor', async () => {
    const token = cast.admin.token;
    const missing = await api(server, token).post('/courses', { form: { name: 'new-course' } });
    assert.deepEqual([missing.status, missing.body], [400, { error: "Required parameter 'semester' not found" }]);
    const badDate = await api(server, token).post('/courses', { form: { name: 'new-course', semester: 'S25', instructor_email: 'prof@example.org', start_date: '2025-13-01' } });
    assert.deepEqual([badDate.status, badDate.body], [400, { error: 'Invalid date: 2025-13-01' }]);
    const created = await api(server, token).post('/courses?name=new-course&semester=S25&instructor_email=prof%40example.org&start_date=2025-01-01&end_date=2025-05-01');
    assert.equal(created.status, 200, created.text);
    assert.deepEqual(created.body, { name: 'new-course' });
    const again = await api(server, token).post('/courses', { form: { name: 'new-course', semester: 'S25', instructor_email: 'prof@example.org' } });
    assert.deepEqual([again.status, again.body], [400, { error: 'Failed to create course: Name has already been taken' }]);
    const prof = await server.services.db.selectFrom('users').select('id').where('email', '=', 'prof@example.org').executeTakeFirstOrThrow();
    const profToken = await cast.mint(prof.id);
    const list = await api(server, profToken).get('/courses');
    assert.deepEqual(list.body.map((c: { name: string; auth_level: string }) => [c.name, c.auth_level]), [['new-course', 'instructor']]);
  });

  it('lists released assessments by due date and shows one with exact number and date formats', async () => {
    const list = await api(server, cast.student.token).get('/courses/sys/assessments');
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.map((a: { name: string }) => a.name), ['hw1', 'lab']);
    assert.deepEqual(list.body[0], {
      name: 'hw1',
      display_name: 'Homework One',
      start_at: '2025-01-05T00:00:00.000+00:00',
      due_at: '2025-01-20T23:59:00.000+00:00',
      end_at: '2025-01-25T00:00:00.000+00:00',
      category_name: 'Labs',
    });
    const staff = await api(server, cast.instructor.token).get('/courses/sys/assessments.json');
    assert.deepEqual(staff.body.map((a: { name: string }) => a.name), ['hw1', 'hw2', 'lab']);

    const one = await api(server, cast.student.token).get('/courses/sys/assessments/hw1');
    assert.equal(one.status, 200);
    assert.match(one.text, /"max_total_score":15\.5[,}]/);
    assert.match(one.text, /"max_scores":\{"Correctness":10\.0,"Style":5\.5\}/);
    assert.match(one.text, /"max_submissions":3,/);
    assert.match(one.text, /"max_grace_days":0,/);
    assert.deepEqual({ ...one.body, updated_at: undefined }, {
      name: 'hw1',
      display_name: 'Homework One',
      description: 'Bits and bytes',
      start_at: '2025-01-05T00:00:00.000+00:00',
      due_at: '2025-01-20T23:59:00.000+00:00',
      end_at: '2025-01-25T00:00:00.000+00:00',
      updated_at: undefined,
      max_grace_days: 0,
      max_submissions: 3,
      disable_handins: false,
      category_name: 'Labs',
      group_size: 1,
      writeup_format: 'file',
      handout_format: 'file',
      has_scoreboard: false,
      has_autograder: false,
      max_unpenalized_submissions: -1,
      max_total_score: 15.5,
      max_scores: { Correctness: 10, Style: 5.5 },
    });
    assert.match(one.body.updated_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+00:00$/);
    // A `.json` suffix is Rails' format, stripped only when no assessment has the full name.
    assert.equal((await api(server, cast.student.token).get('/courses/sys.json/assessments/hw1.json')).body.name, 'hw1');
    // No due or end date: the course's end stands in; unlimited submissions are -1.
    const lab = await api(server, cast.student.token).get('/courses/sys/assessments/lab');
    assert.deepEqual([lab.body.due_at, lab.body.end_at], ['2025-06-01T00:00:00.000+00:00', '2025-06-01T00:00:00.000+00:00']);
    assert.equal(lab.body.max_submissions, -1);
    assert.deepEqual([lab.body.writeup_format, lab.body.handout_format], ['none', 'none']);
    assert.match(lab.text, /"max_total_score":100\.0,/);
  });

  it('problems: list, and create (201, float max_score, errors)', async () => {
    const list = await api(server, cast.student.token).get('/courses/sys/assessments/hw1/problems');
    assert.equal(list.text, '[{"name":"Correctness","description":"","max_score":10.0,"optional":false,"starred":false},{"name":"Style","description":"","max_score":5.5,"optional":false,"starred":false}]');
    const inst = api(server, cast.instructor.token);
    const created = await inst.post('/courses/sys/assessments/hw1/problems', { form: { name: 'Bonus', max_score: '2', optional: 'true', starred: 'true', description: 'extra' } });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.text, '{"name":"Bonus","description":"extra","max_score":2.0,"optional":true,"starred":true}');
    assert.deepEqual((await inst.post('/courses/sys/assessments/hw1/problems', { form: { name: 'X' } })).body, { error: "Required parameter 'max_score' not found" });
    for (const form of [{ name: 'Bonus', max_score: '1' }, { name: 'Y', max_score: 'ten' }, { name: 'Z', max_score: '-1' }]) {
      const res = await inst.post('/courses/sys/assessments/hw1/problems', { form });
      assert.deepEqual([res.status, res.body], [400, { error: 'Unable to create problem' }], JSON.stringify(form));
    }
    const after = await api(server, cast.student.token).get('/courses/sys/assessments/hw1/problems');
    assert.deepEqual(after.body.map((p: { name: string }) => p.name), ['Correctness', 'Style', 'Bonus']);
    assert.match((await api(server, cast.student.token).get('/courses/sys/assessments/hw1')).text, /"max_total_score":17\.5,/);
  });

  it('writeup and handout: a file with Content-Disposition, a URL, or none', async () => {
    const writeup = await api(server, cast.student.token).get('/courses/sys/assessments/hw1/writeup');
    assert.equal(writeup.status, 200);
    assert.equal(writeup.text, '%PDF-1.4 writeup');
    assert.equal(writeup.headers['content-type'], 'application/pdf');
    assert.match(String(writeup.headers['content-disposition']), /^inline; filename="writeup\.pdf"/);
    const handout = await api(server, cast.student.token).get('/courses/sys/assessments/hw1/handout');
    assert.equal(handout.text, 'TARBALL');
    assert.match(String(handout.headers['content-disposition']), /^inline; filename="hw1-handout\.tar"/);
    // Several handout files come as one zip.
    const zip = await api(server, cast.instructor.token).get('/courses/sys/assessments/hw2/handout');
    assert.match(String(zip.headers['content-disposition']), /^inline; filename="hw2-handout\.zip"/);
    assert.equal(zip.raw.subarray(0, 2).toString(), 'PK');
    // Nothing: JSON, without Content-Disposition.
    const none = await api(server, cast.student.token).get('/courses/sys/assessments/lab/writeup');
    assert.deepEqual(none.body, { writeup: 'none' });
    assert.equal(none.headers['content-disposition'], undefined);
    assert.deepEqual((await api(server, cast.student.token).get('/courses/sys/assessments/lab/handout')).body, { handout: 'none' });
    const lab = (await server.services.db.selectFrom('exercises').select('id').where('slug', '=', 'lab').executeTakeFirstOrThrow()).id;
    await server.services.assessments.catalog.configureAssessment(admin, lab, { handout_url: 'https://example.org/lab.tar' });
    assert.deepEqual((await api(server, cast.student.token).get('/courses/sys/assessments/lab/handout')).body, { url: 'https://example.org/lab.tar' });
    assert.equal((await api(server, cast.student.token).get('/courses/sys/assessments/lab')).body.handout_format, 'url');

    // Over real HTTP/1.1 the header keeps autolab-cli's exact spelling.
    const raw = await rawGet(server, '/api/v1/courses/sys/assessments/hw1/writeup', cast.student.token);
    assert.match(raw, /\r\nContent-Disposition: inline; filename="writeup\.pdf"/);
  });

  it('set_group_settings', async () => {
    const inst = api(server, cast.instructor.token);
    const missing = await inst.post('/courses/sys/assessments/lab/set_group_settings?group_size=2');
    assert.deepEqual([missing.status, missing.body], [400, { error: "Required parameter 'allow_student_assign_group' not found" }]);
    const bad = await inst.post('/courses/sys/assessments/lab/set_group_settings?group_size=zero&allow_student_assign_group=true');
    assert.equal(bad.status, 400);
    const set = await inst.post('/courses/sys/assessments/lab/set_group_settings?group_size=2&allow_student_assign_group=yes');
    assert.equal(set.text, '{"group_size":2,"allow_student_assign_group":false}');
    assert.equal((await inst.get('/courses/sys/assessments/lab')).body.group_size, 2);
  });

  it("Assay's endpoints for Autolab's settings of an exercise and a course", async () => {
    const hw2 = (await server.services.db.selectFrom('exercises').select('id').where('slug', '=', 'hw2').executeTakeFirstOrThrow()).id;
    const staff = client(server.app, await login(server, cast.instructor.username));
    const url = `/api/assay/v1/exercises/${hw2}/autolab/`;
    const defaults = await staff.get(url);
    assert.equal(defaults.status, 200, defaults.text);
    assert.deepEqual(defaults.body, {
      max_grace_days: 0, disable_handins: false, group_size: 1, allow_student_assign_group: true, version_threshold: null,
      handin_filename: 'handin', max_size_mb: 2, has_scoreboard: false, embedded_quiz: false, handout_url: null, writeup_url: null,
    });
    const changed = await staff.patch(url, { json: { max_grace_days: 3, version_threshold: 2, writeup_url: 'https://example.org/w.pdf' } });
    assert.equal(changed.status, 200, changed.text);
    assert.deepEqual([changed.body.max_grace_days, changed.body.version_threshold, changed.body.group_size], [3, 2, 1]);
    for (const [json, attr] of [[{ group_size: 0 }, 'group_size'], [{ handin_filename: '../x' }, 'handin_filename'], [{ max_size_mb: 'big' }, 'max_size_mb']] as const) {
      const bad = await staff.patch(url, { json });
      assert.equal(bad.status, 400, JSON.stringify(json));
      assert.deepEqual(bad.body.errors.map((e: { attr: string }) => e.attr), [attr]);
    }
    assert.equal((await staff.get(url)).body.group_size, 1, 'a refused change writes nothing');
    const student = client(server.app, await login(server, cast.student.username));
    assert.equal((await student.patch(url, { json: { max_grace_days: 9 } })).status, 403);
    const shown = await api(server, cast.instructor.token).get('/courses/sys/assessments/hw2');
    assert.deepEqual([shown.body.max_grace_days, shown.body.max_unpenalized_submissions, shown.body.writeup_format], [3, 2, 'url']);
    assert.deepEqual((await api(server, cast.instructor.token).get('/courses/sys/assessments/hw2/writeup')).body, { url: 'https://example.org/w.pdf' });

    const courseUrl = `/api/assay/v1/courses/${cast.courseId}/autolab/`;
    assert.deepEqual((await staff.get(courseUrl)).body, { disabled: false, disable_on_end: false, version_threshold: -1, grace_days: 2, late_slack: 300 });
    assert.deepEqual((await staff.patch(courseUrl, { json: { version_threshold: 5 } })).body, { disabled: false, disable_on_end: false, version_threshold: 5, grace_days: 2, late_slack: 300 });
    assert.equal((await api(server, cast.instructor.token).get('/courses/sys/assessments/hw1')).body.max_unpenalized_submissions, 5);
    assert.equal((await student.get(courseUrl)).status, 403);
    assert.equal((await client(server.app, await login(server, cast.outsider.username)).get(courseUrl)).status, 404);
  });

  it("sets a course's grace_days and late_slack through Assay's course endpoint, as Autolab's API then shows them", async () => {
    const staff = client(server.app, await login(server, cast.instructor.username));
    const courseUrl = `/api/assay/v1/courses/${cast.courseId}/autolab/`;
    const set = await staff.patch(courseUrl, { json: { grace_days: 4, late_slack: 900 } });
    assert.equal(set.status, 200, set.text);
    assert.deepEqual([set.body.grace_days, set.body.late_slack], [4, 900]);
    const listed = (await api(server, cast.instructor.token).get('/courses')).body.find((c: { name: string }) => c.name === 'sys');
    assert.deepEqual([listed.grace_days, listed.late_slack], [4, 900]);
    for (const [json, attr] of [[{ grace_days: -1 }, 'grace_days'], [{ late_slack: 86_400 }, 'late_slack'], [{ late_slack: 1.5 }, 'late_slack'], [{ grace_days: 'two' }, 'grace_days']] as const) {
      const bad = await staff.patch(courseUrl, { json });
      assert.equal(bad.status, 400, JSON.stringify(json));
      assert.deepEqual(bad.body.errors.map((e: { attr: string }) => e.attr), [attr]);
    }
    assert.deepEqual([(await staff.get(courseUrl)).body.grace_days, (await staff.get(courseUrl)).body.late_slack], [4, 900], 'a refused change writes nothing');
    const student = client(server.app, await login(server, cast.student.username));
    assert.equal((await student.patch(courseUrl, { json: { grace_days: 99 } })).status, 403);
  });
});
