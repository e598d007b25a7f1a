// Similarity reports through Assay's API (this engine, the real Dolos library): an instructor
// starts one, it runs in the background with progress, a planted near-copy ranks first with its
// fragments side by side, the reference solution and handout match nobody; a report of an exercise
// with nothing to compare fails with a reason; one report at a time per exercise (400
// report_running); one left running by a stopped server counts as failed, and a server that stops
// fails its own; bad input gets a clear 4xx; checkers read but do not start, students are refused
// by the core.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { addSeconds } from '../../src/core/clock.ts';
import { syncCourseDirectory } from '../../src/core/courses/course-sync.ts';
import { OPERATOR } from '../../src/core/enrolment/enrolment.service.ts';
import { STALE_MS } from '../../src/core/similarity/similarity.service.ts';
import { login, makeUser } from '../helpers/fixtures.ts';
import { startTestServer } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';
import type { Client } from '../helpers/http.ts';
import { client, filesForm } from '../helpers/http.ts';
import { disguise, program } from '../helpers/similarity-corpus.ts';

const EXAMPLE = path.resolve(import.meta.dirname, '..', '..', 'examples', 'intro-python');
const API = '/api/assay/v1';

describe('assay similarity reports', () => {
  let server: TestServer;
  let courseId: number;
  let greet: number;
  let palindromes: number;
  let instructor: Client;
  let checker: Client;
  let student: Client;
  let outsider: Client;
  let anonymous: Client;
  /** username → the submission handed in. */
  const handedIn = new Map<string, number>();
  let reference: string;
  let reportId: number;

  /** Polls the report until it is no longer running (the background job's progress is read on the way). */
  async function finished(id: number) {
    for (let i = 0; i < 600; i++) {
      const res = await instructor.get(`${API}/similarity/${id}/`);
      assert.equal(res.status, 200, res.text);
      assert.ok(res.body.done <= res.body.total, res.text);
      if (res.body.status !== 'running') return res.body;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the report did not finish in 60 s');
  }

  before(async () => {
    server = await startTestServer();
    ({ courseId } = await syncCourseDirectory(server.services, EXAMPLE));
    const rows = await server.services.db.selectFrom('exercises').select(['id', 'slug']).where('course_id', '=', courseId).execute();
    greet = rows.find((r) => r.slug === 'greet')!.id;
    palindromes = rows.find((r) => r.slug === 'palindromes')!.id;
    const member = async (clearance: 1 | 2, role: 'student' | 'checker' | 'instructor' | null) => {
      const user = await makeUser(server, clearance);
      if (role) await server.services.enrolment.enrol(OPERATOR, { id: courseId }, [user.username], role);
      return { username: user.username, api: client(server.app, await login(server, user.username)) };
    };
    instructor = (await member(2, 'instructor')).api;
    checker = (await member(2, 'checker')).api;
    outsider = (await member(1, null)).api;
    anonymous = client(server.app);
    const solution = await instructor.get(`${API}/exercises/${palindromes}/files/solution/`);
    assert.equal(solution.status, 200, solution.text);
    reference = (await server.services.files.read(solution.body[0].sha256)).toString('utf8');
    // Six students: four write their own programs, one disguises the first one's, and two hand in
    // the reference solution as it is (with their own code around it for one of them).
    const programs: [string, string][] = [
      ['ann', program(1, 60)],
      ['bob', program(2, 60)],
      ['cy', program(3, 60)],
      ['dee', program(4, 60)],
      ['eve', disguise(program(1, 60))],
      ['fay', reference],
      ['gus', reference],
    ];
    // A checker tries the exercise out with ann's program: staff are not compared.
    const tryOut = await checker.post(`${API}/exercises/${palindromes}/submissions/`, { multipart: filesForm({ 'solution.py': program(1, 60) }) });
    assert.equal(tryOut.status, 201, tryOut.text);
    for (const [name, text] of programs) {
      const who = await member(1, 'student');
      student = who.api;
      // The students' names are what the report shows: remember whose is whose.
      handedIn.set(name, -1);
      const res = await who.api.post(`${API}/exercises/${palindromes}/submissions/`, { multipart: filesForm({ 'solution.py': text, 'README.md': `# ${name}\n` }) });
      assert.equal(res.status, 201, res.text);
      handedIn.set(name, res.body.id);
    }
  });
  after(async () => {
    await server.services.similarity.idle();
    await server.close();
  });

  const nameOf = (submission: number) => [...handedIn].find(([, id]) => id === submission)?.[0];

  it('ranks a planted near-copy first, in the background with progress, and matches nothing of the reference solution', async () => {
    const none = await instructor.get(`${API}/exercises/${palindromes}/similarity/`);
    assert.equal(none.status, 200, none.text);
    assert.deepEqual(none.body, { report: null });

    const res = await instructor.post(`${API}/exercises/${palindromes}/similarity/`);
    assert.equal(res.status, 202, res.text);
    assert.equal(res.body.status, 'running');
    assert.equal(res.body.phase, 'reading');
    assert.equal(res.body.finished_at, null);
    reportId = res.body.id;
    const report = await finished(reportId);
    assert.equal(report.status, 'done', JSON.stringify(report));
    assert.equal(report.language, 'python');
    assert.equal(report.submissions, 7);
    assert.ok(report.pairs >= 1, JSON.stringify(report));
    assert.equal(report.error, null);
    assert.ok(report.finished_at);

    const pairs = await instructor.get(`${API}/similarity/${reportId}/pairs/`);
    assert.equal(pairs.status, 200, pairs.text);
    assert.equal(pairs.body.report.id, reportId);
    const ranked = pairs.body.pairs.map((p: { left: { submission: number }; right: { submission: number }; similarity: number }) => [nameOf(p.left.submission), nameOf(p.right.submission), p.similarity]);
    assert.deepEqual(ranked[0].slice(0, 2), ['ann', 'eve'], JSON.stringify(ranked));
    assert.ok(ranked[0][2] > 0.9, JSON.stringify(ranked));
    assert.ok(ranked.slice(1).every((p: [string, string, number]) => p[2] < 0.5), JSON.stringify(ranked));
    assert.deepEqual(
      pairs.body.pairs.map((p: { rank: number }) => p.rank),
      pairs.body.pairs.map((_: unknown, i: number) => i + 1),
    );
    // The two who handed in the reference solution share only template code: no pair of theirs.
    assert.ok(!ranked.some((p: string[]) => p.includes('fay') && p.includes('gus')), JSON.stringify(ranked));
    assert.equal(pairs.body.pairs[0].left.user.username.length > 0, true);

    const latest = await checker.get(`${API}/exercises/${palindromes}/similarity/`);
    assert.equal(latest.status, 200, latest.text);
    assert.equal(latest.body.report.id, reportId);
  });

  it('shows a pair side by side: both texts as compared, and fragments that lie in them', async () => {
    const res = await checker.get(`${API}/similarity/${reportId}/pairs/1/`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.rank, 1);
    assert.equal(res.body.left.text, program(1, 60).replace(/\n$/, ''));
    assert.equal(res.body.right.text, disguise(program(1, 60)).replace(/\n$/, ''));
    assert.deepEqual(res.body.left.files, [{ path: 'solution.py', first_line: 1, lines: res.body.left.text.split('\n').length }]);
    assert.ok(res.body.fragments.length >= 1);
    for (const side of ['left', 'right'] as const) {
      const lines = res.body[side].text.split('\n').length;
      for (const f of res.body.fragments) {
        const [sr, , er] = f[side];
        assert.ok(sr >= 0 && sr <= er && er < lines, `${side}: ${JSON.stringify(f)} in ${lines} lines`);
      }
    }
    // The fragments together cover most of the copied program.
    const covered = new Set(res.body.fragments.flatMap((f: { left: number[] }) => Array.from({ length: f.left[2]! - f.left[0]! + 1 }, (_, i) => f.left[0]! + i)));
    assert.ok(covered.size > 0.8 * res.body.left.text.split('\n').length, `${covered.size} lines covered`);
  });

  it('fails a report with nothing to compare, with the reason', async () => {
    const res = await instructor.post(`${API}/exercises/${greet}/similarity/`);
    assert.equal(res.status, 202, res.text);
    const report = await finished(res.body.id);
    assert.equal(report.status, 'failed');
    assert.match(report.error, /no submissions/);
  });

  it('runs one report of an exercise at a time (400 report_running); one left running by a stopped server counts as failed', async () => {
    const db = server.services.db;
    const now = server.services.clock.now();
    const { id } = await db
      .insertInto('similarity_reports')
      .values({ exercise_id: greet, status: 'running', phase: 'comparing', created_at: now, updated_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    // Two servers asked at once: the database holds one running report per exercise.
    await assert.rejects(db.insertInto('similarity_reports').values({ exercise_id: greet, status: 'running', phase: 'reading', created_at: now, updated_at: now }).execute());
    const busy = await instructor.post(`${API}/exercises/${greet}/similarity/`);
    assert.equal(busy.status, 400, busy.text);
    assert.equal(busy.body.errors[0].code, 'report_running', busy.text);
    const old = addSeconds(now, -STALE_MS / 1000 - 5);
    await db.updateTable('similarity_reports').set({ updated_at: old }).where('id', '=', id).execute();
    const lost = await instructor.get(`${API}/similarity/${id}/`);
    assert.equal(lost.body.status, 'failed', lost.text);
    assert.match(lost.body.error, /stopped/);
    const again = await instructor.post(`${API}/exercises/${greet}/similarity/`);
    assert.equal(again.status, 202, again.text);
    await finished(again.body.id);
  });

  it('answers bad input with a clear 4xx', async () => {
    for (const query of [{ limit: '0' }, { limit: '501' }, { limit: 'ten' }, { offset: '-1' }, { offset: '1.5' }] as Record<string, string>[]) {
      const res = await instructor.get(`${API}/similarity/${reportId}/pairs/`, { query });
      assert.equal(res.status, 400, `${JSON.stringify(query)}: ${res.text}`);
      assert.equal(res.body.errors[0].attr, Object.keys(query)[0], res.text);
    }
    const page = await instructor.get(`${API}/similarity/${reportId}/pairs/`, { query: { limit: '1', offset: '0' } });
    assert.equal(page.status, 200, page.text);
    assert.equal(page.body.pairs.length, 1);
    for (const url of [
      `${API}/similarity/abc/`,
      `${API}/similarity/0/`,
      `${API}/similarity/2147483647/`,
      `${API}/similarity/99999999999/`,
      `${API}/similarity/${reportId}/pairs/0/`,
      `${API}/similarity/${reportId}/pairs/x/`,
      `${API}/similarity/${reportId}/pairs/100000/`,
      `${API}/exercises/x/similarity/`,
      `${API}/exercises/2000000000/similarity/`,
    ]) {
      assert.equal((await instructor.get(url)).status, 404, url);
    }
    assert.equal((await instructor.post(`${API}/exercises/x/similarity/`)).status, 404);
    assert.equal((await instructor.post(`${API}/exercises/2000000000/similarity/`)).status, 404);
    assert.equal((await instructor.delete(`${API}/similarity/${reportId}/`)).status, 405);
  });

  it('lets checkers read and only instructors start: students 403 (by the core), others 404, nobody 401', async () => {
    const reads: [string, (c: Client) => ReturnType<Client['get']>][] = [
      ['latest', (c) => c.get(`${API}/exercises/${palindromes}/similarity/`)],
      ['report', (c) => c.get(`${API}/similarity/${reportId}/`)],
      ['pairs', (c) => c.get(`${API}/similarity/${reportId}/pairs/`)],
      ['pair', (c) => c.get(`${API}/similarity/${reportId}/pairs/1/`)],
    ];
    for (const [name, go] of reads) {
      assert.equal((await go(checker)).status, 200, `${name}: checker`);
      assert.equal((await go(student)).status, 403, `${name}: student`);
      assert.equal((await go(outsider)).status, 404, `${name}: outsider`);
      assert.equal((await go(anonymous)).status, 401, `${name}: anonymous`);
    }
    const start = (c: Client) => c.post(`${API}/exercises/${palindromes}/similarity/`);
    const before = await server.services.db.selectFrom('similarity_reports').select('id').execute();
    assert.equal((await start(checker)).status, 403, 'checker starts');
    assert.equal((await start(student)).status, 403, 'student starts');
    assert.equal((await start(outsider)).status, 404, 'outsider starts');
    assert.equal((await start(anonymous)).status, 401, 'anonymous starts');
    assert.deepEqual(await server.services.db.selectFrom('similarity_reports').select('id').execute(), before);
  });

  // Last: the service stays stopped.
  it('records a report as failed when its server stops before it is done, and starts none after', async () => {
    const res = await instructor.post(`${API}/exercises/${palindromes}/similarity/`);
    assert.equal(res.status, 202, res.text);
    await server.services.similarity.stop();
    const report = await instructor.get(`${API}/similarity/${res.body.id}/`);
    assert.equal(report.body.status, 'failed', report.text);
    assert.match(report.body.error, /server stopped/);
    const refused = await instructor.post(`${API}/exercises/${palindromes}/similarity/`);
    assert.equal(refused.status, 503, refused.text);
  });
});
