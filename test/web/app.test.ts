// The web app in Debian's Chromium against the real server (this engine, real sandboxes, the
// example course): a student hands in a wrong then a right solution and watches each graded live;
// a checker locks the assignment from the inbox, reads the diff, comments on a line and sets Redo;
// a second checker finds it locked; the student sees the verdict. Screenshots: .tmp/screenshots/.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { sandboxWorks } from '../grading/sandbox-helpers.ts';
import { launchChromium, screenshot } from './browser.ts';
import { EXAMPLE, startScene } from './scene.ts';
import type { Person, Scene } from './scene.ts';

const haveSandbox = await sandboxWorks();
const GRADED = 90_000;

describe('the web app, in a browser', { skip: haveSandbox ? false : 'bubblewrap is not usable here' }, () => {
  let scene: Scene;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let student: Page;
  let submissionUrl = '';

  before(async () => {
    scene = await startScene();
    browser = await launchChromium();
  });
  after(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await scene?.close();
  });

  async function signedIn(person: Person, viewport = { width: 1200, height: 900 }): Promise<Page> {
    const context = await browser.newContext({ viewport, baseURL: scene.base });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto('/');
    await page.getByLabel('Username').fill(person.username);
    await page.getByLabel('Password').fill(person.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Your courses' }).waitFor();
    return page;
  }

  async function gradedTests(page: Page): Promise<{ name: string; status: string; score: string; output: string }[]> {
    await page.locator('.grading-status .status', { hasText: /^done$/ }).waitFor({ timeout: GRADED });
    return page.locator('ul.tests > li').evaluateAll((items) =>
      items.map((li) => ({
        name: li.querySelector('.test-name')?.textContent ?? '',
        status: li.querySelector('summary .status')?.textContent ?? '',
        score: li.querySelector('.test-score')?.textContent ?? '',
        output: li.querySelector('.output')?.textContent ?? '',
      })),
    );
  }

  test('a student signs in, hands in a wrong solution (edited from the handout) and sees it graded live, test by test', async () => {
    student = await signedIn(scene.student, { width: 375, height: 800 });
    await screenshot(student, 'home-375px');
    await student.getByRole('link', { name: 'Introduction to Python' }).click();
    await student.getByRole('heading', { name: 'Introduction to Python' }).waitFor();
    await screenshot(student, 'course-375px');
    await student.setViewportSize({ width: 1200, height: 900 });
    await student.getByRole('link', { name: 'Greetings and FizzBuzz' }).click();
    await student.getByRole('heading', { name: 'Greetings and FizzBuzz' }).waitFor();

    await student.getByRole('tab', { name: 'Edit here' }).click();
    await student.getByRole('button', { name: 'Start from the handout' }).click();
    await student.getByRole('button', { name: 'solution.py' }).click();
    const editor = student.getByRole('textbox', { name: 'Edit solution.py' });
    await editor.click();
    await student.keyboard.press('Control+End');
    await student.keyboard.type('\n# my own note\n');
    await screenshot(student, 'exercise');

    // The session ends while the student edits: handing in asks them to sign in again, and the
    // draft is still there afterwards.
    await student.context().clearCookies();
    await student.getByRole('button', { name: 'Hand in' }).click();
    await student.getByRole('heading', { name: 'Sign in to Assay' }).waitFor();
    await student.getByLabel('Username').fill(scene.student.username);
    await student.getByLabel('Password').fill(scene.student.password);
    await student.getByRole('button', { name: 'Sign in' }).click();
    await editor.getByText('# my own note').waitFor();
    await student.getByRole('button', { name: 'Hand in' }).click();
    await student.waitForURL(/\/s\/\d+$/);
    submissionUrl = new URL(student.url()).pathname;

    // No worker runs yet: the page shows the submission waiting first in the queue …
    await student.getByText('queued — number 1 in the queue').waitFor();
    // … and follows its grading with no reload once the workers start.
    scene.startGrading();
    const tests = await gradedTests(student);
    assert.deepEqual(tests.map((t) => [t.name, t.status]), [['greet', 'failed'], ['fizzbuzz', 'failed']]);
    for (const t of tests) assert.match(t.output, /NotImplementedError/);
    assert.equal(new URL(student.url()).pathname, submissionUrl);
    await screenshot(student, 'submission-failed');
  });

  test('the student hands in the right solution as an uploaded file, sees it pass and the diff to the first', async () => {
    await student.getByRole('link', { name: 'Exercise' }).click();
    await student.getByRole('heading', { name: 'Greetings and FizzBuzz' }).waitFor();
    await student.getByRole('tab', { name: 'Upload files' }).click();
    await student.getByLabel('Choose files').setInputFiles({ name: 'solution.py', mimeType: 'text/x-python', buffer: fs.readFileSync(path.join(EXAMPLE, 'greet', 'solution', 'solution.py')) });
    await student.getByRole('list', { name: 'Files to hand in' }).getByText('solution.py').waitFor();
    await student.getByRole('button', { name: 'Hand in' }).click();
    await student.waitForURL((url) => /\/s\/\d+$/.test(url.pathname) && url.pathname !== submissionUrl);
    const tests = await gradedTests(student);
    assert.deepEqual(tests.map((t) => [t.name, t.status, t.score]), [['greet', 'passed', '40 / 40'], ['fizzbuzz', 'passed', '60 / 60']]);
    await student.getByRole('group', { name: 'Changes in solution.py' }).waitFor();
    await screenshot(student, 'submission-passed');
    submissionUrl = new URL(student.url()).pathname;
  });

  test('a checker opens the inbox, locks the assignment, reads the diff, comments on a line and sets Redo; a second checker finds it locked', async () => {
    const checker = await signedIn(scene.checkers[0]);
    await checker.getByRole('link', { name: 'Inbox' }).click();
    const item = checker.getByRole('list', { name: 'Waiting, oldest first' }).getByRole('link', { name: 'Greetings and FizzBuzz' });
    await item.waitFor();
    await screenshot(checker, 'inbox');
    await item.click();
    await checker.getByText('You hold the lock on this assignment.').waitFor();
    const checkUrl = new URL(checker.url()).pathname;

    const second = await signedIn(scene.checkers[1]);
    await second.goto(checkUrl);
    await second.getByText(/Locked by Chris Tester: read only\./).waitFor();
    assert.equal(await second.getByRole('button', { name: 'Redo' }).count(), 0);

    await checker.getByRole('tab', { name: 'Changes since the previous submission' }).click();
    await checker.getByRole('group', { name: 'Changes in solution.py' }).waitFor();
    await screenshot(checker, 'check-diff');
    await checker.getByLabel('Line (or click a line number)').fill('3');
    await checker.getByLabel('Comment on this line').fill('An f-string: good.');
    await checker.getByRole('button', { name: 'Add line comment' }).click();
    await checker.getByRole('list', { name: 'Line comments' }).getByText('An f-string: good.').waitFor();
    await checker.getByLabel('General comment (Markdown)').fill('Please also handle **n = 0**.');
    await checker.getByRole('button', { name: 'Redo' }).click();
    await checker.locator('.lock .status', { hasText: 'Redo' }).waitFor();
    await screenshot(checker, 'check');
  });

  test('the student sees the Redo, the general comment and the line comment inline', async () => {
    await student.goto(submissionUrl);
    await student.getByRole('heading', { name: 'Grade and feedback' }).waitFor();
    await student.locator('section', { hasText: 'Grade and feedback' }).getByText('Redo').first().waitFor();
    await student.getByText('Please also handle').waitFor();
    await student.locator('.line-note', { hasText: 'An f-string: good.' }).waitFor();
    await screenshot(student, 'submission-reviewed');
  });

  test('the student asks for help on the exercise; a checker takes the thread, replies and resolves it', async () => {
    await student.getByRole('link', { name: 'Exercise' }).click();
    await student.getByText('Help', { exact: true }).click();
    await student.getByLabel('Title').fill('fizzbuzz(0)?');
    await student.getByLabel('Your question').fill('Should it return an empty list?');
    await student.getByRole('button', { name: 'Open a help thread' }).click();
    await student.getByRole('heading', { name: 'fizzbuzz(0)?' }).waitFor();
    const threadUrl = new URL(student.url()).pathname;

    const checker = await signedIn(scene.checkers[0]);
    await checker.goto('/inbox?kind=help');
    await checker.getByRole('link', { name: 'Help: fizzbuzz(0)?' }).click();
    await checker.getByRole('button', { name: 'Lock (take this thread)' }).click();
    await checker.getByRole('button', { name: 'Give back the lock' }).waitFor();
    await checker.getByLabel('Your reply').fill('Yes: `[]`.');
    await checker.getByRole('button', { name: 'Reply' }).click();
    await checker.getByRole('button', { name: 'Resolve' }).click();
    await checker.getByText(/^Resolved · opened by/).waitFor();

    await student.goto(threadUrl);
    await student.getByText(/^Resolved · opened by/).waitFor();
    await student.locator('.replies').getByText('Yes:').waitFor();
    await screenshot(student, 'help-thread');
  });
});
