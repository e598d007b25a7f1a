import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { engineUnderTest, startTestServer } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';
import { actorClient, login, makeCourseTree, makeExercise, makeStudent } from '../helpers/fixtures.ts';
import type { Client, Reply } from '../helpers/http.ts';
import { call, client } from '../helpers/http.ts';

const API = '/api/assay/v1';

interface Person {
  id: number;
  username: string;
  api: Client;
}
interface Entry {
  id: number;
  kind: string;
  actor: { id: number | null; username: string } | null;
  subject: { id: number | null; username: string } | null;
  exercise: { id: number; name: string } | null;
  submission: number | null;
  field: string;
  before: unknown;
  after: unknown;
  created_at: string;
}

const attrs = (res: Reply) => (res.body.errors as { attr: string | null }[]).map((e) => e.attr);
const brief = (e: Entry) => [e.kind, e.actor?.username ?? null, e.subject?.username ?? null, e.field, e.before, e.after];

describe(`/api/assay/v1/courses/{id}/audit/: who changed a grade, a role or an extension, on ${engineUnderTest}`, () => {
  let server: TestServer;
  let course: number;
  let tree: Awaited<ReturnType<typeof makeCourseTree>>;
  let instructor: Person, checker: Person, staff: Person, student: Person, outsider: Person;
  let exercise: { id: number; name: string };
  let assignment: number;
  let submission: number;
  let problems: { id: number; name: string }[];
  const trail = async (who: Client, query = '') => {
    const res = await who.get(`${API}/courses/${course}/audit/${query}`);
    assert.equal(res.status, 200, res.text);
    return res.body as Entry[];
  };

  before(async () => {
    server = await startTestServer();
    tree = await makeCourseTree(server, 'Audited course');
    course = tree.program.id;
    checker = { id: tree.checker.id, username: tree.checker.username, api: client(server.app, await login(server, tree.checker.username)) };
    await server.services.programs.enroll(tree.admin, course, checker.id, 'checker');
    instructor = await actorClient(server, 2);
    await server.services.programs.enroll(tree.admin, course, instructor.id, 'instructor');
    staff = await actorClient(server, 3);
    student = await makeStudent(server, course);
    const elsewhere = await makeCourseTree(server, 'Another course');
    outsider = await actorClient(server, 2);
    await server.services.programs.enroll(elsewhere.admin, elsewhere.program.id, outsider.id, 'instructor');
    exercise = await makeExercise(server, tree.module.id, { name: 'Adding' });
    problems = await server.services.problems.replace(tree.admin, exercise.id, [
      { name: 'correctness', max_score: 6 },
      { name: 'style', max_score: 4 },
    ]);
    const created = await checker.api.post('/api/core/assignments/', { json: { user: student.id, exercise: exercise.id, assignment_status: 'New' } });
    assert.equal(created.status, 201, created.text);
    assignment = created.body.id;
    const form = new FormData();
    form.append('response_type', 'Submission');
    form.append('contents', '[]');
    form.append('file', new Blob([Buffer.from('print(1)\n')]), 'add.py');
    const handed = await student.api.post(`/api/core/assignments/${assignment}/responses/`, { multipart: form });
    assert.equal(handed.status, 201, handed.text);
    submission = (await server.services.db.selectFrom('submissions').select('id').where('assignment_id', '=', assignment).executeTakeFirstOrThrow()).id;
  });
  after(async () => server?.close());

  it("records a role's change and a removal: who, when, before and after, newest first", async () => {
    const changed = await instructor.api.patch(`${API}/courses/${course}/enrollments/${student.id}/`, { json: { role: 'checker' } });
    assert.equal(changed.status, 200, changed.text);
    const back = await staff.api.patch(`${API}/courses/${course}/enrollments/${student.id}/`, { json: { role: 'student', dropped: true } });
    assert.equal(back.status, 200, back.text);
    const entries = await trail(instructor.api, '?kind=role');
    assert.deepEqual(entries.slice(0, 3).map(brief), [
      ['role', staff.username, student.username, 'dropped', false, true],
      ['role', staff.username, student.username, 'role', 'checker', 'student'],
      ['role', instructor.username, student.username, 'role', 'student', 'checker'],
    ]);
    assert.ok(entries[0]!.id > entries[1]!.id && entries[1]!.id > entries[2]!.id);
    assert.match(entries[0]!.created_at, /^\d{4}-\d\d-\d\dT/);
    // Back as a student, as the other tests expect.
    assert.equal((await instructor.api.patch(`${API}/courses/${course}/enrollments/${student.id}/`, { json: { dropped: false } })).status, 200);
    const extra = await actorClient(server, 1);
    assert.equal((await instructor.api.post(`${API}/courses/${course}/enrollments/`, { json: { usernames: [extra.username], role: 'student' } })).status, 200);
    assert.equal((await instructor.api.delete(`${API}/courses/${course}/enrollments/${extra.id}/`)).status, 204);
    const [removed, added] = await trail(instructor.api, '?kind=role&limit=2');
    assert.deepEqual(brief(removed!), ['role', instructor.username, extra.username, 'role', 'student', null]);
    assert.deepEqual(brief(added!), ['role', instructor.username, extra.username, 'role', null, 'student']);
  });

  it("records a role changed through another way in: Hive's program of a student moves them between courses", async () => {
    const other = await makeCourseTree(server, 'Another program');
    const mover = await makeStudent(server, course);
    await server.services.users.update(tree.admin, mover.id, { program: other.program.id });
    const [left] = await trail(instructor.api, '?kind=role&limit=1');
    assert.deepEqual(brief(left!), ['role', tree.admin.username, mover.username, 'role', 'student', null]);
    const there = await server.services.audit.trail(tree.admin, other.program.id, { kind: 'role', limit: 1 });
    assert.deepEqual([there[0]!.actor?.username, there[0]!.subject?.username, there[0]!.before, there[0]!.after], [tree.admin.username, mover.username, null, 'student']);
  });

  it('records extensions given, changed and taken back', async () => {
    const url = `${API}/exercises/${exercise.id}/extensions/${student.id}/`;
    assert.equal((await instructor.api.put(url, { json: { days: 3 } })).status, 200);
    assert.equal((await instructor.api.put(url, { json: { days: 3 } })).status, 200);
    assert.equal((await instructor.api.put(url, { json: { days: 5, infinite: false } })).status, 200);
    assert.equal((await instructor.api.delete(url)).status, 204);
    const entries = await trail(instructor.api, '?kind=extension');
    // The same extension given twice is one change.
    assert.deepEqual(entries.map(brief), [
      ['extension', instructor.username, student.username, 'extension', { days: 5, infinite: false }, null],
      ['extension', instructor.username, student.username, 'extension', { days: 3, infinite: false }, { days: 5, infinite: false }],
      ['extension', instructor.username, student.username, 'extension', null, { days: 3, infinite: false }],
    ]);
    assert.deepEqual(entries[0]!.exercise, { id: exercise.id, name: 'Adding' });
  });

  it("records a checker's review (points per problem, the total, the status) and Hive's status change", async () => {
    const review = await checker.api.post(`${API}/submissions/${submission}/review/`, {
      json: { verdict: 'Redo', comment: 'Almost', points: [{ problem: problems[0]!.id, points: 4 }] },
    });
    assert.equal(review.status, 200, review.text);
    const again = await checker.api.post(`${API}/submissions/${submission}/review/`, {
      json: { verdict: 'Done', points: [{ problem: problems[0]!.id, points: 6 }, { problem: problems[1]!.id, points: 4 }] },
    });
    assert.equal(again.status, 200, again.text);
    const hive = await staff.api.patch(`/api/core/assignments/${assignment}/`, { json: { assignment_status: 'Redo' } });
    assert.equal(hive.status, 200, hive.text);
    const entries = await trail(instructor.api, '?kind=grade');
    const s = student.username;
    assert.deepEqual(entries.map(brief), [
      ['grade', staff.username, s, 'status', 'Done', 'Redo'],
      ['grade', checker.username, s, 'total', 4, 10],
      ['grade', checker.username, s, 'style', null, 4],
      ['grade', checker.username, s, 'correctness', 4, 6],
      ['grade', checker.username, s, 'status', 'Redo', 'Done'],
      ['grade', checker.username, s, 'total', null, 4],
      ['grade', checker.username, s, 'correctness', null, 4],
      ['grade', checker.username, s, 'status', 'Submitted', 'Redo'],
    ]);
    assert.equal(entries[3]!.submission, submission);
    assert.equal(entries[0]!.submission, null);
    assert.deepEqual(entries[0]!.exercise, { id: exercise.id, name: 'Adding' });
  });

  it('pages with before and limit, and filters by kind', async () => {
    const all = await trail(staff.api, '?limit=500');
    assert.ok(all.length >= 15, String(all.length));
    assert.deepEqual(new Set(all.map((e) => e.kind)), new Set(['grade', 'role', 'extension']));
    const page = await trail(staff.api, `?before=${all[2]!.id}&limit=2`);
    assert.deepEqual(page.map((e) => e.id), [all[3]!.id, all[4]!.id]);
  });

  it('refuses bad queries with 400 naming the parameter, and unknown courses with 404', async () => {
    const cases: [string, string][] = [
      ['?kind=password', 'kind'],
      ['?limit=0', 'limit'],
      ['?limit=501', 'limit'],
      ['?limit=ten', 'limit'],
      ['?before=-4', 'before'],
      ['?before=1.5', 'before'],
    ];
    for (const [query, attr] of cases) {
      const res = await instructor.api.get(`${API}/courses/${course}/audit/${query}`);
      assert.equal(res.status, 400, `${query}: ${res.text}`);
      assert.equal(res.body.type, 'validation_error');
      assert.deepEqual(attrs(res), [attr], query);
    }
    assert.equal((await staff.api.get(`${API}/courses/abc/audit/`)).status, 404);
    assert.equal((await staff.api.get(`${API}/courses/99999999/audit/`)).status, 404);
    assert.equal((await staff.api.post(`${API}/courses/${course}/audit/`, { json: {} })).status, 405);
    assert.equal((await call(server.app, 'GET', `${API}/courses/${course}/audit/`)).status, 401);
    // Extensions: bad days are 400 naming the field; an unknown student is named too.
    const url = `${API}/exercises/${exercise.id}/extensions/`;
    for (const [json, attr] of [[{ days: -1 }, 'days'], [{ days: 'many' }, 'days'], [{ infinite: 'sure' }, 'infinite'], [{ days: 3651 }, 'days']] as const) {
      const bad = await instructor.api.put(`${url}${student.id}/`, { json });
      assert.equal(bad.status, 400, `${JSON.stringify(json)}: ${bad.text}`);
      assert.deepEqual(attrs(bad), [attr]);
    }
    assert.deepEqual(attrs(await instructor.api.put(`${url}99999999/`, { json: { days: 1 } })), ['user']);
    assert.equal((await instructor.api.put(`${url}abc/`, { json: { days: 1 } })).status, 404);
  });

  it("lets the core refuse the course's checkers and students (403, even with a bad query) and other courses' instructors (404)", async () => {
    for (const who of [checker, student]) {
      for (const query of ['', '?kind=nope']) {
        const res = await who.api.get(`${API}/courses/${course}/audit/${query}`);
        assert.equal(res.status, 403, `${who.username}${query}: ${res.text}`);
        assert.equal(res.body.errors[0].code, 'permission_denied');
      }
    }
    const res = await outsider.api.get(`${API}/courses/${course}/audit/`);
    assert.equal(res.status, 404, res.text);
    // Extensions: checkers and students are refused by the core, and nothing reaches the trail.
    const count = (await trail(staff.api, '?kind=extension&limit=500')).length;
    for (const who of [checker, student]) {
      assert.equal((await who.api.put(`${API}/exercises/${exercise.id}/extensions/${student.id}/`, { json: { days: 9 } })).status, 403);
      assert.equal((await who.api.delete(`${API}/exercises/${exercise.id}/extensions/${student.id}/`)).status, 403);
    }
    assert.equal((await outsider.api.put(`${API}/exercises/${exercise.id}/extensions/${student.id}/`, { json: { days: 9 } })).status, 404);
    assert.equal((await trail(staff.api, '?kind=extension&limit=500')).length, count);
    assert.equal((await instructor.api.get(`${API}/courses/${course}/audit/`)).status, 200);
  });
});
