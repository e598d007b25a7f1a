import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ensureAdmin } from '../../src/runtime.ts';
import { syncCourseDirectory } from '../../src/core/courses/course-sync.ts';
import { createSandboxRunner } from '../../src/grading/engine/runner.ts';
import { startWorkerPool } from '../../src/grading/queue/index.ts';
import type { WorkerPool } from '../../src/grading/queue/index.ts';
import { sandboxWorks } from './sandbox-helpers.ts';
import { startTestServer } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';
import { adminActor, makeStudent } from '../helpers/fixtures.ts';

const EXAMPLE = path.resolve('examples/intro-python');
const haveSandbox = await sandboxWorks();

/** The example course's files, as a student would hand them in. */
function filesOf(dir: string) {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => {
      const full = path.join(e.parentPath, e.name);
      return { path: path.relative(dir, full).split(path.sep).join('/'), data: fs.readFileSync(full) };
    });
}

describe('grading engine end to end (example course, real sandbox)', { skip: haveSandbox ? false : 'bubblewrap is not usable here' }, () => {
  let server: TestServer;
  let pool: WorkerPool;
  let student: Awaited<ReturnType<typeof makeStudent>>;
  const exercise: Record<string, number> = {};

  before(async () => {
    server = await startTestServer();
    await ensureAdmin(server.services);
    const report = await syncCourseDirectory(server.services, EXAMPLE);
    const course = await server.services.db.selectFrom('courses').select('id').where('id', '=', report.courseId).executeTakeFirstOrThrow();
    for (const e of await server.services.db.selectFrom('exercises').select(['id', 'slug']).where('course_id', '=', course.id).execute()) exercise[e.slug] = e.id;
    student = await makeStudent(server, course.id);
    pool = startWorkerPool(server.services.grading, createSandboxRunner(server.services), server.services.config, { concurrency: 2 });
  });
  after(async () => {
    await pool.stop();
    await server.close();
  });

  async function submit(slug: string, dir: string) {
    const actor = { id: student.id, username: student.username, clearance: 1 as const };
    const files = [];
    for (const f of filesOf(dir)) files.push({ path: f.path, blob: await server.services.files.store(f.data) });
    const submission = await server.services.submissions.submit(actor, exercise[slug]!, { files });
    for (let i = 0; i < 300; i++) {
      const detail = await server.services.submissions.get(actor, submission.id);
      const grading = detail.grading;
      if (grading && (grading.status === 'done' || grading.status === 'failed')) return { id: detail.id, grading };
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`submission ${submission.id} was not graded in time`);
  }

  it('grades the reference solution of a native exercise full marks, per problem', async () => {
    const result = await submit('greet', path.join(EXAMPLE, 'greet/solution'));
    assert.equal(result.grading.status, 'done');
    assert.equal(result.grading.outcome, 'success');
    assert.equal(result.grading.score, 100);
    assert.deepEqual(result.grading.timeline.map((e) => e.action), ['started', 'prepared', 'running', 'finished', 'success']);
    const grades = await server.services.db
      .selectFrom('grades')
      .innerJoin('problems', 'problems.id', 'grades.problem_id')
      .innerJoin('submissions', 'submissions.id', 'grades.submission_id')
      .select(['problems.name', 'grades.score'])
      .where('submissions.id', '=', result.id)
      .execute();
    assert.deepEqual(grades.sort((a, b) => a.name.localeCompare(b.name)), [{ name: 'fizzbuzz', score: 60 }, { name: 'greet', score: 40 }]);
    assert.deepEqual(result.grading.warnings, []);
  });

  it('grades the starter code as failing with a clear per-test output', async () => {
    const result = await submit('greet', path.join(EXAMPLE, 'greet/handout'));
    assert.equal(result.grading.outcome, 'success', 'the check itself ran');
    assert.equal(result.grading.score, 0);
    assert.deepEqual(result.grading.tests.map((t) => t.name), ['greet', 'fizzbuzz']);
    assert.ok(result.grading.tests.every((t) => t.status === 'failed'));
  });

  it('grades an INGInious-style exercise through the feedback commands', async () => {
    const good = await submit('palindromes', path.join(EXAMPLE, 'palindromes/solution'));
    assert.equal(good.grading.score, 100);
    const bad = await submit('palindromes', path.join(EXAMPLE, 'palindromes/handout'));
    assert.equal(bad.grading.score, 0);
  });

  it('warns staff (never the student) when the result breaks the grading contract', async () => {
    const admin = await adminActor(server);
    const problems = await server.services.problems.list(admin, exercise.greet!);
    await server.services.problems.replace(admin, exercise.greet!, [
      { name: 'greet', max_score: 40 },
      { name: 'fizz', max_score: 60 },
    ]);
    try {
      const result = await submit('greet', path.join(EXAMPLE, 'greet/solution'));
      assert.equal(result.grading.outcome, 'success');
      assert.deepEqual(result.grading.warnings, [], 'the student reads no warning');
      assert.deepEqual(result.grading.timeline.map((e) => e.action), ['started', 'prepared', 'running', 'finished', 'success']);
      const staff = await server.services.submissions.get(admin, result.id);
      const expected = [
        'the result names "fizzbuzz", which is not a problem of the exercise (its problems: "greet", "fizz"); it scores nothing',
        'problem "fizz" is not scored by the result',
      ];
      assert.deepEqual(staff.grading?.warnings, expected);
      assert.deepEqual(
        staff.grading?.timeline.map((e) => [e.action, e.payload]).filter(([a]) => a === 'warning'),
        expected.map((w) => ['warning', w]),
      );
      assert.deepEqual(staff.grading?.timeline.map((e) => e.action), ['started', 'prepared', 'running', 'warning', 'warning', 'finished', 'success']);
    } finally {
      await server.services.problems.replace(admin, exercise.greet!, problems.map((p) => ({ name: p.name, max_score: p.max_score })));
    }
  });

  it('reports a harness that fails the reference solution as a staff error, not a student failure', async () => {
    const admin = await adminActor(server);
    const current = await server.services.graders.get(admin, exercise.greet!);
    await server.services.graders.set(admin, exercise.greet!, { convention: 'native', command: ['python3', '-c', 'raise SystemExit(3)'], check_solution: true, limits: current.limits });
    const result = await submit('greet', path.join(EXAMPLE, 'greet/solution'));
    assert.equal(result.grading.outcome, 'error');
    assert.match(result.grading.timeline.at(-1)?.payload ?? '', /reference solution/);
    assert.equal(result.grading.score, null);
  });
});
