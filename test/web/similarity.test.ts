// The similarity page in Debian's Chromium against the real server (this engine, the real Dolos
// library): five students hand in their own programs and a sixth a disguised copy of one of them;
// an instructor computes a report from the page, watches it finish, finds the planted copy ranked
// first, and opens the pair side by side with the shared fragments marked in both.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { OPERATOR } from '../../src/core/enrolment/enrolment.service.ts';
import { PASSWORD, login } from '../helpers/fixtures.ts';
import { client } from '../helpers/http.ts';
import { disguise, program } from '../helpers/similarity-corpus.ts';
import { launchChromium, screenshot } from './browser.ts';
import { startScene } from './scene.ts';
import type { Person, Scene } from './scene.ts';

describe('the similarity page, in a browser', () => {
  let scene: Scene;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let instructor: Person;
  let checker: Person;
  let exercise: number;

  before(async () => {
    scene = await startScene();
    browser = await launchChromium();
    const services = scene.server.services;
    exercise = scene.exercises.palindromes!;
    const make = async (name: string, clearance: 1 | 2, role: 'student' | 'instructor'): Promise<Person> => {
      const user = await services.users.createTrusted({ username: `${name.toLowerCase()}_${process.pid}`, password: PASSWORD, clearance, first_name: name, last_name: 'Similar' });
      await services.enrolment.enrol(OPERATOR, { id: scene.courseId }, [user.username], role);
      return { id: user.id, username: user.username, password: PASSWORD };
    };
    instructor = await make('Ivy', 2, 'instructor');
    checker = scene.checkers[0];
    // Dora's program is Omar's, renamed and commented: the planted near-copy.
    const handIns: [string, string][] = [
      ['Omar', program(11, 80)],
      ['Lena', program(12, 80)],
      ['Pia', program(13, 80)],
      ['Theo', program(14, 80)],
      ['Uma', program(15, 80)],
      ['Dora', disguise(program(11, 80))],
    ];
    for (const [name, text] of handIns) {
      const who = await make(name, 1, 'student');
      const form = new FormData();
      form.append('file', new Blob([text]), 'solution.py');
      const res = await client(scene.server.app, await login(scene.server, who.username)).post(`/api/assay/v1/exercises/${exercise}/submissions/`, { multipart: form });
      assert.equal(res.status, 201, res.text);
    }
  });
  after(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await scene?.server.services.similarity.idle();
    await scene?.close();
  });

  async function signedIn(person: Person): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, baseURL: scene.base });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto('/');
    await page.getByLabel('Username').fill(person.username);
    await page.getByLabel('Password').fill(person.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Your courses' }).waitFor();
    return page;
  }

  test('an instructor computes a report that ranks the planted near-copy first, and sees the pair side by side', async () => {
    const page = await signedIn(instructor);
    await page.goto(`/e/${exercise}/similarity`);
    await page.getByRole('heading', { name: 'Similarity' }).waitFor();
    await page.getByText('No report yet.').waitFor();
    await page.getByRole('button', { name: 'Compute a report' }).click();
    const table = page.getByRole('table', { name: 'Pairs, the most similar first' });
    await table.waitFor({ timeout: 60_000 });
    await page.getByText(/6 submissions in python compared/).waitFor();
    const first = table.getByRole('row').nth(1);
    const cells = await first.getByRole('cell').allInnerTexts();
    assert.equal(cells[0], '1');
    assert.deepEqual([cells[1], cells[2]].sort(), ['Dora Similar', 'Omar Similar'], cells.join(' | '));
    const similarity = Number(/(\d+)%/.exec(cells[3]!)![1]);
    assert.ok(similarity >= 90, cells.join(' | '));
    // Every other pair is far less similar.
    const rows = await table.getByRole('row').count();
    for (let i = 2; i < rows; i++) {
      const other = await table.getByRole('row').nth(i).getByRole('cell').allInnerTexts();
      assert.ok(Number(/(\d+)%/.exec(other[3]!)![1]) < 50, other.join(' | '));
    }

    await first.getByRole('button', { name: /Compare/ }).click();
    await page.getByRole('heading', { name: /Omar Similar and Dora Similar|Dora Similar and Omar Similar/ }).waitFor();
    const left = page.getByRole('textbox', { name: /Code of (Omar|Dora) Similar/ }).first();
    await left.waitFor();
    const views = page.locator('.side-by-side .cm-editor');
    assert.equal(await views.count(), 2);
    for (let i = 0; i < 2; i++) assert.ok((await views.nth(i).locator('.cm-line.shared').count()) > 5, `view ${i} marks shared lines`);
    assert.ok((await page.getByLabel('Shared fragment').locator('option').count()) >= 1);
    assert.match(page.url(), /\?pair=1$/);
    await screenshot(page, 'similarity-pair');
  });

  test('a checker reads the report but may not start one (the server refuses, the page says why)', async () => {
    const page = await signedIn(checker);
    await page.goto(`/e/${exercise}/similarity`);
    await page.getByRole('table', { name: 'Pairs, the most similar first' }).waitFor();
    await page.getByRole('button', { name: 'Compute a new report' }).click();
    await page.getByRole('alert').filter({ hasText: 'Only the course’s instructors start a similarity report.' }).waitFor();
  });
});
