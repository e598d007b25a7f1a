// Running a course from the browser, in Debian's Chromium against the real server (this engine):
// an instructor opens a new course, uploads the example course directory as a zip with a mistake
// (every problem listed by file, nothing changed), then the right zip (its exercises appear),
// and changes an exercise's deadline and submission limit. Screenshots: .tmp/screenshots/.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { OPERATOR } from '../../src/core/enrolment/enrolment.service.ts';
import { adminActor, PASSWORD } from '../helpers/fixtures.ts';
import { startTestServer } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';
import { zipFolder } from '../helpers/zip.ts';
import { builtWebApp, launchChromium, screenshot } from './browser.ts';
import { EXAMPLE } from './scene.ts';

describe('courses in a browser: a new course, its directory as a zip, an exercise’s settings', () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let courseId = 0;
  let root: Awaited<ReturnType<typeof adminActor>>;
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'assay-web-courses-'));

  before(async () => {
    server = await startTestServer({ webDir: await builtWebApp() });
    const base = await server.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchChromium();
    // An instructor (clearance 2) of another course: instructors may open courses.
    const services = server.services;
    root = await adminActor(server);
    const user = await services.users.createTrusted({ username: `ida_${process.pid}`, password: PASSWORD, clearance: 2, first_name: 'Ida', last_name: 'Tester' });
    const earlier = await services.programs.create(root, { name: 'Last year', slug: 'intro-python-2025' });
    await services.enrolment.enrol(OPERATOR, { id: earlier.id }, [user.username], 'instructor');
    // The example course, and a copy with mistakes in two files.
    fs.writeFileSync(path.join(temp, 'good.zip'), await zipFolder(EXAMPLE));
    const broken = path.join(temp, 'broken');
    fs.cpSync(EXAMPLE, broken, { recursive: true });
    fs.appendFileSync(path.join(broken, 'greet', 'exercise.yaml'), '\nmax_submissions: many\n');
    fs.appendFileSync(path.join(broken, 'course.yaml'), '\nteacher: nobody\n');
    fs.writeFileSync(path.join(temp, 'broken.zip'), await zipFolder(broken, 'intro-python/'));

    context = await browser.newContext({ viewport: { width: 1200, height: 900 }, baseURL: base });
    page = await context.newPage();
    await page.goto('/');
    await page.getByLabel('Username').fill(user.username);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Your courses' }).waitFor();
  });
  after(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
    fs.rmSync(temp, { recursive: true, force: true });
  });

  test('an instructor opens a new course from the home page', async () => {
    await page.getByRole('link', { name: 'New course' }).click();
    await page.getByRole('heading', { name: 'New course' }).waitFor();
    await page.getByLabel('Short name (slug)').fill('intro-python');
    await page.getByLabel('Name', { exact: true }).fill('Python, this year');
    await page.getByLabel('Semester').fill('2026');
    await page.getByRole('button', { name: 'Create the course' }).click();
    await page.getByRole('heading', { name: 'Settings of Python, this year' }).waitFor();
    courseId = Number(/\/c\/(\d+)\/settings$/.exec(new URL(page.url()).pathname)?.[1]);
    assert.ok(courseId > 0, page.url());
  });

  test('a zip with mistakes lists every problem by file and changes nothing', async () => {
    await page.getByLabel('Zip file').setInputFiles(path.join(temp, 'broken.zip'));
    await page.getByRole('button', { name: 'Upload and sync' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'was not synced' });
    await alert.waitFor();
    const problems = await alert.locator('li').allTextContents();
    assert.ok(problems.some((p) => p.startsWith('course.yaml: teacher:')), problems.join(' | '));
    assert.ok(problems.some((p) => p.startsWith('greet/exercise.yaml: max_submissions:')), problems.join(' | '));
    await screenshot(page, 'courses-zip-problems');
    const exercises = await server.services.exercises.list(root, { courseIds: [courseId] });
    assert.equal(exercises.length, 0);
  });

  test('the example course’s zip syncs and its exercises appear on the course page', async () => {
    await page.getByLabel('Zip file').setInputFiles(path.join(temp, 'good.zip'));
    await page.getByRole('button', { name: 'Upload and sync' }).click();
    const report = page.getByRole('status').filter({ hasText: 'Synced course' });
    await report.waitFor();
    assert.deepEqual(await page.getByRole('list', { name: 'Synced exercises' }).getByRole('link', { name: /^(?!Settings)/ }).allTextContents(), ['Greetings and FizzBuzz', 'Palindromes and words']);
    await screenshot(page, 'courses-zip-synced');
    await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'Introduction to Python' }).click();
    await page.getByRole('heading', { name: 'Introduction to Python', exact: true }).waitFor();
    const listed = await page.locator('ul.exercises a').allTextContents();
    assert.deepEqual(listed.sort(), ['Greetings and FizzBuzz', 'Palindromes and words']);
  });

  test('an exercise’s settings change its due date and submission limit', async () => {
    await page.getByRole('link', { name: 'Greetings and FizzBuzz' }).click();
    await page.getByRole('navigation', { name: 'Exercise staff' }).getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Settings of Greetings and FizzBuzz' }).waitFor();
    await page.getByLabel('Due').fill('2026-12-24T18:00');
    await page.getByLabel('Submissions per student').fill('3');
    await page.getByLabel('Students see the reference solution').selectOption('Always');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    await screenshot(page, 'courses-exercise-settings');
    const exercise = (await server.services.exercises.list(root, { courseIds: [courseId] })).find((e) => e.slug === 'greet')!;
    const due = await page.evaluate(() => new Date('2026-12-24T18:00').toISOString());
    assert.deepEqual([exercise.due_at?.slice(0, 19), exercise.max_submissions, exercise.patbas], [due.slice(0, 19), 3, 'Always']);
    // A mistake is named and nothing is saved.
    await page.getByLabel('Closes').fill('2026-12-01T18:00');
    await page.getByRole('button', { name: 'Save' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'Nothing was saved' });
    await alert.waitFor();
    assert.match((await alert.locator('li').allTextContents()).join(' | '), /end_at: The end is before the due date/);
  });
});
