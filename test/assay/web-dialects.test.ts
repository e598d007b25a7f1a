import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import { engineUnderTest, startTestServer } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';
import { PASSWORD, adminActor, login, makeCourseTree, makeExercise, makeStudent } from '../helpers/fixtures.ts';
import { call, client } from '../helpers/http.ts';
import { api, autolabServer, handin } from '../autolab/fixture.ts';
import type { Cast } from '../autolab/course.ts';
import { makeAutolabCourse } from '../autolab/course.ts';

/** The web app's pages read the core's tables: a handin made through another dialect shows there too. */
describe(`/api/assay/v1/: a submission made through Autolab's API shows on the student's pages, on ${engineUnderTest}`, () => {
  let server: TestServer;
  let cast: Cast;
  let hw1: number;
  let cookie: string;
  const clock = new ManualClock('2025-01-10T12:00:00Z');

  before(async () => {
    server = await autolabServer({ clock });
    cast = await makeAutolabCourse(server);
    hw1 = (await server.services.db.selectFrom('exercises').select('id').where('slug', '=', 'hw1').executeTakeFirstOrThrow()).id;
    const signIn = await call(server.app, 'POST', '/api/assay/v1/session/', { json: { username: cast.student.username, password: PASSWORD } });
    assert.equal(signIn.status, 200, signIn.text);
    cookie = [signIn.headers['set-cookie']].flat().map((c) => String(c).split(';')[0]).join('; ');
  });
  after(async () => server?.close());

  const get = (url: string) => call(server.app, 'GET', `/api/assay/v1${url}`, { headers: { cookie } });

  it('lists the Autolab handin in the history, on the home page and in the curriculum, with its files', async () => {
    const submitted = await api(server, cast.student.token).post('/courses/sys/assessments/hw1/submit', { multipart: handin('int main(void) { return 0; }\n', 'main.c') });
    assert.equal(submitted.status, 200, submitted.text);

    const history = await get(`/exercises/${hw1}/submissions/`);
    assert.equal(history.status, 200, history.text);
    assert.equal(history.body.length, 1);
    const [submission] = history.body;
    assert.equal(submission.user, cast.student.id);

    const detail = await get(`/submissions/${submission.id}/`);
    assert.equal(detail.status, 200, detail.text);
    const path = detail.body.files[0].path as string;
    const file = await get(`/submissions/${submission.id}/files/${path}`);
    assert.equal(file.text, 'int main(void) { return 0; }\n');

    const home = await get('/me/courses/');
    const due = home.body.due.find((d: { exercise: { id: number } }) => d.exercise.id === hw1);
    assert.ok(due, JSON.stringify(home.body.due));
    assert.deepEqual([due.submissions, due.submissions_left, due.max_score], [1, 2, 15.5]);
    assert.equal(home.body.courses[0].grace_days, null, 'the course grants no grace days');

    const curriculum = await get(`/courses/${cast.courseId}/curriculum/`);
    const card = curriculum.body.subjects[0].modules[0].exercises.find((e: { id: number }) => e.id === hw1);
    assert.equal(card.submissions, 1);

    // Another student of the course sees none of it.
    const other = await call(server.app, 'GET', `/api/assay/v1/submissions/${submission.id}/`, { token: await server.services.tokens.issuePair(cast.student2.id).then((p) => p.access) });
    assert.equal(other.status, 404);
  });

  it('shows the course’s grace days left and an extension on the home page', async () => {
    const admin = { id: cast.admin.id, username: cast.admin.username, clearance: 5 as const };
    await server.services.assessments.catalog.configureCourse(admin, cast.courseId, { grace_days: 3 });
    await server.services.assessments.extensions.set(admin, hw1, cast.student.id, { days: 2, infinite: false });
    const home = await get('/me/courses/');
    assert.deepEqual([home.body.courses[0].grace_days, home.body.courses[0].grace_days_left], [3, 3]);
    const due = home.body.due.find((d: { exercise: { id: number } }) => d.exercise.id === hw1);
    assert.equal(due.extension_days, 2);
    assert.match(due.due_at, /^2025-01-22T23:59:00/);
    const overview = await get(`/exercises/${hw1}/overview/`);
    assert.deepEqual(overview.body.extension, { days: 2, infinite: false });
  });
});

describe(`/api/assay/v1/: a submission made through Hive's API shows on the student's pages, on ${engineUnderTest}`, () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
  });
  after(async () => server?.close());

  it('lists the Hive Submission response’s file in the history and the curriculum, readable by path', async () => {
    const tree = await makeCourseTree(server, 'Hive Web');
    const admin = await adminActor(server);
    const exerciseId = (await makeExercise(server, tree.module.id)).id;
    const field = (await server.services.fields.create(admin, exerciseId, { name: 'answer', type: 'text' })).id;
    const student = await makeStudent(server, tree.program.id);
    const checker = client(server.app, await login(server, tree.checker.username));
    const assignment = await checker.post('/api/core/assignments/', { json: { user: student.id, exercise: exerciseId, assignment_status: 'New' } });
    assert.equal(assignment.status, 201, assignment.text);
    const form = new FormData();
    form.append('response_type', 'Submission');
    form.append('contents', JSON.stringify([{ field, content: '42' }]));
    form.append('file', new Blob(['print(42)\n']), 'main.py');
    const submitted = await student.api.post(`/api/core/assignments/${assignment.body.id}/responses/`, { multipart: form });
    assert.equal(submitted.status, 201, submitted.text);

    const history = await student.api.get(`/api/assay/v1/exercises/${exerciseId}/submissions/`);
    assert.equal(history.status, 200, history.text);
    assert.equal(history.body.length, 1, history.text);
    const [submission] = history.body;
    const path = submission.files[0].path as string;
    assert.equal((await student.api.get(`/api/assay/v1/submissions/${submission.id}/files/${path}`)).text, 'print(42)\n');
    const curriculum = await student.api.get(`/api/assay/v1/courses/${tree.program.id}/curriculum/`);
    const card = curriculum.body.subjects[0].modules[0].exercises.find((e: { id: number }) => e.id === exerciseId);
    assert.deepEqual([card.status, card.submissions], ['Submitted', 1]);
  });
});
