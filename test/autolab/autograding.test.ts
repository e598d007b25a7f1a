import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createSandboxRunner } from '../../src/grading/engine/runner.ts';
import type { WorkerPool } from '../../src/grading/queue/index.ts';
import { startWorkerPool } from '../../src/grading/queue/index.ts';
import { sandboxWorks } from '../grading/sandbox-helpers.ts';
import type { TestServer } from '../helpers/harness.ts';
import type { Person } from './fixture.ts';
import { api, autolabServer, handin, person, syncCourse, tokenMinter } from './fixture.ts';

const haveSandbox = await sandboxWorks();

const MAKEFILE = [
  'all:',
  '\t@echo "Autograding $$(cat handin)"',
  '\t@if grep -q good handin; then echo \'{"scores": {"Correctness": 10, "Style": 4.5}, "scoreboard": [10]}\'; elif grep -q junk handin; then echo \'{scores: {Correctness: 1, Speed: 3}}\'; else echo \'{scores: {Correctness: 2, Style: 0}}\'; fi',
  '',
].join('\n');

const EXERCISE = `name: Autograded Lab
module: SYS/Labs
start_at: "2020-01-01T00:00:00Z"
problems:
  - name: Correctness
    max_score: 10
  - name: Style
    max_score: 5
grader:
  convention: autolab
  command: [make, -s]
  limits:
    wall_seconds: 30
`;

/** An autograder that writes to stdout and stderr in turn, then hangs past its wall limit unless the handin says "quick". */
const NOISY_MAKEFILE = [
  'all:',
  '\t@echo "out 1"',
  '\t@echo "err 2" >&2',
  '\t@echo "out 3"',
  '\t@if grep -q quick handin; then echo "err 4" >&2; echo \'{"scores": {"Correctness": 1}}\'; else sleep 60; fi',
  '',
].join('\n');

const NOISY_EXERCISE = `name: Noisy Lab
module: SYS/Labs
start_at: "2020-01-01T00:00:00Z"
problems:
  - name: Correctness
    max_score: 10
  - name: Style
    max_score: 5
grader:
  convention: autolab
  command: [make, -s]
  limits:
    wall_seconds: 2
`;

describe('autolab: an autograded assessment end to end (real sandbox)', { skip: haveSandbox ? false : 'bubblewrap is not usable here' }, () => {
  let server: TestServer;
  let pool: WorkerPool;
  let student: Person;
  let instructor: Person;
  const A = '/courses/graded/assessments/autolab';

  before(async () => {
    server = await autolabServer();
    const courseId = await syncCourse(server, 'graded', 'name: Graded\nsemester: S26\nsubjects:\n  - symbol: SYS\n    name: Systems\n    modules:\n      - name: Labs\n        order: 1\n', [
      { slug: 'autolab', yaml: EXERCISE, trees: { grader: { 'autograde-Makefile': MAKEFILE } } },
      { slug: 'noisy', yaml: NOISY_EXERCISE, trees: { grader: { 'autograde-Makefile': NOISY_MAKEFILE } } },
    ]);
    const mint = await tokenMinter(server);
    student = await person(server, mint, { courseId, role: 'student' });
    instructor = await person(server, mint, { courseId, role: 'instructor' });
    pool = startWorkerPool(server.services.grading, createSandboxRunner(server.services), server.services.config, { concurrency: 1 });
  });
  after(async () => {
    await pool?.stop();
    await server?.close();
  });

  async function graded(version: number, assessment = A): Promise<{ text: string; body: { version: number; scores: Record<string, unknown> }[] }> {
    for (let i = 0; i < 300; i++) {
      const res = await api(server, student.token).get(`${assessment}/submissions`);
      const mine = res.body.find((s: { version: number }) => s.version === version);
      if (mine && Object.keys(mine.scores).length > 0) return res;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`version ${version} was not graded in time`);
  }

  it('submit → graded → scores and feedback for the student, scores for the instructor', async () => {
    assert.equal((await api(server, student.token).get(A)).body.has_autograder, true);
    const submitted = await api(server, student.token).post(`${A}/submit`, { multipart: handin('good work') });
    assert.equal(submitted.status, 200, submitted.text);
    assert.deepEqual(submitted.body, { version: 1, filename: '1_handin' });

    const list = await graded(1);
    assert.match(list.text, /"scores":\{"Correctness":10\.0,"Style":4\.5\}/);

    const feedback = await api(server, student.token).get(`${A}/submissions/1/feedback?problem=Style`);
    assert.equal(feedback.status, 200, feedback.text);
    assert.match(feedback.body.feedback, /^Autograding good work\n/);
    assert.match(feedback.body.feedback, /"scores": \{"Correctness": 10, "Style": 4\.5\}/);
    assert.deepEqual((await api(server, student.token).get(`${A}/submissions/1/feedback?problem=Correctness`)).body, feedback.body);

    const second = await api(server, student.token).post(`${A}/submit`, { multipart: handin('bad') });
    assert.equal(second.body.version, 2);
    const again = await graded(2);
    assert.match(again.text, /^\[\{"version":2,"filename":"2_handin","created_at":"[^"]+\+00:00","scores":\{"Correctness":2\.0,"Style":0\.0\}\}/);

    // A result naming a problem the assessment does not have: zeros, and the feedback says why.
    const third = await api(server, student.token).post(`${A}/submit`, { multipart: handin('junk') });
    assert.equal(third.body.version, 3);
    assert.match((await graded(3)).text, /^\[\{"version":3,[^\]]*"scores":\{"Correctness":0\.0,"Style":0\.0\}\}/);
    const why = await api(server, student.token).get(`${A}/submissions/3/feedback?problem=Correctness`);
    assert.match(why.body.feedback, /\nAutograder error: Unknown problem name: Speed$/);

    const scores = await api(server, instructor.token).get(`${A}/scores`);
    assert.equal(scores.status, 200);
    assert.equal(scores.text, `{"${student.email}":{"1":{"Correctness":10.0,"Style":4.5},"2":{"Correctness":2.0,"Style":0.0},"3":{"Correctness":0.0,"Style":0.0}}}`);
  });

  it('feedback holds stdout and stderr as one channel, in the order written, and says when the job was killed for time', async () => {
    const N = '/courses/graded/assessments/noisy';
    const quick = await api(server, student.token).post(`${N}/submit`, { multipart: handin('quick') });
    assert.equal(quick.status, 200, quick.text);
    assert.match((await graded(1, N)).text, /"scores":\{"Correctness":1\.0\}/);
    const done = await api(server, student.token).get(`${N}/submissions/1/feedback?problem=Correctness`);
    assert.equal(done.body.feedback, 'out 1\nerr 2\nout 3\nerr 4\n{"scores": {"Correctness": 1}}\n');

    const slow = await api(server, student.token).post(`${N}/submit`, { multipart: handin('slow') });
    assert.equal(slow.body.version, 2);
    assert.match((await graded(2, N)).text, /^\[\{"version":2,[^\]]*"scores":\{"Correctness":0\.0,"Style":0\.0\}\}/);
    const killed = await api(server, student.token).get(`${N}/submissions/2/feedback?problem=Style`);
    assert.equal(killed.body.feedback, 'out 1\nerr 2\nout 3\nAutograder killed: the job ran out of time.');
  });
});
