// People and the audit trail in Debian's Chromium against the real server (this engine): an
// instructor checks a CSV roster with one bad row (the row is marked, nothing is written), fixes
// it and applies it (every row written), changes a role and gives an extension; a checker grades
// a submission; the instructor reads each change in the course's audit trail. Screenshots: .tmp/screenshots/.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { OPERATOR } from '../../src/core/enrolment/enrolment.service.ts';
import { actorClient, adminActor, makeCourseTree, makeExercise, makeStudent, PASSWORD } from '../helpers/fixtures.ts';
import { startTestServer } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';
import { builtWebApp, launchChromium, screenshot } from './browser.ts';

const pid = process.pid;
const BAD = `username,email,first_name,last_name,role
ann_${pid},ann_${pid}@example.org,Ann,Lee,student
bob_${pid},bob_${pid}@example.org,Bob,Ray,teacher
cat_${pid},,Cat,Poe,checker
`;

describe('people and the audit trail in a browser: a CSV roster checked then applied, a role, an extension, a grade', () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let course = 0;
  let exercise = 0;
  let instructor = '';

  const members = async () => (await server.services.db.selectFrom('enrollments').select('user_id').where('course_id', '=', course).execute()).length;
  const accounts = async () => (await server.services.db.selectFrom('users').select('username').where('username', 'in', [`ann_${pid}`, `bob_${pid}`, `cat_${pid}`]).execute()).map((u) => u.username).sort();

  before(async () => {
    server = await startTestServer({ webDir: await builtWebApp() });
    const base = await server.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchChromium();
    const tree = await makeCourseTree(server, 'People in a browser');
    course = tree.program.id;
    const user = await server.services.users.createTrusted({ username: `ines_${pid}`, password: PASSWORD, clearance: 2, first_name: 'Ines', last_name: 'Tester' });
    instructor = user.username;
    await server.services.enrolment.enrol(OPERATOR, { id: course }, [instructor], 'instructor');
    exercise = (await makeExercise(server, tree.module.id, { name: 'Adding' })).id;
    context = await browser.newContext({ viewport: { width: 1200, height: 900 }, baseURL: base });
    page = await context.newPage();
    await page.goto('/');
    await page.getByLabel('Username').fill(instructor);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Your courses' }).waitFor();
  });
  after(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
  });

  test('a roster with one bad row is checked: the row is marked and nothing is written', async () => {
    const before = await members();
    await page.goto(`/c/${course}/people`);
    await page.getByRole('heading', { name: 'People: People in a browser' }).waitFor();
    await page.getByLabel('Roster CSV').fill(BAD);
    await page.getByRole('button', { name: 'Check roster' }).click();
    const status = page.getByRole('status').filter({ hasText: 'nothing was written' });
    await status.waitFor();
    assert.match(await status.innerText(), /^1 problem: nothing was written/);
    const bad = page.locator('table[aria-label="Roster check"] tr.bad-row');
    assert.equal(await bad.count(), 1);
    assert.equal(await bad.getAttribute('data-line'), '3');
    assert.match(await bad.locator('.problem').innerText(), /role "teacher" is not a role/);
    assert.match(await bad.innerText(), new RegExp(`bob_${pid}`));
    // The good rows say what they would do.
    assert.match(await page.locator('tr[data-line="2"]').innerText(), /New account, enrolled/);
    assert.equal(await page.getByRole('button', { name: 'Apply roster' }).isDisabled(), true);
    await screenshot(page, 'people-roster-bad-row');
    assert.equal(await members(), before);
    assert.deepEqual(await accounts(), []);
  });

  test('the fixed roster is checked again and applied: every row is written at once', async () => {
    const before = await members();
    await page.getByLabel('Roster CSV').fill(BAD.replace('Ray,teacher', 'Ray,student'));
    // A changed text must be checked again before it is applied.
    assert.equal(await page.getByRole('button', { name: 'Apply roster' }).isDisabled(), true);
    await page.getByRole('button', { name: 'Check roster' }).click();
    await page.getByRole('status').filter({ hasText: 'Every row is right: 3 rows ready to apply.' }).waitFor();
    assert.equal(await page.locator('tr.bad-row').count(), 0);
    await page.getByRole('button', { name: 'Apply roster' }).click();
    await page.getByRole('status').filter({ hasText: 'Applied: 3 rows written.' }).waitFor();
    for (const name of ['ann', 'bob', 'cat']) await page.locator(`table[aria-label="Roster"] tr[data-user="${name}_${pid}"]`).waitFor();
    // New accounts get one-time passwords, shown once.
    assert.match(await page.locator('tr[data-line="2"] td.mono').innerText(), /^\S{12,}$/);
    await screenshot(page, 'people-roster-applied');
    assert.equal(await members(), before + 3);
    assert.deepEqual(await accounts(), [`ann_${pid}`, `bob_${pid}`, `cat_${pid}`]);
  });

  test("a role changed on the roster and an extension given show in the course's audit trail", async () => {
    const changed = page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().includes('/enrollments/'));
    await page.getByLabel(`Role of cat_${pid}`).selectOption('student');
    assert.equal((await changed).status(), 200);
    await page.goto(`/e/${exercise}/extensions`);
    await page.getByRole('heading', { name: 'Extensions: Adding' }).waitFor();
    await page.getByLabel('Student').selectOption({ label: `ann_${pid} (Ann Lee)` });
    await page.getByLabel('Days added to the due and end dates').fill('3');
    await page.getByRole('button', { name: 'Save extension' }).click();
    await page.locator(`table[aria-label="Extensions"] tr[data-user="ann_${pid}"]`).getByText('3 days').waitFor();
    await screenshot(page, 'extensions');
    await page.goto(`/c/${course}/audit`);
    await page.getByRole('heading', { name: 'Audit trail: People in a browser' }).waitFor();
    const rows = page.locator('table[aria-label="Audit trail"] tbody tr');
    await rows.first().waitFor();
    const first = rows.first();
    assert.deepEqual(
      [await first.getAttribute('data-kind'), await first.locator('.audit-actor').innerText(), await first.locator('.audit-subject').innerText(), await first.locator('.audit-before').innerText(), await first.locator('.audit-after').innerText()],
      ['extension', instructor, `ann_${pid}`, 'none', '3 days'],
    );
    const role = rows.filter({ has: page.locator('.audit-subject', { hasText: `cat_${pid}` }) }).first();
    assert.deepEqual([await role.locator('.audit-field').innerText(), await role.locator('.audit-before').innerText(), await role.locator('.audit-after').innerText()], ['role', 'checker', 'student']);
  });

  test("a checker's grade shows in the audit trail: who, whose, before and after", async () => {
    await server.services.problems.replace(await adminActor(server), exercise, [{ name: 'correctness', max_score: 6 }]);
    const problem = (await server.services.db.selectFrom('problems').select('id').where('exercise_id', '=', exercise).executeTakeFirstOrThrow()).id;
    const checker = await actorClient(server, 2);
    await server.services.enrolment.enrol(OPERATOR, { id: course }, [checker.username], 'checker');
    const student = await makeStudent(server, course);
    const created = await checker.api.post('/api/core/assignments/', { json: { user: student.id, exercise, assignment_status: 'New' } });
    assert.equal(created.status, 201, created.text);
    const form = new FormData();
    form.append('response_type', 'Submission');
    form.append('contents', '[]');
    form.append('file', new Blob([Buffer.from('print(3)\n')]), 'add.py');
    assert.equal((await student.api.post(`/api/core/assignments/${created.body.id}/responses/`, { multipart: form })).status, 201);
    const submission = (await server.services.db.selectFrom('submissions').select('id').where('assignment_id', '=', created.body.id).executeTakeFirstOrThrow()).id;
    const review = await checker.api.post(`/api/assay/v1/submissions/${submission}/review/`, { json: { verdict: 'Done', points: [{ problem, points: 5 }] } });
    assert.equal(review.status, 200, review.text);

    await page.goto(`/c/${course}/audit`);
    await page.getByLabel('Show').selectOption('grade');
    const graded = page.locator('table[aria-label="Audit trail"] tbody tr', { has: page.locator('.audit-field', { hasText: /^correctness$/ }) });
    await graded.waitFor();
    assert.deepEqual(
      [await graded.locator('.audit-actor').innerText(), await graded.locator('.audit-subject').innerText(), await graded.locator('.audit-before').innerText(), await graded.locator('.audit-after').innerText()],
      [checker.username, student.username, 'none', '5'],
    );
    const kinds = await page.locator('table[aria-label="Audit trail"] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-kind')));
    assert.ok(kinds.length >= 3 && kinds.every((k) => k === 'grade'), JSON.stringify(kinds));
    await screenshot(page, 'audit-trail-grade');
  });
});
