// The grader workbench and the course's grading queue through Assay's API (this engine, the real
// sandbox for trial runs): a trial run on the reference solution and on a submission records
// nothing; a rerun's progress; a failed job shows on the queue and runs again; bad input gets a
// clear 400, and checkers and students are refused by the core.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { syncCourseDirectory } from '../../src/core/courses/course-sync.ts';
import { OPERATOR } from '../../src/core/enrolment/enrolment.service.ts';
import { sandboxWorks } from '../grading/sandbox-helpers.ts';
import { login, makeUser } from '../helpers/fixtures.ts';
import { startTestServer } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';
import type { Client } from '../helpers/http.ts';
import { client, filesForm } from '../helpers/http.ts';

const EXAMPLE = path.resolve(import.meta.dirname, '..', '..', 'examples', 'intro-python');
const haveSandbox = await sandboxWorks();
const WRONG = 'def greet(name):\n    return "hi"\n\n\ndef fizzbuzz(n):\n    return []\n';

describe('assay grader workbench and course queue', () => {
  let server: TestServer;
  let courseId: number;
  let greet: number;
  let palindromes: number;
  let instructor: Client;
  let checker: Client;
  let student: Client;
  let outsider: Client;
  let anonymous: Client;
  let submissionId: number;
  let otherSubmissionId: number;
  const trial = (id = greet) => `/api/assay/v1/exercises/${id}/grader/trial/`;
  const queue = (id = courseId) => `/api/assay/v1/courses/${id}/queue/`;
  const rerun = (id = greet) => `/api/assay/v1/exercises/${id}/rerun/`;
  const count = async (table: 'grading_jobs' | 'grades') => Number((await server.services.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

  before(async () => {
    server = await startTestServer();
    ({ courseId } = await syncCourseDirectory(server.services, EXAMPLE));
    const rows = await server.services.db.selectFrom('exercises').select(['id', 'slug']).where('course_id', '=', courseId).execute();
    greet = rows.find((r) => r.slug === 'greet')!.id;
    palindromes = rows.find((r) => r.slug === 'palindromes')!.id;
    const member = async (clearance: 1 | 2, role: 'student' | 'checker' | 'instructor' | null) => {
      const user = await makeUser(server, clearance);
      if (role) await server.services.enrolment.enrol(OPERATOR, { id: courseId }, [user.username], role);
      return client(server.app, await login(server, user.username));
    };
    instructor = await member(2, 'instructor');
    checker = await member(2, 'checker');
    student = await member(1, 'student');
    outsider = await member(1, null);
    anonymous = client(server.app);
    const handIn = async (exercise: number) => {
      const res = await student.post(`/api/assay/v1/exercises/${exercise}/submissions/`, { multipart: filesForm({ 'solution.py': WRONG }) });
      assert.equal(res.status, 201, res.text);
      return res.body.id as number;
    };
    submissionId = await handIn(greet);
    otherSubmissionId = await handIn(palindromes);
  });
  after(() => server.close());

  describe('trial runs', { skip: haveSandbox ? false : 'bubblewrap is not usable here' }, () => {
    it('runs the grader on the reference solution: full score, every test, the time it took, nothing recorded', async () => {
      const [jobs, grades] = [await count('grading_jobs'), await count('grades')];
      const res = await instructor.post(trial(), { json: {} });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.on, 'solution');
      assert.equal(res.body.submission, null);
      assert.equal(res.body.outcome, 'success', res.text);
      assert.equal(res.body.staff_error, false);
      assert.equal(res.body.score, 100);
      assert.equal(res.body.max_score, 100);
      assert.deepEqual(
        res.body.tests.map((t: { name: string; status: string }) => [t.name, t.status]),
        [
          ['greet', 'passed'],
          ['fizzbuzz', 'passed'],
        ],
      );
      assert.deepEqual(res.body.warnings, []);
      assert.ok(Number.isInteger(res.body.ms) && res.body.ms > 0, String(res.body.ms));
      assert.deepEqual([await count('grading_jobs'), await count('grades')], [jobs, grades]);
    });

    it('runs it on a chosen submission of the exercise (its own job untouched)', async () => {
      const job = () => server.services.db.selectFrom('grading_jobs').selectAll().where('submission_id', '=', submissionId).execute();
      const before = await job();
      const res = await instructor.post(trial(), { json: { submission: submissionId } });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.on, 'submission');
      assert.equal(res.body.submission, submissionId);
      assert.equal(res.body.score, 0);
      assert.ok(res.body.tests.every((t: { status: string }) => t.status === 'failed'));
      assert.deepEqual(await job(), before);
    });
  });

  it('serves one harness file by its path (the workbench edits it), 404 for a path it does not have', async () => {
    const file = `/api/assay/v1/exercises/${greet}/grader/files/run.py`;
    const res = await instructor.get(file);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers['content-type'], 'application/octet-stream');
    assert.ok(res.raw.equals(await fs.readFile(path.join(EXAMPLE, 'greet', 'grader', 'run.py'))));
    for (const missing of ['nope.py', '../run.py', 'run.py/x', '']) assert.equal((await instructor.get(`/api/assay/v1/exercises/${greet}/grader/files/${missing}x`)).status, 404, missing);
    assert.equal((await checker.get(file)).status, 403);
    assert.equal((await student.get(file)).status, 403);
    assert.equal((await outsider.get(file)).status, 404);
  });

  it('runs at most two trials at once: a third meanwhile is a 429 with Retry-After', { skip: haveSandbox ? false : 'bubblewrap is not usable here' }, async () => {
    const answers = await Promise.all([1, 2, 3].map(() => instructor.post(trial(), { json: {} })));
    assert.deepEqual(answers.map((r) => r.status).sort(), [200, 200, 429], answers.map((r) => r.text).join('\n'));
    const refused = answers.find((r) => r.status === 429)!;
    assert.equal(refused.headers['retry-after'], '5');
    assert.equal((await instructor.post(trial(), { json: {} })).status, 200, 'a slot is free again');
  });

  it('refuses bad input with a 400 naming the field', async () => {
    for (const [body, code] of [
      [{ submission: 'abc' }, 'invalid'],
      [{ submission: 1.5 }, 'invalid'],
      [{ submission: otherSubmissionId }, 'does_not_exist'],
      [{ submission: 2_147_483_647 }, 'does_not_exist'],
      [{ submission: 99_999_999_999 }, 'does_not_exist'],
    ] as const) {
      const res = await instructor.post(trial(), { json: body });
      assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.text}`);
      assert.equal(res.body.errors[0].attr, 'submission', res.text);
      assert.equal(res.body.errors[0].code, code, res.text);
    }
    const broken = await instructor.post(trial(), { raw: '{"submission":', headers: { 'content-type': 'application/json' } });
    assert.equal(broken.status, 400, broken.text);
    assert.equal((await instructor.post(`/api/assay/v1/exercises/x/grader/trial/`, { json: {} })).status, 404);
    assert.equal((await instructor.post(trial(2_000_000_000), { json: {} })).status, 404);

    for (const since of [undefined, '', 'yesterday', '2026-13-01T00:00:00Z']) {
      const res = await instructor.get(rerun(), since === undefined ? {} : { query: { since } });
      assert.equal(res.status, 400, `${since}: ${res.text}`);
      assert.equal(res.body.errors[0].attr, 'since');
    }
    for (const body of [{ jobs: 'all' }, { jobs: [1, 'two'] }, { jobs: [1.5] }, { jobs: [99_999_999_999] }, { jobs: [0] }]) {
      const res = await instructor.post(`${queue()}rerun/`, { json: body });
      assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.text}`);
      assert.match(res.body.errors[0].attr, /^jobs/);
    }
    assert.equal((await instructor.get(queue(2_000_000_000))).status, 404);
  });

  it('has no trial without a grader or without a reference solution unless a submission is named (400)', async () => {
    const grader = await server.services.graders.settingsTrusted(palindromes);
    await instructor.delete(`/api/assay/v1/exercises/${palindromes}/grader/`);
    try {
      const res = await instructor.post(trial(palindromes), { json: {} });
      assert.equal(res.status, 400, res.text);
      assert.equal(res.body.errors[0].code, 'no_grader');
      assert.match(res.body.errors[0].detail, /no grader/);
    } finally {
      await instructor.put(`/api/assay/v1/exercises/${palindromes}/grader/`, { json: { convention: grader!.convention, command: grader!.command, limits: grader!.limits } });
    }
    const solution = await instructor.get(`/api/assay/v1/exercises/${palindromes}/files/solution/`);
    await instructor.delete(`/api/assay/v1/exercises/${palindromes}/files/solution/`);
    const res = await instructor.post(trial(palindromes), { json: {} });
    assert.equal(res.status, 400, res.text);
    assert.equal(res.body.errors[0].attr, 'submission');
    assert.ok(solution.body.length > 0);
  });

  it('lets only the course’s instructors (and staff) in: checkers and students 403 before the body is read, others 404, nobody 401', async () => {
    const calls: [string, (c: Client) => ReturnType<Client['get']>][] = [
      ['trial', (c) => c.post(trial(), { raw: 'not json', headers: { 'content-type': 'application/json' } })],
      ['rerun progress', (c) => c.get(rerun(), { query: { since: 'garbage' } })],
      ['rerun', (c) => c.post(rerun())],
      ['queue', (c) => c.get(queue())],
      ['queue rerun', (c) => c.post(`${queue()}rerun/`, { raw: 'not json', headers: { 'content-type': 'application/json' } })],
    ];
    for (const [name, go] of calls) {
      assert.equal((await go(checker)).status, 403, `${name}: checker`);
      assert.equal((await go(student)).status, 403, `${name}: student`);
      assert.equal((await go(outsider)).status, 404, `${name}: outsider`);
      assert.equal((await go(anonymous)).status, 401, `${name}: anonymous`);
    }
  });

  /** A worker takes every job and fails each until it is out of attempts. */
  async function failEveryJob() {
    const grading = server.services.grading;
    for (let job = await grading.claim('test-worker'); job; job = await grading.claim('test-worker')) await grading.fail(job.id, 'test-worker', 'the worker fell over');
  }

  it('tells how far a rerun is: its jobs queued since it started, by status', async () => {
    await failEveryJob();
    const res = await instructor.post(rerun());
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.queued, 1);
    const progress = await instructor.get(rerun(), { query: { since: res.body.since } });
    assert.equal(progress.status, 200, progress.text);
    assert.deepEqual(progress.body, { total: 1, queued: 1, waiting: 0, running: 0, done: 0, failed: 0 });
    const later = await instructor.get(rerun(), { query: { since: '2999-01-01T00:00:00Z' } });
    assert.equal(later.body.total, 0);
  });

  it('shows the course’s queue (counts, median wait, jobs) and runs a failed job again', async () => {
    await failEveryJob();
    const res = await instructor.get(queue());
    assert.equal(res.status, 200, res.text);
    // The greet submission's failed job was run again (the rerun above): only its rerun job's failure counts.
    assert.deepEqual(res.body.counts, { queued: 0, waiting: 0, running: 0, failed: 2 }, res.text);
    assert.ok(res.body.median_wait_seconds !== null && res.body.median_wait_seconds >= 0);
    const failed = res.body.jobs.find((j: { exercise: { id: number } }) => j.exercise.id === greet);
    assert.equal(failed.status, 'failed');
    assert.equal(failed.kind, 'rerun');
    assert.equal(failed.error, 'the worker fell over');
    assert.equal(failed.submission.id, submissionId);
    assert.ok(failed.user.name.length > 0);

    const again = await instructor.post(`${queue()}rerun/`, { json: { jobs: [failed.id] } });
    assert.equal(again.status, 200, again.text);
    assert.equal(again.body.queued, 1);
    assert.equal((await instructor.post(`${queue()}rerun/`, { json: { jobs: [failed.id] } })).body.queued, 0, 'run again once');
    const after = await instructor.get(queue());
    assert.deepEqual(after.body.counts, { queued: 1, waiting: 0, running: 0, failed: 1 });
    assert.ok(!after.body.jobs.some((j: { id: number }) => j.id === failed.id));
    const rerunJob = after.body.jobs.find((j: { status: string }) => j.status === 'queued');
    assert.equal(rerunJob.kind, 'rerun');
    assert.equal(rerunJob.submission.id, submissionId);

    const all = await instructor.post(`${queue()}rerun/`, {});
    assert.equal(all.body.queued, 1);
    assert.equal((await instructor.get(queue())).body.counts.failed, 0);
  });
});
