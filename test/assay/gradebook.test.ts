// A course's gradebook through Assay's API and the CLI's export: what each cell shows matches the
// student's own course page; lateness and extensions as the late policy counts them; the CSV
// exports; bad input and the core's refusals (checkers and students 403, outsiders 404).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { gradebookCommand } from '../../src/cli/gradebook.ts';
import { parseCommandLine } from '../../src/cli/usage.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { engineUnderTest } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';
import { login } from '../helpers/fixtures.ts';
import { call, client } from '../helpers/http.ts';
import { COURSE_YAML, HW1_YAML, HW2_YAML, LAB_YAML } from '../autolab/course.ts';
import type { Person } from '../autolab/fixture.ts';
import { api, autolabServer, handin, person, syncCourse, tokenMinter } from '../autolab/fixture.ts';

interface Cell {
  status: string | null;
  score: number | null;
  submissions: number;
  days_late: number;
  grace_days: number;
  penalty_days: number;
  extension: { days: number; infinite: boolean } | null;
}
interface Row {
  id: number;
  username: string;
  total: number;
  grace_days_left: number | null;
  cells: Cell[];
}

describe(`/api/assay/v1/courses/{id}/gradebook/ and its CSV exports, on ${engineUnderTest}`, () => {
  const clock = new ManualClock('2025-01-10T12:00:00Z');
  let server: TestServer;
  let courseId: number;
  let hw1: number;
  let otherExercise: number;
  let mint: Awaited<ReturnType<typeof tokenMinter>>;
  let instructor: Person, checker: Person, ann: Person, ben: Person, cat: Person, dropped: Person, outsider: Person, otherInstructor: Person;
  const as = async (p: Person) => client(server.app, await login(server, p.username));
  const submit = async (p: Person, slug: string, text: string) => {
    const res = await api(server, await mint(p.id)).post(`/courses/gb/assessments/${slug}/submit`, { multipart: handin(text) });
    assert.equal(res.status, 200, res.text);
  };
  /** A released (or not) feedback with points on the person's latest submission of the exercise. */
  const grade = async (p: Person, exerciseId: number, points: number, released = true) => {
    const db = server.services.db;
    const s = await db
      .selectFrom('submissions as s')
      .innerJoin('assignments as a', 'a.id', 's.assignment_id')
      .select('s.id')
      .where('a.exercise_id', '=', exerciseId)
      .where('s.user_id', '=', p.id)
      .orderBy('s.number', 'desc')
      .executeTakeFirstOrThrow();
    await db.insertInto('feedback').values({ submission_id: s.id, points, released, created_at: clock.now() }).execute();
  };

  before(async () => {
    server = await autolabServer({ clock });
    courseId = await syncCourse(server, 'gb', `grace_days: 1\n${COURSE_YAML}`, [
      { slug: 'hw1', yaml: HW1_YAML },
      { slug: 'hw2', yaml: HW2_YAML },
      { slug: 'lab', yaml: LAB_YAML },
    ]);
    const other = await syncCourse(server, 'gb-other', COURSE_YAML, [{ slug: 'hw1', yaml: HW1_YAML }]);
    hw1 = (await server.services.db.selectFrom('exercises').select('id').where('course_id', '=', courseId).where('slug', '=', 'hw1').executeTakeFirstOrThrow()).id;
    otherExercise = (await server.services.db.selectFrom('exercises').select('id').where('course_id', '=', other).executeTakeFirstOrThrow()).id;
    mint = await tokenMinter(server);
    instructor = await person(server, mint, { courseId, role: 'instructor' });
    checker = await person(server, mint, { courseId, role: 'checker' });
    ann = await person(server, mint, { courseId, role: 'student' });
    ben = await person(server, mint, { courseId, role: 'student' });
    cat = await person(server, mint, { courseId, role: 'student' });
    dropped = await person(server, mint, { courseId, role: 'student' });
    await server.services.db.updateTable('enrollments').set({ dropped: true }).where('user_id', '=', dropped.id).execute();
    outsider = await person(server, mint);
    otherInstructor = await person(server, mint, { courseId: other, role: 'instructor' });
    await server.services.assessments.catalog.configureAssessment({ id: instructor.id, username: instructor.username, clearance: 2 }, hw1, { max_grace_days: 1 });
    await server.services.db.updateTable('users').set({ first_name: '=HYPERLINK("x")' }).where('id', '=', cat.id).execute();

    // ann on time; ben a day and two minutes late (two started days: one grace day, one penalty
    // day); cat just as late, but with a three-day extension.
    await submit(ann, 'hw1', 'first');
    await submit(ann, 'hw1', 'second');
    await submit(ann, 'lab', 'lab');
    assert.equal((await (await as(instructor)).put(`/api/assay/v1/exercises/${hw1}/extensions/${cat.id}/`, { json: { days: 3 } })).status, 200);
    clock.set('2025-01-22T00:01:00Z');
    await submit(ben, 'hw1', 'late');
    await submit(cat, 'hw1', 'late but extended');
    await grade(ann, hw1, 12.5);
    await grade(ben, hw1, 7);
    await grade(ben, hw1, 9, false);
    const lab = (await server.services.db.selectFrom('exercises').select('id').where('course_id', '=', courseId).where('slug', '=', 'lab').executeTakeFirstOrThrow()).id;
    await grade(ann, lab, 80);
  });
  after(async () => server?.close());

  it("shows each student's status and score as their own course page shows them, with lateness and extensions", async () => {
    const staff = await as(instructor);
    const res = await staff.get(`/api/assay/v1/courses/${courseId}/gradebook/`);
    assert.equal(res.status, 200, res.text);
    const book = res.body as { course: { slug: string }; exercises: { slug: string; max_score: number | null }[]; students: Row[] };
    assert.equal(book.course.slug, 'gb');
    assert.deepEqual(book.exercises.map((e) => [e.slug, e.max_score]), [['hw1', 15.5], ['hw2', null], ['lab', 100]]);
    assert.deepEqual(book.students.map((s) => s.id).sort(), [ann.id, ben.id, cat.id].sort(), 'current students only (not the dropped one, not staff)');
    for (const p of [ann, ben, cat]) {
      const row = book.students.find((s) => s.id === p.id)!;
      const page = await (await as(p)).get(`/api/assay/v1/courses/${courseId}/curriculum/`);
      assert.equal(page.status, 200, page.text);
      const cards = page.body.subjects.flatMap((s: { modules: { exercises: unknown[] }[] }) => s.modules.flatMap((m) => m.exercises)) as { slug: string; status: string | null; score: number | null; submissions: number }[];
      book.exercises.forEach((e, i) => {
        const card = cards.find((c) => c.slug === e.slug)!;
        assert.deepEqual([row.cells[i]!.status, row.cells[i]!.score, row.cells[i]!.submissions], [card.status, card.score, card.submissions], `${p.username} on ${e.slug}`);
      });
    }
    const cell = (p: Person) => book.students.find((s) => s.id === p.id)!.cells[0]!;
    assert.deepEqual([cell(ann).score, cell(ann).submissions, cell(ann).days_late], [12.5, 2, 0]);
    assert.deepEqual([cell(ben).score, cell(ben).days_late, cell(ben).grace_days, cell(ben).penalty_days], [7, 2, 1, 1], 'the unreleased 9 is not shown');
    assert.deepEqual([cell(cat).days_late, cell(cat).extension], [0, { days: 3, infinite: false }]);
    assert.deepEqual(book.students.find((s) => s.id === ann.id)!.total, 92.5);
    assert.deepEqual(book.students.find((s) => s.id === ben.id)!.grace_days_left, 0);
  });

  it('exports the course as CSV (one row per student, a column per exercise) and one exercise with its details', async () => {
    const staff = await as(instructor);
    const res = await staff.get(`/api/assay/v1/courses/${courseId}/gradebook.csv`);
    assert.equal(res.status, 200, res.text);
    assert.match(String(res.headers['content-type']), /^text\/csv/);
    assert.match(String(res.headers['content-disposition']), /attachment; filename="gb-gradebook\.csv"/);
    const rows = parse(res.text, { columns: true }) as Record<string, string>[];
    assert.deepEqual(Object.keys(rows[0]!), ['username', 'email', 'first_name', 'last_name', 'section', 'hw1', 'hw2', 'lab', 'total', 'grace_days_left']);
    const byName = new Map(rows.map((r) => [r.username, r]));
    assert.deepEqual([byName.get(ann.username)!.hw1, byName.get(ann.username)!.hw2, byName.get(ann.username)!.lab, byName.get(ann.username)!.total], ['12.5', '', '80', '92.5']);
    assert.equal(byName.get(ben.username)!.hw1, '7');
    assert.equal(byName.get(cat.username)!.first_name, `'=HYPERLINK("x")`, 'a formula is written inert');
    assert.equal(rows.length, 3);

    const one = await staff.get(`/api/assay/v1/exercises/${hw1}/gradebook.csv`);
    assert.equal(one.status, 200, one.text);
    const lines = parse(one.text, { columns: true }) as Record<string, string>[];
    const ben1 = lines.find((r) => r.username === ben.username)!;
    assert.deepEqual(
      [ben1.status, ben1.score, ben1.max_score, ben1.submissions, ben1.days_late, ben1.grace_days, ben1.penalty_days, ben1.extension_days],
      [ben1.status, '7', '15.5', '1', '2', '1', '1', ''],
    );
    assert.ok(ben1.status !== '');
    assert.equal(lines.find((r) => r.username === cat.username)!.extension_days, '3');
  });

  it('writes the same CSV from the command line (`assay gradebook export COURSE [--exercise ID]`)', async () => {
    const staff = await as(instructor);
    assert.deepEqual(parseCommandLine(['gradebook', 'export', 'gb', '--exercise', 'hw1']), { kind: 'run', command: 'gradebook export', args: ['gb'], values: { exercise: 'hw1' } });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gradebook-'));
    try {
      const file = path.join(dir, 'out.csv');
      assert.equal(await gradebookCommand(server.services, 'gb', { output: file }), 0);
      assert.equal(fs.readFileSync(file, 'utf8'), (await staff.get(`/api/assay/v1/courses/${courseId}/gradebook.csv`)).text);
      assert.equal(await gradebookCommand(server.services, 'gb', { output: file, exercise: 'hw1' }), 0);
      assert.equal(fs.readFileSync(file, 'utf8'), (await staff.get(`/api/assay/v1/exercises/${hw1}/gradebook.csv`)).text);
      assert.equal(await gradebookCommand(server.services, 'gb', { output: file, exercise: String(hw1) }), 0);
      await assert.rejects(gradebookCommand(server.services, 'no-such-course', { output: file }), /No course "no-such-course"/);
      await assert.rejects(gradebookCommand(server.services, 'gb', { output: file, exercise: 'nope' }), /No exercise "nope"/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers bad ids with 404 and a caller without credentials with 401', async () => {
    const staff = await as(instructor);
    for (const url of ['/courses/abc/gradebook/', '/courses/99999999/gradebook/', '/courses/0/gradebook.csv', '/courses/99999999999/gradebook/', '/exercises/abc/gradebook.csv', '/exercises/99999999/gradebook.csv']) {
      const res = await staff.get(`/api/assay/v1${url}`);
      assert.equal(res.status, 404, `${url}: ${res.text}`);
      assert.equal(res.body.type, 'client_error');
    }
    assert.equal((await call(server.app, 'GET', `/api/assay/v1/courses/${courseId}/gradebook/`)).status, 401);
    assert.equal((await call(server.app, 'GET', `/api/assay/v1/courses/${courseId}/gradebook.csv`)).status, 401);
    assert.equal((await staff.post(`/api/assay/v1/courses/${courseId}/gradebook/`, { json: {} })).status, 405);
  });

  it("lets the core refuse the course's checkers and students (403) and tell others the course does not exist (404)", async () => {
    const staff = await as(instructor);
    const urls = [`/courses/${courseId}/gradebook/`, `/courses/${courseId}/gradebook.csv`, `/exercises/${hw1}/gradebook.csv`];
    for (const [who, expected] of [[checker, 403], [ann, 403], [outsider, 404], [otherInstructor, 404]] as const) {
      const c = await as(who);
      for (const url of urls) {
        const res = await c.get(`/api/assay/v1${url}`);
        assert.equal(res.status, expected, `${who.username} ${url}: ${res.text}`);
        assert.equal(res.body.type, 'client_error');
      }
    }
    // An instructor of another course cannot reach this one through its exercise either, nor theirs through this course.
    assert.equal((await staff.get(`/api/assay/v1/exercises/${otherExercise}/gradebook.csv`)).status, 404);
    const admin = await person(server, mint, { clearance: 3 });
    assert.equal((await (await as(admin)).get(`/api/assay/v1/courses/${courseId}/gradebook/`)).status, 200, 'staff read every course');
  });
});
