import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createSandboxRunner } from '../../src/grading/engine/runner.ts';
import type { WorkerPool } from '../../src/grading/queue/index.ts';
import { startWorkerPool } from '../../src/grading/queue/index.ts';
import { sandboxWorks } from '../grading/sandbox-helpers.ts';
import { adminActor, makeUser } from '../helpers/fixtures.ts';
import type { TestServer } from '../helpers/harness.ts';
import { startTestServer } from '../helpers/harness.ts';
import { call } from '../helpers/http.ts';

const haveSandbox = await sandboxWorks();

/** A task whose run script reports what `getinput` prints for a multiple-answer problem and for `@time`. */
const TASK = `name: Echo
problems:
  pick:
    type: multiple_choice
    header: Pick two.
    multiple: true
    choices:
      - {text: a, valid: true}
      - text: b
      - text: c
  code:
    type: code_single_line
    header: Anything.
`;
const RUN = `feedback-result success
feedback-msg -m "pick=$(getinput pick) time=$(getinput @time)"
`;

function writeCourse(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'inginious-getinput-'));
  fs.writeFileSync(path.join(root, 'course.yaml'), 'name: Echo course\naccessible: true\nregistration: true\n');
  fs.mkdirSync(path.join(root, 'echo'));
  fs.writeFileSync(path.join(root, 'echo', 'task.yaml'), TASK);
  fs.writeFileSync(path.join(root, 'echo', 'run'), RUN);
  return root;
}

const decodeHtml = (s: string) => s.replace(/&quot;/g, '"').replace(/&amp;/g, '&');

describe('INGInious getinput inside the sandbox', { skip: haveSandbox ? false : 'bubblewrap is not usable here' }, () => {
  let server: TestServer;
  let pool: WorkerPool;
  let token: string;
  let dir: string;

  before(async () => {
    server = await startTestServer();
    dir = writeCourse();
    const report = await server.services.tasks.importCourse(dir, { slug: 'echo' });
    const student = await makeUser(server, 1);
    await server.services.programs.enroll(await adminActor(server), report.courseId, student.id, 'student');
    token = (await server.services.tokens.createApiToken(student.id, 'script')).token;
    pool = startWorkerPool(server.services.grading, createSandboxRunner(server.services), server.services.config, { concurrency: 1 });
  });
  after(async () => {
    await pool?.stop();
    await server?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('prints a multiple-answer problem as a JSON list and @time as upstream’s YYYY-MM-DD HH:MM:SS.ffffff', async () => {
    const url = '/api/v0/courses/echo/tasks/echo/submissions';
    const posted = await call(server.app, 'POST', url, { token, form: { pick: ['0', '2'], code: 'x' } });
    assert.equal(posted.status, 200, posted.text);
    let sub: { status: string; feedback?: string; input?: Record<string, unknown> } = { status: 'waiting' };
    for (let i = 0; i < 300 && sub.status === 'waiting'; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 100));
      sub = (await call(server.app, 'GET', `${url}/${posted.body.submissionid}?input`, { token })).body[0];
    }
    assert.equal(sub.status, 'done', JSON.stringify(sub));
    const time = sub.input!['@time'] as string;
    assert.match(time, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/);
    assert.equal(decodeHtml(sub.feedback!), `<p>pick=["0", "2"] time=${time}</p>`);
  });
});
