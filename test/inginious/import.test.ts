import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { courseCommand } from '../../src/cli/course.ts';
import { inginiousCommand } from '../../src/cli/inginious.ts';
import { loadConfig } from '../../src/config.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { isAssayError } from '../../src/core/errors.ts';
import { adminActor, makeUser, PASSWORD } from '../helpers/fixtures.ts';
import { startTestServer } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';
import { call } from '../helpers/http.ts';

const COURSE = path.resolve('test/inginious/fixtures/demo');

function writeTree(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'inginious-import-'));
  for (const [p, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
    fs.writeFileSync(path.join(root, p), content);
  }
  return root;
}

/**
 * Silences the text the CLI prints while it runs. Only strings are held back: under `node --test`
 * the runner's own events go through stdout too, as binary chunks, and must pass.
 */
async function quietly<T>(work: () => Promise<T>): Promise<T> {
  const [out, err] = [process.stdout.write, process.stderr.write];
  const filter = (original: typeof out, stream: NodeJS.WriteStream) =>
    ((chunk: unknown, ...rest: unknown[]) => (typeof chunk === 'string' ? true : (original as (...a: unknown[]) => boolean).call(stream, chunk, ...rest))) as typeof out;
  process.stdout.write = filter(out, process.stdout);
  process.stderr.write = filter(err, process.stderr);
  try {
    return await work();
  } finally {
    [process.stdout.write, process.stderr.write] = [out, err];
  }
}

describe('assay inginious import', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => server.close());

  const exercises = (courseId: number) =>
    server.services.db.selectFrom('exercises').selectAll().where('course_id', '=', courseId).orderBy('slug').execute();

  it('reads course.yaml and every task folder into a course', async () => {
    const report = await server.services.tasks.importCourse(COURSE);
    assert.equal(report.slug, 'demo');
    assert.equal(report.created, true);
    assert.deepEqual(
      report.tasks.map((t) => [t.slug, t.grader]),
      [['hello', 'sandbox'], ['hidden', 'sandbox'], ['limited', 'core'], ['quiz', 'core'], ['timeout', 'sandbox']],
    );
    const rows = await exercises(report.courseId);
    const by = Object.fromEntries(rows.map((r) => [r.slug, r]));
    assert.equal(by.hello!.name, 'Hello');
    assert.equal(by.limited!.start_at, '2020-01-01T00:00:00.000000Z');
    assert.equal(by.limited!.due_at, '2030-06-30T23:00:00.000000Z');
    assert.equal(by.limited!.end_at, '2031-01-01T00:00:00.000000Z');
    assert.equal(by.limited!.max_submissions, 1);

    const admin = await adminActor(server);
    const hello = await server.services.graders.get(admin, by.hello!.id);
    assert.equal(hello.convention, 'inginious');
    assert.deepEqual(hello.command, ['python3', 'run']);
    assert.deepEqual([hello.limits.cpu_seconds, hello.limits.wall_seconds, hello.limits.memory_mb], [10, 30, 200]);
    assert.deepEqual(hello.harness.map((f) => f.path), ['run'], 'task.yaml is not part of the harness');
    const slow = await server.services.graders.get(admin, by.timeout!.id);
    assert.deepEqual(slow.command, ['sh', 'run']);
    assert.deepEqual([slow.limits.cpu_seconds, slow.limits.wall_seconds, slow.limits.memory_mb], [1, 3, 100]);
    await assert.rejects(server.services.graders.get(admin, by.quiz!.id), (e) => isAssayError(e) && e.kind === 'not_found', 'multiple choice needs no sandbox');

    const problems = await server.services.problems.listTrusted(by.hello!.id);
    assert.deepEqual(problems.map((p) => p.name), ['code', 'upload', 'secret']);
    const extra = await server.services.db.selectFrom('inginious_tasks').selectAll().where('exercise_id', '=', by.quiz!.id).executeTakeFirstOrThrow();
    assert.equal(Number(extra.weight), 3);
    assert.deepEqual(JSON.parse(extra.authors), ['Grace Hopper']);
    const hidden = await server.services.db.selectFrom('inginious_tasks').select('hidden').where('exercise_id', '=', by.hidden!.id).executeTakeFirstOrThrow();
    assert.equal(Boolean(hidden.hidden), true);
  });

  it('updates in place when imported again', async () => {
    const before = await server.services.db.selectFrom('exercises').select('id').execute();
    const report = await server.services.tasks.importCourse(COURSE);
    assert.equal(report.created, false);
    assert.ok(report.tasks.every((t) => !t.created));
    const after = await server.services.db.selectFrom('exercises').select('id').execute();
    assert.equal(after.length, before.length);
  });

  it('lists every problem of a broken folder and writes nothing', async () => {
    const dir = writeTree({
      'course.yaml': 'accessible: sometimes\n',
      'a/task.yaml': 'name: A\nproblems:\n  m:\n    type: match\n',
      'b/task.yaml': 'name: B\nproblems:\n  q:\n    type: multiple_choice\n    choices:\n      - text: one\n',
      'c/task.yaml': 'name: C\nproblems:\n  c:\n    type: code\n',
      'd/task.yaml': 'name: D\nweight: -1\nlimits:\n  time: 99999\nproblems:\n  c:\n    type: code\n',
      'd/run': 'true\n',
      'e/task.yaml': 'name: [unclosed\n',
    });
    const courses = await server.services.db.selectFrom('courses').select('id').execute();
    const err = await server.services.tasks.importCourse(dir).catch((e: unknown) => e);
    assert.ok(isAssayError(err));
    const problems = (err.details.syncProblems as { file: string; key: string | null }[]).map((p) => `${p.file}:${p.key ?? ''}`);
    for (const expected of ['course.yaml:name', 'course.yaml:accessible', 'a/task.yaml:problems.m.answer', 'b/task.yaml:problems.q.choices', 'c/task.yaml:', 'd/task.yaml:weight', 'd/task.yaml:limits.hard_time', 'e/task.yaml:']) {
      assert.ok(problems.includes(expected), `${expected} in ${problems.join(', ')}`);
    }
    assert.equal((await server.services.db.selectFrom('courses').select('id').execute()).length, courses.length);
  });

  it('runs from the command line', async () => {
    assert.equal(await quietly(() => inginiousCommand(server.services, ['import', COURSE], {})), 0);
    assert.equal(await quietly(() => inginiousCommand(server.services, ['import', '/nonexistent/course'], {})), 1);
    const dir = writeTree({ 'course.yaml': 'name: Other\n', 't1/task.yaml': 'name: T\nproblems:\n  q:\n    type: multiple_choice\n    choices:\n      - {text: a, valid: true}\n' });
    assert.equal(await quietly(() => inginiousCommand(server.services, ['import', dir], { slug: 'other-course' })), 0);
    const course = await server.services.db.selectFrom('courses').select('name').where('slug', '=', 'other-course').executeTakeFirst();
    assert.equal(course?.name, 'Other');
  });

  it('is what `assay course sync` does with an INGInious folder', async () => {
    const dir = writeTree({ 'course.yaml': 'name: Synced\n', 't1/task.yaml': 'name: T\nproblems:\n  q:\n    type: multiple_choice\n    choices:\n      - {text: a, valid: true}\n' });
    const slug = path.basename(dir).toLowerCase();
    assert.equal(await quietly(() => courseCommand(server.services, ['sync', dir], {})), 0);
    const course = await server.services.db.selectFrom('courses').select('id').where('slug', '=', slug).executeTakeFirstOrThrow();
    assert.equal((await exercises(course.id)).map((e) => e.slug).join(), 't1');
    assert.equal(await quietly(() => courseCommand(server.services, ['sync', path.resolve('examples/intro-python')], {})), 0, 'an Assay course directory is synced as before');
  });
});

