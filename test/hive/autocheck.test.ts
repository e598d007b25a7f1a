import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { syncCourseDirectory } from '../../src/core/courses/course-sync.ts';
import { createSandboxRunner } from '../../src/grading/engine/runner.ts';
import { startWorkerPool } from '../../src/grading/queue/index.ts';
import type { WorkerPool } from '../../src/grading/queue/index.ts';
import { sandboxWorks } from '../grading/sandbox-helpers.ts';
import { startTestServer } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';
import { actorClient, adminActor, makeStudent } from '../helpers/fixtures.ts';
import type { Client } from '../helpers/http.ts';

const EXAMPLE = path.resolve('examples/intro-python');
const haveSandbox = await sandboxWorks();

/** Hive's side of grading: a Submission response is checked in the sandbox and answered by an AutoCheck response. */
describe('hive autochecks through the grading engine (real sandbox)', { skip: haveSandbox ? false : 'bubblewrap is not usable here' }, () => {
  let server: TestServer;
  let pool: WorkerPool;
  let greetId: number;
  let courseId: number;
  let checker: Client;

  before(async () => {
    server = await startTestServer();
    const report = await syncCourseDirectory(server.services, EXAMPLE);
    courseId = report.courseId;
    greetId = (await server.services.db.selectFrom('exercises').select('id').where('course_id', '=', courseId).where('slug', '=', 'greet').executeTakeFirstOrThrow()).id;
    checker = (await actorClient(server, 3)).api;
    pool = startWorkerPool(server.services.grading, createSandboxRunner(server.services), server.services.config, { concurrency: 2 });
  });
  after(async () => {
    await pool.stop();
    await server.close();
  });

  async function submit(api: Client, assignmentId: number, file: string) {
    const form = new FormData();
    form.append('response_type', 'Submission');
    form.append('contents', '[]');
    form.append('file', new Blob([new Uint8Array(fs.readFileSync(file))]), 'solution.py');
    const res = await api.post(`/api/core/assignments/${assignmentId}/responses/`, { multipart: form });
    assert.equal(res.status, 201, res.text);
    return res.body as { id: number };
  }

  async function waitForAutoChecks(api: Client, assignmentId: number, count: number) {
    for (let i = 0; i < 400; i++) {
      const responses = (await api.get(`/api/core/assignments/${assignmentId}/responses/`)).body as { response_type: string; autocheck_statuses: { action: string }[] | null; user: number }[];
      const checks = responses.filter((r) => r.response_type === 'AutoCheck');
      if (checks.length >= count) return { responses, checks };
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('no AutoCheck response in time');
  }

  async function newAssignment(studentId: number) {
    return server.services.assignments.create(await adminActor(server), { user: studentId, exercise: greetId, assignment_status: 'New' });
  }

  it('answers a passing Submission with an AutoCheck response and moves the assignment to AutoChecked', async () => {
    const student = await makeStudent(server, courseId);
    const assignment = await newAssignment(student.id);
    const submission = await submit(student.api, assignment.id, path.join(EXAMPLE, 'greet/solution/solution.py'));
    const { responses, checks } = await waitForAutoChecks(student.api, assignment.id, 1);
    assert.equal(checks.length, 1);
    assert.equal(checks[0]!.user, await server.services.systemUser.id());
    assert.deepEqual(checks[0]!.autocheck_statuses!.map((s) => s.action), ['Handling', 'Built', 'Sending', 'Finished', 'Success']);
    const handedIn = responses.find((r) => (r as unknown as { id: number }).id === submission.id)!;
    assert.deepEqual(handedIn.autocheck_statuses!.map((s) => s.action), ['Handling', 'Built', 'Sending', 'Finished', 'Success']);
    const state = (await student.api.get(`/api/core/assignments/${assignment.id}/`)).body;
    assert.equal(state.assignment_status, 'AutoChecked');
    assert.equal(state.total_check_count, 1);
    assert.equal(state.manual_check_count, 0);
    const notices = await server.services.db.selectFrom('notifications').select(['response_type', 'comment']).where('for_user_id', '=', student.id).execute();
    assert.deepEqual(notices.map((n) => n.response_type), ['AutoCheck']);
    assert.match(notices[0]!.comment, /^Passed: .*\(100\/100\)$/);
  });

  it('moves a passing check straight to Done when the exercise has autodone, but not a failing one', async () => {
    await server.services.exercises.update(await adminActor(server), greetId, { autodone: true });
    try {
      const good = await makeStudent(server, courseId);
      const a = await newAssignment(good.id);
      await submit(good.api, a.id, path.join(EXAMPLE, 'greet/solution/solution.py'));
      await waitForAutoChecks(good.api, a.id, 1);
      assert.equal((await good.api.get(`/api/core/assignments/${a.id}/`)).body.assignment_status, 'Done');

      const bad = await makeStudent(server, courseId);
      const b = await newAssignment(bad.id);
      const submission = await submit(bad.api, b.id, path.join(EXAMPLE, 'greet/handout/solution.py'));
      await waitForAutoChecks(bad.api, b.id, 1);
      assert.equal((await bad.api.get(`/api/core/assignments/${b.id}/`)).body.assignment_status, 'AutoChecked');

      // rerun_autochecks queues the same submission again: a second AutoCheck response follows.
      const rerun = await checker.post(`/api/core/assignments/${b.id}/responses/${submission.id}/rerun_autochecks/`, { json: {} });
      assert.equal(rerun.status, 200);
      const { checks } = await waitForAutoChecks(bad.api, b.id, 2);
      assert.equal(checks.length, 2);
      const state = (await checker.get(`/api/core/assignments/${b.id}/`)).body;
      assert.equal(state.total_check_count, 2);
      assert.equal(state.submission_count, 1);
    } finally {
      await server.services.exercises.update(await adminActor(server), greetId, { autodone: false });
    }
  });
});
