// The grader workbench and the course's grading queue in Debian's Chromium against the real server
// (this engine, real sandboxes, the example course): an instructor runs the grader on the
// reference solution and sees its output, score and time; edits the harness in the page; finds a failed job on the queue and
// runs it again; reruns every submission and watches the progress bar fill.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { OPERATOR } from '../../src/core/enrolment/enrolment.service.ts';
import { sandboxWorks } from '../grading/sandbox-helpers.ts';
import { login, PASSWORD } from '../helpers/fixtures.ts';
import { client } from '../helpers/http.ts';
import { launchChromium, screenshot } from './browser.ts';
import { EXAMPLE, startScene } from './scene.ts';
import type { Person, Scene } from './scene.ts';

const haveSandbox = await sandboxWorks();
const GRADED = 90_000;
const WRONG = 'def greet(name):\n    return "hi"\n\n\ndef fizzbuzz(n):\n    return []\n';

describe('the grader workbench and the grading queue, in a browser', { skip: haveSandbox ? false : 'bubblewrap is not usable here' }, () => {
  let scene: Scene;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let instructor: Person;
  let submissionId: number;

  before(async () => {
    scene = await startScene();
    browser = await launchChromium();
    const services = scene.server.services;
    const user = await services.users.createTrusted({ username: `ines_${process.pid}`, password: PASSWORD, clearance: 2, first_name: 'Ines', last_name: 'Tester' });
    await services.enrolment.enrol(OPERATOR, { id: scene.courseId }, [user.username], 'instructor');
    instructor = { id: user.id, username: user.username, password: PASSWORD };
    // The student hands in a wrong solution; no worker runs yet.
    const student = client(scene.server.app, await login(scene.server, scene.student.username));
    const fd = new FormData();
    fd.append('file', new Blob([WRONG]), 'solution.py');
    const res = await student.post(`/api/assay/v1/exercises/${scene.exercises.greet}/submissions/`, { multipart: fd });
    assert.equal(res.status, 201, res.text);
    submissionId = res.body.id;

    context = await browser.newContext({ viewport: { width: 1200, height: 900 }, baseURL: scene.base });
    page = await context.newPage();
    await page.goto('/');
    await page.getByLabel('Username').fill(instructor.username);
    await page.getByLabel('Password').fill(instructor.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Your courses' }).waitFor();
  });
  after(async () => {
    await context?.close();
    await browser?.close();
    await scene?.close();
  });

  test('the grader run on the reference solution shows its output, score and timing', async () => {
    await page.goto(`/e/${scene.exercises.greet}`);
    await page.getByRole('navigation', { name: 'Exercise staff' }).getByRole('link', { name: 'Grader' }).click();
    await page.getByRole('heading', { name: 'Grader: Greetings and FizzBuzz' }).waitFor();
    await page.getByRole('list', { name: 'Harness files' }).getByText('run.py').waitFor();
    assert.equal(await page.getByLabel('Convention').inputValue(), 'native');

    await page.getByLabel('Run it on').selectOption({ label: 'The reference solution' });
    await page.getByRole('button', { name: 'Run the grader' }).click();
    const result = page.getByLabel('Trial result');
    await result.waitFor({ timeout: GRADED });
    assert.equal(await result.locator('.trial-score').textContent(), '100 / 100');
    assert.match((await result.locator('.trial-time').textContent()) ?? '', /^\d+\.\d\d s$/);
    const tests = await result.locator('ul.tests > li').evaluateAll((items) =>
      items.map((li) => [li.querySelector('.test-name')?.textContent, li.querySelector('summary .status')?.textContent, li.querySelector('.output')?.textContent ?? '']),
    );
    assert.deepEqual(
      tests.map(([name, status]) => [name, status]),
      [
        ['greet', 'passed'],
        ['fizzbuzz', 'passed'],
      ],
    );
    assert.ok(tests.every(([, , output]) => (output ?? '').length > 0), JSON.stringify(tests));
    await screenshot(page, 'grader-trial');

    // The same on the student's submission: their score, not recorded anywhere.
    await page.getByLabel('Run it on').selectOption(String(submissionId));
    await page.getByRole('button', { name: 'Run the grader' }).click();
    await result.locator('.trial-score', { hasText: '0 / 100' }).waitFor({ timeout: GRADED });
    const grades = await scene.server.services.db.selectFrom('grades').select('id').execute();
    assert.deepEqual(grades, []);
  });

  test('a harness file edited in the page is what the next trial runs', async () => {
    await page.getByRole('button', { name: 'Edit run.py' }).click();
    const editor = page.getByRole('textbox', { name: 'Edit run.py' });
    await editor.getByText('Grader of').waitFor();
    await editor.click();
    await page.keyboard.press('Control+End');
    // One line at a time (CodeMirror reads a multi-line DOM insertion as it sees fit).
    for (const line of ['import sys', 'sys.stderr.write("edited in the browser\\n")']) {
      await page.keyboard.press('Enter');
      await page.keyboard.insertText(line);
    }
    await page.getByRole('button', { name: 'Save run.py' }).click();
    await editor.waitFor({ state: 'detached' });
    const [harness] = await scene.server.services.db.selectFrom('graders').select('harness_tree_id').where('exercise_id', '=', scene.exercises.greet!).execute();
    const [entry] = await scene.server.services.files.treeEntries(harness!.harness_tree_id!);
    assert.equal(entry!.path, 'run.py');
    const original = fs.readFileSync(path.join(EXAMPLE, 'greet', 'grader', 'run.py'), 'utf8');
    assert.equal((await scene.server.services.files.read(entry!.blob, entry!.size)).toString(), `${original}\nimport sys\nsys.stderr.write("edited in the browser\\n")`);

    await page.getByLabel('Run it on').selectOption({ label: 'The reference solution' });
    await page.getByRole('button', { name: 'Run the grader' }).click();
    await page.locator('.trial-log', { hasText: 'edited in the browser' }).waitFor({ timeout: GRADED });
    assert.equal(await page.locator('.trial-score').textContent(), '100 / 100');
    await screenshot(page, 'grader-edited');
  });

  test('the queue page shows a failed job, and rerunning it queues it again', async () => {
    // A worker takes the student's job and fails it until it is out of attempts.
    const grading = scene.server.services.grading;
    for (let job = await grading.claim('test-worker'); job; job = await grading.claim('test-worker')) await grading.fail(job.id, 'test-worker', 'the worker fell over');
    await page.goto(`/c/${scene.courseId}`);
    await page.getByRole('navigation', { name: 'Course staff' }).getByRole('link', { name: 'Queue' }).click();
    await page.getByRole('heading', { name: /^Grading queue/ }).waitFor();
    const jobs = page.getByRole('table', { name: 'Grading jobs' });
    const failedRow = jobs.locator('tbody tr', { hasText: 'the worker fell over' });
    await failedRow.waitFor();
    assert.equal(await page.locator('.count-failed').textContent(), '1');
    assert.equal(await failedRow.locator('.status').textContent(), 'failed');
    assert.match((await failedRow.textContent()) ?? '', /Greetings and FizzBuzz/);
    await screenshot(page, 'queue-failed');

    await failedRow.getByRole('button', { name: /^Rerun job/ }).click();
    await page.getByRole('status').getByText('1 job queued again.').waitFor();
    await jobs.locator('tbody tr', { hasText: '(rerun)' }).locator('.status', { hasText: 'queued' }).waitFor();
    assert.equal(await page.locator('.count-failed').textContent(), '0');
    assert.equal(await page.locator('.count-queued').textContent(), '1');
    await screenshot(page, 'queue-rerun');
  });

  test('a rerun of every submission fills its progress bar as the jobs are graded', async () => {
    scene.startGrading();
    // The queued rerun above is graded first; then a rerun of the whole exercise.
    await page.goto(`/e/${scene.exercises.greet}/grader`);
    const status = page.locator('.rerun-progress [role="status"]');
    // A submission whose job has not started yet is not queued twice: ask until the earlier one has.
    for (let tries = 0; ; tries++) {
      const [answer] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith(`/exercises/${scene.exercises.greet}/rerun/`)),
        page.getByRole('button', { name: 'Rerun all submissions' }).click(),
      ]);
      if (((await answer.json()) as { queued: number }).queued === 1) break;
      assert.ok(tries < 60, 'the earlier job never started');
      await page.waitForTimeout(1000);
    }
    await status.getByText('1 of 1 graded').waitFor({ timeout: GRADED });
    assert.equal(await page.locator('.rerun-progress progress').getAttribute('value'), '1');
    assert.match(page.url(), /\?rerun=/);
    await screenshot(page, 'grader-rerun');
  });
});
