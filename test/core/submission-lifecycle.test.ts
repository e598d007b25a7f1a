import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Clearance } from '../../src/core/actor.ts';
import { syncCourseDirectory } from '../../src/core/courses/course-sync.ts';
import { OPERATOR } from '../../src/core/enrolment/enrolment.service.ts';
import { createSandboxRunner } from '../../src/grading/engine/runner.ts';
import { startWorkerPool } from '../../src/grading/queue/index.ts';
import type { WorkerPool } from '../../src/grading/queue/index.ts';
import { ensureAdmin } from '../../src/runtime.ts';
import { api as autolabApi, autolabServer, handin, tokenMinter } from '../autolab/fixture.ts';
import { sandboxWorks } from '../grading/sandbox-helpers.ts';
import { engineUnderTest } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';
import { login, makeUser } from '../helpers/fixtures.ts';
import type { Client } from '../helpers/http.ts';
import { call, client } from '../helpers/http.ts';

const EXAMPLE = path.resolve('examples/intro-python');
const GOOD = fs.readFileSync(path.join(EXAMPLE, 'greet/solution/solution.py'));
const BAD = fs.readFileSync(path.join(EXAMPLE, 'greet/handout/solution.py'));
const haveSandbox = await sandboxWorks();

/**
 * One submission lifecycle: a submission made through any dialect moves the same state, and every
 * other dialect reads it: Hive's assignment (status, counters) and responses (the Submission, then
 * the AutoCheck whose contents hold every test), Assay's submissions, Autolab's versions, ngshare's
 * timestamps and INGInious' submission list. Submitted through Assay's API, Hive, INGInious,
 * Autolab and ngshare (each a wrong solution but the last).
 */