describe('the configured time zone', () => {
  let server: TestServer;
  const clock = new ManualClock('2026-07-01T10:00:00.123456Z');
  before(async () => {
    server = await startTestServer({ clock, env: { ASSAY_INGINIOUS_TIMEZONE: 'Europe/Brussels' } });
  });
  after(async () => server.close());

  it('reads task dates and writes submitted_on in it', async () => {
    const report = await server.services.tasks.importCourse(COURSE);
    const limited = await server.services.db.selectFrom('exercises').select('start_at').where('course_id', '=', report.courseId).where('slug', '=', 'limited').executeTakeFirstOrThrow();
    assert.equal(limited.start_at, '2019-12-31T23:00:00.000000Z');
    const user = await makeUser(server, 1);
    await server.services.programs.enroll(await adminActor(server), report.courseId, user.id, 'student');
    const login = await call(server.app, 'POST', '/api/v0/authentication', { json: { login: user.username, password: PASSWORD } });
    assert.equal(login.status, 200);
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    const posted = await call(server.app, 'POST', '/api/v0/courses/demo/tasks/quiz/submissions', { form: { q1: '1', q2: ['0', '2'] }, headers: { cookie } });
    assert.equal(posted.status, 200, posted.text);
    const [sub] = (await call(server.app, 'GET', `/api/v0/courses/demo/tasks/quiz/submissions/${posted.body.submissionid}`, { headers: { cookie } })).body;
    assert.equal(sub.submitted_on, '2026-07-01 12:00:00.123456');

    // The login cookie lasts 24 hours.
    clock.advance(86_399_000);
    assert.equal((await call(server.app, 'GET', '/api/v0/courses', { headers: { cookie } })).status, 200);
    clock.advance(2_000);
    const expired = await call(server.app, 'GET', '/api/v0/courses', { headers: { cookie } });
    assert.deepEqual([expired.status, expired.body], [403, { error: 'You are not authenticated' }]);
  });

  it('refuses an unknown zone at start', () => {
    assert.throws(() => loadConfig({ ASSAY_INGINIOUS_TIMEZONE: 'Mars/Olympus' }), /ASSAY_INGINIOUS_TIMEZONE/);
  });
});
