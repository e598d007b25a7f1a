// The gradebook and the admin page in Debian's Chromium against the real server (this engine, real
// sandboxes, the example course): students' handins are graded for real, an instructor exports
// the gradebook as CSV from the page and every row matches what that student's own course page
// shows; an admin creates an account, resets its password, and the new user signs in with it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { OPERATOR } from '../../src/core/enrolment/enrolment.service.ts';
import { PASSWORD, login } from '../helpers/fixtures.ts';
import { client } from '../helpers/http.ts';
import { sandboxWorks } from '../grading/sandbox-helpers.ts';
import { launchChromium, screenshot, signInPage } from './browser.ts';
import { EXAMPLE, startScene } from './scene.ts';
import type { Person, Scene } from './scene.ts';

const haveSandbox = await sandboxWorks();

describe('the gradebook and the admin page, in a browser', { skip: haveSandbox ? false : 'bubblewrap is not usable here' }, () => {
  let scene: Scene;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let students: Person[] = [];
  let instructor: Person;
  let admin: Person;

  before(async () => {
    scene = await startScene();
    browser = await launchChromium();
    const services = scene.server.services;
    const make = async (name: string, clearance: 1 | 2 | 5, role: 'student' | 'instructor' | null): Promise<Person> => {
      const user = await services.users.createTrusted({ username: `${name}_${process.pid}`, password: PASSWORD, clearance, first_name: name, last_name: 'Gradebook' });
      if (role) await services.enrolment.enrol(OPERATOR, { id: scene.courseId }, [user.username], role);
      return { id: user.id, username: user.username, password: PASSWORD };
    };
    students = [scene.student, await make('ann', 1, 'student'), await make('ben', 1, 'student')];
    instructor = await make('ivy', 2, 'instructor');
    admin = await make('ada', 5, null);
    // sam hands in the reference solution of greet, ann the handout (part of the tests fail), ben
    // nothing; ann also hands in palindromes' solution. Each is graded in the real sandbox.
    const handIn = async (who: Person, slug: string, folder: 'handout' | 'solution') => {
      const dir = path.join(EXAMPLE, slug, folder);
      const form = new FormData();
      for (const name of fs.readdirSync(dir)) form.append('file', new Blob([fs.readFileSync(path.join(dir, name))]), name);
      const res = await client(scene.server.app, await login(scene.server, who.username)).post(`/api/assay/v1/exercises/${scene.exercises[slug]}/submissions/`, { multipart: form });
      assert.equal(res.status, 201, res.text);
    };
    await handIn(students[0]!, 'greet', 'solution');
    await handIn(students[1]!, 'greet', 'handout');
    await handIn(students[1]!, 'palindromes', 'solution');
    scene.startGrading();
    for (let waited = 0; ; waited += 250) {
      const open = await services.db.selectFrom('grading_jobs').select('id').where('status', 'in', ['queued', 'running', 'waiting']).execute();
      if (open.length === 0) break;
      if (waited > 120_000) throw new Error('grading did not finish');
      await new Promise((r) => setTimeout(r, 250));
    }
  });
  after(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await scene?.close();
  });

  async function signedIn(person: Person): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, baseURL: scene.base, acceptDownloads: true });
    contexts.push(context);
    return signInPage(context, person);
  }

  test("an instructor exports the gradebook as CSV from the page, and each row matches the student's own course page", async () => {
    const page = await signedIn(instructor);
    await page.goto(`/c/${scene.courseId}`);
    await page.getByRole('navigation', { name: 'Course staff' }).getByRole('link', { name: 'Gradebook' }).click();
    await page.getByRole('heading', { name: 'Gradebook' }).waitFor();
    await page.getByText('3 students').waitFor();
    await screenshot(page, 'gradebook');
    // Filtering narrows the table; sorting by greet puts sam (full marks) first.
    await page.getByLabel('Filter students').fill('ann_');
    await page.getByText('1 of 3 students').waitFor();
    await page.getByLabel('Filter students').fill('');
    await page.getByRole('button', { name: 'greet', exact: true }).click();
    assert.equal(await page.locator('tbody tr').first().getAttribute('data-username'), students[0]!.username);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
    const rows = parse(fs.readFileSync((await download.path())!, 'utf8'), { columns: true }) as Record<string, string>[];
    assert.deepEqual(rows.map((r) => r.username).sort(), students.map((s) => s.username).sort());
    const slugs = Object.keys(scene.exercises);
    const idToSlug = new Map(Object.entries(scene.exercises).map(([slug, id]) => [String(id), slug]));
    assert.ok(Number(rows.find((r) => r.username === students[0]!.username)!.greet) > 0, 'the reference solution scores');

    for (const student of students) {
      const row = rows.find((r) => r.username === student.username)!;
      const own = await signedIn(student);
      await own.goto(`/c/${scene.courseId}`);
      await own.getByRole('heading', { name: 'Introduction to Python' }).waitFor();
      const shown = await own.locator('ul.exercises > li').evaluateAll((items) =>
        items.map((li) => ({ href: li.querySelector('a')?.getAttribute('href') ?? '', score: li.querySelector('.muted')?.textContent ?? '' })),
      );
      assert.equal(shown.length, slugs.length);
      for (const { href, score } of shown) {
        const slug = idToSlug.get(href.replace('/e/', ''))!;
        const points = row[slug]!;
        // The page shows "Score 7 / 10" (or "Score —"); the CSV holds the 7 (or nothing).
        const expected = points === '' ? 'Score —' : new RegExp(`^Score ${points.replace('.', '\\.')}( / [\\d.]+)?$`);
        if (typeof expected === 'string') assert.equal(score, expected, `${student.username} ${slug}`);
        else assert.match(score, expected, `${student.username} ${slug}`);
      }
      await own.context().close();
    }

    // One exercise's export from its column.
    const [one] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /Export Greetings.* as CSV/ }).click()]);
    const lines = parse(fs.readFileSync((await one.path())!, 'utf8'), { columns: true }) as Record<string, string>[];
    assert.equal(lines.find((r) => r.username === students[0]!.username)!.score, rows.find((r) => r.username === students[0]!.username)!.greet);
  });

  test('an admin creates an account and resets its password on the admin page, and the new user signs in with it', async () => {
    const page = await signedIn(admin);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
    await page.getByRole('heading', { name: 'Administration' }).waitFor();
    await page.getByRole('list', { name: 'Server health' }).getByText('Database').waitFor();
    const username = `newcomer_${process.pid}`;
    const form = page.getByRole('form', { name: 'New account' });
    await form.getByLabel('Username').fill(username);
    await form.getByLabel('Password').fill('first-password-1');
    await form.getByLabel('Clearance').selectOption('1');
    await form.getByLabel('First name').fill('Nova');
    await form.getByRole('button', { name: 'Create account' }).click();
    await page.getByText(`Created ${username}.`).waitFor();
    await page.getByLabel('Find an account').fill(username);
    await page.getByRole('button', { name: `Reset password of ${username}` }).click();
    await page.getByLabel(`New password for ${username}`).fill('second-password-2');
    await page.getByRole('button', { name: 'Save password' }).click();
    await page.getByText(`The password of ${username} is reset.`).waitFor();
    await screenshot(page, 'admin');

    const newcomer = await signedIn({ id: 0, username, password: 'second-password-2' });
    await newcomer.getByRole('heading', { name: 'Your courses' }).waitFor();
    // The first password no longer works.
    const stale = await (await browser.newContext({ baseURL: scene.base })).newPage();
    await stale.goto('/');
    await stale.getByLabel('Username').fill(username);
    await stale.getByLabel('Password').fill('first-password-1');
    await stale.getByRole('button', { name: 'Sign in' }).click();
    await stale.getByRole('alert').waitFor();
    await stale.context().close();
  });
});