describe(`one submission lifecycle across dialects, on ${engineUnderTest}`, { skip: haveSandbox ? false : 'bubblewrap is not usable here' }, () => {
  let server: TestServer;
  let pool: WorkerPool;
  let greet: number;
  let student: { id: number; username: string };
  let hive: Client;
  let hiveStaff: Client;
  let assay: Client;
  let autolabToken: string;
  let ngshareStaff: string;
  let ngshareStudent: string;
  let inginiousCookie: string;

  before(async () => {
    server = await autolabServer();
    const admin = await ensureAdmin(server.services);
    assert.ok(admin);
    const report = await syncCourseDirectory(server.services, EXAMPLE);
    greet = report.exercises.find((e) => e.slug === 'greet')!.id;
    student = await makeUser(server, Clearance.student);
    await server.services.enrolment.enrol(OPERATOR, { slug: 'intro-python' }, [student.username], 'student');
    const teacher = await makeUser(server, Clearance.checker);
    await server.services.enrolment.enrol(OPERATOR, { slug: 'intro-python' }, [teacher.username], 'instructor');
    hive = client(server.app, await login(server, student.username));
    hiveStaff = client(server.app, await login(server, teacher.username));
    assay = hive;
    autolabToken = await (await tokenMinter(server))(student.id);
    ngshareStaff = (await server.services.tokens.createApiToken(teacher.id, 'ngshare')).token;
    ngshareStudent = (await server.services.tokens.createApiToken(student.id, 'ngshare')).token;
    const session = await call(server.app, 'POST', '/api/v0/authentication', { form: { login: student.username, password: 'correct horse battery staple' } });
    assert.equal(session.status, 200, session.text);
    inginiousCookie = String(session.headers['set-cookie']).split(';')[0]!;
    pool = startWorkerPool(server.services.grading, createSandboxRunner(server.services), server.services.config, { concurrency: 2 });
  });
  after(async () => {
    await pool?.stop();
    await server?.close();
  });

  const assignment = async () => {
    const list = await hiveStaff.get(`/api/core/assignments/?exercise=${greet}`);
    assert.equal(list.status, 200, list.text);
    const mine = list.body.filter((a: { user: number }) => a.user === student.id);
    assert.equal(mine.length, 1, 'one assignment, whatever the dialect');
    return mine[0] as { id: number; assignment_status: string; submission_count: number; total_check_count: number };
  };

  /** Waits until every submission's job is done; then reads the AutoCheck responses. */
  async function settled(expected: number) {
    for (let i = 0; i < 600; i++) {
      const jobs = await server.services.db.selectFrom('grading_jobs').select('status').execute();
      if (jobs.length === expected && jobs.every((j) => j.status === 'done' || j.status === 'failed')) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the submissions were not graded in time');
  }

  const submitters: [string, (content: Buffer) => Promise<void>][] = [
    [
      "Assay's API",
      async (content) => {
        const form = new FormData();
        form.append('file', new Blob([new Uint8Array(content)]), 'solution.py');
        const res = await assay.post(`/api/assay/v1/exercises/${greet}/submissions/`, { multipart: form });
        assert.equal(res.status, 201, res.text);
      },
    ],
    [
      'Hive',
      async (content) => {
        const { id } = await assignment();
        const form = new FormData();
        form.append('response_type', 'Submission');
        form.append('contents', '[]');
        form.append('file_name', 'solution.py');
        form.append('file', new Blob([new Uint8Array(content)]), 'solution.py');
        const res = await hive.post(`/api/core/assignments/${id}/responses/`, { multipart: form });
        assert.equal(res.status, 201, res.text);
      },
    ],
    [
      'INGInious',
      async () => {
        // The task has no INGInious inputs of its own (a course-directory exercise): an empty submission.
        const res = await call(server.app, 'POST', '/api/v0/courses/intro-python/tasks/greet/submissions', { form: {}, headers: { cookie: inginiousCookie } });
        assert.equal(res.status, 200, res.text);
      },
    ],
    [
      'Autolab',
      async (content) => {
        const res = await autolabApi(server, autolabToken).post('/courses/intro-python/assessments/greet/submit', { multipart: handin(content, 'solution.py') });
        assert.equal(res.status, 200, res.text);
      },
    ],
    [
      'ngshare',
      async (content) => {
        const files = JSON.stringify([{ path: 'solution.py', content: content.toString('base64') }]);
        const res = await call(server.app, 'POST', '/services/ngshare/submission/intro-python/greet', { form: { files }, headers: { authorization: `token ${ngshareStudent}` } });
        assert.equal(res.status, 200, res.text);
      },
    ],
  ];

  it('submits through each dialect: one assignment, its counters and Hive responses move each time', async () => {
    let n = 0;
    for (const [name, submit] of submitters) {
      // A wrong solution first through each dialect, then (last) a right one.
      await submit(n === submitters.length - 1 ? GOOD : BAD);
      n++;
      const a = await assignment();
      assert.equal(a.submission_count, n, `${name}: submission_count`);
      assert.notEqual(a.assignment_status, 'New', `${name}: the assignment moved`);
    }
    await settled(submitters.length);
    const a = await assignment();
    assert.equal(a.total_check_count, submitters.length, 'each graded submission counts one check');
    assert.equal(a.assignment_status, 'AutoChecked');

    // Hive: a Submission response per submission, each followed by its AutoCheck with every test.
    const responses = (await hive.get(`/api/core/assignments/${a.id}/responses/`)).body as { response_type: string; contents: { content: string }[]; autocheck_statuses: { action: string }[] | null }[];
    assert.deepEqual(responses.filter((r) => r.response_type === 'Submission').length, submitters.length);
    const checks = responses.filter((r) => r.response_type === 'AutoCheck');
    assert.equal(checks.length, submitters.length);
    const last = checks.at(-1)!;
    assert.match(last.contents[0]!.content, /^success, 2\/2 tests passed \(score 100\/100\)\n\ngreet: passed, 40\/40\nok\n\nfizzbuzz: passed, 60\/60\nok$/);
    assert.match(checks[0]!.contents[0]!.content, /greet: failed, 0\/40\ngreet\('Ada'\) raised NotImplementedError: greet/);
    assert.equal(last.autocheck_statuses?.at(-1)?.action, 'Success');
  });

  it('reads every submission through every dialect', async () => {
    // Assay's API: all five, in order, the last one graded 100.
    const mine = await assay.get(`/api/assay/v1/exercises/${greet}/submissions/`);
    assert.equal(mine.status, 200, mine.text);
    assert.deepEqual(mine.body.map((s: { number: number }) => s.number), [1, 2, 3, 4, 5]);
    const lastId = mine.body.at(-1).id;
    const graded = await assay.get(`/api/assay/v1/submissions/${lastId}/`);
    assert.equal(graded.body.grading.score, 100);

    // Autolab: one version per submission.
    const versions = await autolabApi(server, autolabToken).get('/courses/intro-python/assessments/greet/submissions');
    assert.equal(versions.status, 200, versions.text);
    assert.deepEqual(versions.body.map((v: { version: number }) => v.version).sort(), [1, 2, 3, 4, 5]);

    // ngshare: the instructor lists one timestamp per submission.
    const stamps = await call(server.app, 'GET', '/services/ngshare/submissions/intro-python/greet', { headers: { authorization: `token ${ngshareStaff}` } });
    assert.equal(stamps.status, 200, stamps.text);
    assert.equal(stamps.body.submissions.length, submitters.length);

    // INGInious: the student's submissions of the task.
    const inginious = await call(server.app, 'GET', '/api/v0/courses/intro-python/tasks/greet/submissions', { headers: { cookie: inginiousCookie } });
    assert.equal(inginious.status, 200, inginious.text);
    assert.equal(inginious.body.length, submitters.length);
  });
});
