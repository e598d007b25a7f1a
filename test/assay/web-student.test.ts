import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { GradingJob, JobResult, JobRunner, WorkerPool } from '../../src/grading/queue/index.ts';
import { startWorkerPool } from '../../src/grading/queue/index.ts';
import { addSeconds } from '../../src/core/clock.ts';
import { engineUnderTest, startTestServer } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';
import { PASSWORD, adminActor, makeCourseTree, makeExercise, makeStudent } from '../helpers/fixtures.ts';
import { call } from '../helpers/http.ts';
import type { Client, Reply } from '../helpers/http.ts';
import { unzip } from '../helpers/zip.ts';
import { waitFor } from '../grading/queue-helpers.ts';

type Student = Awaited<ReturnType<typeof makeStudent>>;

function upload(files: Record<string, string | Buffer>, fields: Record<string, string> = {}): FormData {
  const fd = new FormData();
  for (const [path, content] of Object.entries(files)) fd.append('file', new Blob([typeof content === 'string' ? content : new Uint8Array(content)]), path);
  for (const [k, v] of Object.entries(fields)) fd.append(k, v);
  return fd;
}

const firstError = (r: Reply) => [r.body.errors[0].attr, r.body.errors[0].code];

describe(`/api/assay/v1/: the student's pages (home, curriculum, exercise, submission, help), on ${engineUnderTest}`, () => {
  let server: TestServer;
  let tree: Awaited<ReturnType<typeof makeCourseTree>>;
  let alice: Student;
  let bob: Student;
  let outsider: Student;
  let open: number;
  let past: number;
  let pool: WorkerPool | null = null;

  const statusOf = async (userId: number) =>
    (await server.services.db.selectFrom('assignments').select('status').where('exercise_id', '=', open).where('user_id', '=', userId).executeTakeFirstOrThrow()).status;

  const runner: JobRunner = async (_job: GradingJob): Promise<JobResult> => ({
    outcome: 'success',
    summary: 'ok',
    grade: {
      outcome: 'success',
      staffError: false,
      score: 7,
      maxScore: 10,
      feedback: 'Nearly.',
      tests: [
        { name: 'adds', score: 7, maxScore: 7, status: 'passed', output: 'ok', visibility: 'visible' },
        { name: 'edge', score: 0, maxScore: 3, status: 'failed', output: 'expected 0, got 1', visibility: 'visible' },
      ],
      problems: { p1: { score: 7 } },
      scoreboard: null,
      log: 'staff log',
    },
  });

  before(async () => {
    server = await startTestServer({ env: { ASSAY_MAX_UPLOAD_BYTES: String(64 * 1024) } });
    tree = await makeCourseTree(server, 'Web Course');
    const other = await makeCourseTree(server, 'Other Course');
    const admin = await adminActor(server);
    alice = await makeStudent(server, tree.program.id);
    bob = await makeStudent(server, tree.program.id);
    outsider = await makeStudent(server, other.program.id);
    const now = server.services.clock.now();
    open = (await makeExercise(server, tree.module.id, { name: 'Adder', description: '# Add\nWrite `add`.' })).id;
    past = (await makeExercise(server, tree.module.id, { name: 'Old one' })).id;
    const db = server.services.db;
    await db.updateTable('exercises').set({ due_at: addSeconds(now, 86_400), max_submissions: 3 }).where('id', '=', open).execute();
    await db.updateTable('exercises').set({ due_at: addSeconds(now, -86_400) }).where('id', '=', past).execute();
    await server.services.problems.replace(admin, open, [{ name: 'p1', max_score: 10 }]);
    await server.services.fields.create(admin, open, { name: 'time_spent', type: 'number', description: 'Hours spent', required: false });
    const store = async (files: Record<string, string>) =>
      Promise.all(Object.entries(files).map(async ([path, content]) => ({ path, blob: await server.services.files.store(Buffer.from(content)) })));
    await server.services.exercises.replaceTree(admin, open, 'handout', await store({ 'add.py': 'def add(a, b):\n    pass\n', 'tests/test_add.py': 'assert True\n' }));
  });
  after(async () => {
    await pool?.stop(2000);
    await server?.close();
  });

  describe('submitting from a browser', () => {
    it('takes a multipart upload with the session cookie and the CSRF token, and refuses it without the token', async () => {
      const signIn = await call(server.app, 'POST', '/api/assay/v1/session/', { json: { username: alice.username, password: PASSWORD } });
      const cookie = [signIn.headers['set-cookie']].flat().map((c) => String(c).split(';')[0]).join('; ');
      const url = `/api/assay/v1/exercises/${open}/submissions/`;
      const refused = await call(server.app, 'POST', url, { multipart: upload({ 'add.py': 'x' }), headers: { cookie } });
      assert.equal(refused.status, 403, refused.text);
      assert.equal((await alice.api.get(url)).body.length, 0, 'nothing was stored');
      const files = { 'add.py': 'def add(a, b):\n    return a + b\n', 'src/util/helpers.py': 'X = 1\n' };
      const ok = await call(server.app, 'POST', url, {
        multipart: upload(files, { answers: JSON.stringify({ time_spent: 2 }) }),
        headers: { cookie, 'x-csrf-token': signIn.body.csrf_token },
      });
      assert.equal(ok.status, 201, ok.text);
      assert.deepEqual(
        ok.body.files.map((f: { path: string }) => f.path),
        ['add.py', 'src/util/helpers.py'],
      );
    });
  });

  describe('a submission while queued and once graded', () => {
    let first: number;
    let second: number;
    it('shows its position in the queue while it waits', async () => {
      first = (await alice.api.get(`/api/assay/v1/exercises/${open}/submissions/`)).body[0].id;
      second = (await bob.api.post(`/api/assay/v1/exercises/${open}/submissions/`, { multipart: upload({ 'add.py': 'def add(a, b):\n    return 0\n' }) })).body.id;
      const mine = await alice.api.get(`/api/assay/v1/submissions/${first}/`);
      assert.equal(mine.status, 200, mine.text);
      assert.equal(mine.body.grading.status, 'queued');
      assert.equal(mine.body.queue_position, 1);
      assert.equal((await bob.api.get(`/api/assay/v1/submissions/${second}/`)).body.queue_position, 2);
      assert.deepEqual(mine.body.comments, []);
      assert.equal(mine.body.grade, null);
    });

    it('then every test with its score, status and output; staff line comments and the grade; no position', async () => {
      pool = startWorkerPool(server.services.grading, runner, server.config, { concurrency: 1 });
      await waitFor('graded', async () => (await alice.api.get(`/api/assay/v1/submissions/${first}/`)).body.grading.status === 'done');
      const checker = { id: tree.checker.id, username: tree.checker.username, clearance: 2 as const };
      await server.services.review.comments.create(checker, first, { path: 'add.py', line: 2, text: 'Good, but name the operands.' });
      await server.services.review.reviews.submit(checker, first, { verdict: 'Redo', comment: 'Handle the edge case.' });
      const graded = await alice.api.get(`/api/assay/v1/submissions/${first}/`);
      assert.equal(graded.status, 200, graded.text);
      assert.equal(graded.body.queue_position, null);
      assert.deepEqual(
        graded.body.grading.tests.map((t: Record<string, unknown>) => [t.name, t.score, t.max_score, t.status, t.output]),
        [
          ['adds', 7, 7, 'passed', 'ok'],
          ['edge', 0, 3, 'failed', 'expected 0, got 1'],
        ],
      );
      assert.equal(graded.body.grading.log, null, 'no staff log for a student');
      assert.equal(graded.body.comments.length, 1);
      assert.deepEqual(
        { ...graded.body.comments[0], id: 0, created_at: '' },
        { id: 0, author: { id: tree.checker.id, name: `First ${tree.checker.username}` }, text: 'Good, but name the operands.', file: 'add.py', line: 2, created_at: '' },
      );
      assert.equal(graded.body.grade.text, 'Handle the edge case.');
      assert.equal(graded.body.grade.passing, false);
      // Another student's submission is not found, with or without comments on it.
      assert.equal((await bob.api.get(`/api/assay/v1/submissions/${first}/`)).status, 404);
      assert.equal((await outsider.api.get(`/api/assay/v1/submissions/${first}/`)).status, 404);
    });

    it('serves each file’s contents by path to whoever may read the submission', async () => {
      const text = await alice.api.get(`/api/assay/v1/submissions/${first}/files/add.py`);
      assert.equal(text.status, 200, text.text);
      assert.equal(text.text, 'def add(a, b):\n    return a + b\n');
      assert.match(String(text.headers['content-type']), /^text\/plain; charset=utf-8/);
      assert.equal(text.headers['x-content-type-options'], 'nosniff');
      assert.match(String(text.headers['content-security-policy']), /default-src 'none'/);
      const nested = await alice.api.get(`/api/assay/v1/submissions/${first}/files/src/util/helpers.py`);
      assert.equal(nested.text, 'X = 1\n');
      for (const path of ['nope.py', 'src', 'src/util', '../add.py', 'ADD.py', '']) {
        assert.equal((await alice.api.get(`/api/assay/v1/submissions/${first}/files/${path}`)).status, 404, path);
      }
      assert.equal((await bob.api.get(`/api/assay/v1/submissions/${first}/files/add.py`)).status, 404);
      assert.equal((await alice.api.get(`/api/assay/v1/submissions/abc/files/add.py`)).status, 404);
      const binary = await alice.api.post(`/api/assay/v1/exercises/${open}/submissions/`, { multipart: upload({ 'data.bin': Buffer.from([0, 1, 2, 255]) }) });
      const bin = await alice.api.get(`/api/assay/v1/submissions/${binary.body.id}/files/data.bin`);
      assert.equal(bin.headers['content-type'], 'application/octet-stream');
      assert.deepEqual([...bin.raw], [0, 1, 2, 255]);
    });

    it('lists the student’s own history of submissions on the exercise, oldest first', async () => {
      const history = await alice.api.get(`/api/assay/v1/exercises/${open}/submissions/`);
      assert.deepEqual(
        history.body.map((s: { number: number; user: number }) => [s.number, s.user]),
        [
          [1, alice.id],
          [2, alice.id],
        ],
      );
    });
  });

  describe('home, curriculum and exercise pages', () => {
    it('home: my courses and what is due next, with status, score and submissions left', async () => {
      const home = await alice.api.get('/api/assay/v1/me/courses/');
      assert.equal(home.status, 200, home.text);
      assert.deepEqual(
        home.body.courses.map((c: Record<string, unknown>) => [c.id, c.name, c.role, c.grace_days, c.grace_days_left]),
        [[tree.program.id, 'Web Course', 'student', null, null]],
      );
      assert.deepEqual(
        home.body.due.map((d: { exercise: { id: number } }) => d.exercise.id),
        [open],
        'the past exercise is not due any more',
      );
      const item = home.body.due[0];
      assert.equal(item.course.id, tree.program.id);
      assert.equal(item.status, await statusOf(alice.id), 'the assignment’s status (Redo, then graded again after her later submission)');
      assert.equal(item.submissions, 2);
      assert.equal(item.submissions_left, 1);
      assert.equal(item.max_score, 10);
      assert.equal(typeof item.due_at, 'string');
      const theirs = await outsider.api.get('/api/assay/v1/me/courses/');
      assert.ok(!theirs.body.courses.some((c: { id: number }) => c.id === tree.program.id));
      assert.deepEqual(theirs.body.due, []);
    });

    it('curriculum: subjects → modules → exercises with my status and score; 404 for a course I cannot see', async () => {
      const page = await alice.api.get(`/api/assay/v1/courses/${tree.program.id}/curriculum/`);
      assert.equal(page.status, 200, page.text);
      assert.equal(page.body.course.name, 'Web Course');
      assert.equal(page.body.subjects.length, 1);
      const subject = page.body.subjects[0];
      assert.deepEqual([subject.id, subject.symbol, subject.name], [tree.subject.id, 'S1', 'Basics']);
      assert.deepEqual(subject.modules.map((m: { id: number }) => m.id), [tree.module.id]);
      const cards = subject.modules[0].exercises;
      const adder = cards.find((e: { id: number }) => e.id === open);
      assert.deepEqual([adder.status, adder.submissions, adder.max_score], [await statusOf(alice.id), 2, 10]);
      const old = cards.find((e: { id: number }) => e.id === past);
      assert.deepEqual([old.status, old.score, old.submissions], [null, null, 0]);
      const bobs = (await bob.api.get(`/api/assay/v1/courses/${tree.program.id}/curriculum/`)).body.subjects[0].modules[0].exercises.find((e: { id: number }) => e.id === open);
      assert.equal(bobs.score, 7, 'the automatic score of his graded submission');
      assert.equal(bobs.submissions, 1);
      assert.equal((await outsider.api.get(`/api/assay/v1/courses/${tree.program.id}/curriculum/`)).status, 404);
      assert.equal((await alice.api.get('/api/assay/v1/courses/999999/curriculum/')).status, 404);
      assert.equal((await alice.api.get('/api/assay/v1/courses/x/curriculum/')).status, 404);
    });

    it('exercise: description source, deadlines, limits, submissions left, fields, handout list and zip', async () => {
      const page = await alice.api.get(`/api/assay/v1/exercises/${open}/overview/`);
      assert.equal(page.status, 200, page.text);
      const o = page.body;
      assert.equal(o.description, '# Add\nWrite `add`.');
      assert.deepEqual([o.max_submissions, o.submissions, o.submissions_left], [3, 2, 1]);
      assert.equal(o.limits.max_upload_bytes, 64 * 1024);
      assert.deepEqual(o.fields.map((f: { name: string; type: string }) => [f.name, f.type]), [['time_spent', 'number']]);
      assert.deepEqual(o.handout, [
        { path: 'add.py', size: 24 },
        { path: 'tests/test_add.py', size: 12 },
      ]);
      assert.equal(o.course.id, tree.program.id);
      const zip = await alice.api.get(`/api/assay/v1/exercises/${open}/handout.zip`);
      assert.equal(zip.status, 200);
      assert.equal(zip.headers['content-type'], 'application/zip');
      assert.match(String(zip.headers['content-disposition']), /attachment; filename="adder.zip"/);
      const entries = await unzip(zip.raw);
      assert.equal(entries.get('add.py')!.toString(), 'def add(a, b):\n    pass\n');
      assert.equal((await alice.api.get(`/api/assay/v1/exercises/${past}/handout.zip`)).status, 404, 'no handout');
      assert.equal((await outsider.api.get(`/api/assay/v1/exercises/${open}/overview/`)).status, 404);
      assert.equal((await outsider.api.get(`/api/assay/v1/exercises/${open}/handout.zip`)).status, 404);
      await server.services.db.updateTable('exercises').set({ download: false }).where('id', '=', open).execute();
      try {
        assert.equal((await alice.api.get(`/api/assay/v1/exercises/${open}/handout.zip`)).status, 403);
        assert.deepEqual((await alice.api.get(`/api/assay/v1/exercises/${open}/overview/`)).body.handout, []);
      } finally {
        await server.services.db.updateTable('exercises').set({ download: true }).where('id', '=', open).execute();
      }
    });
  });

  describe('help threads', () => {
    let threadId: number;
    it('opens a thread on an exercise with the question as its first reply, lists, reads and answers it', async () => {
      const asked = await alice.api.post(`/api/assay/v1/exercises/${open}/help/`, { json: { title: 'Edge case?', text: 'What should add(0, 0) return?' } });
      assert.equal(asked.status, 201, asked.text);
      threadId = asked.body.id;
      assert.equal(asked.body.status, 'Open');
      assert.deepEqual(asked.body.exercise, { id: open, name: 'Adder' });
      assert.equal(asked.body.user.id, alice.id);
      assert.deepEqual(
        asked.body.replies.map((r: { text: string; type: string; author: { id: number } }) => [r.author.id, r.type, r.text]),
        [[alice.id, 'Comment', 'What should add(0, 0) return?']],
      );
      const list = await alice.api.get(`/api/assay/v1/help/?exercise=${open}`);
      assert.deepEqual(list.body.map((t: { id: number }) => t.id), [threadId]);
      assert.deepEqual(list.body[0].replies, []);
      const checker = { id: tree.checker.id, username: tree.checker.username, clearance: 2 as const };
      await server.services.questions.reply(checker, threadId, 'Zero.');
      const reply = await alice.api.post(`/api/assay/v1/help/${threadId}/replies/`, { json: { text: 'Thanks!' } });
      assert.equal(reply.status, 201, reply.text);
      const read = await alice.api.get(`/api/assay/v1/help/${threadId}/`);
      assert.deepEqual(
        read.body.replies.map((r: { text: string }) => r.text),
        ['What should add(0, 0) return?', 'Zero.', 'Thanks!'],
      );
    });

    it('keeps threads to their student and the staff side, and refuses bad input with a 400 on the field (nothing written)', async () => {
      assert.deepEqual((await bob.api.get(`/api/assay/v1/help/?exercise=${open}`)).body, []);
      assert.equal((await bob.api.get(`/api/assay/v1/help/${threadId}/`)).status, 404);
      assert.equal((await bob.api.post(`/api/assay/v1/help/${threadId}/replies/`, { json: { text: 'me too' } })).status, 404);
      assert.equal((await outsider.api.post(`/api/assay/v1/exercises/${open}/help/`, { json: { title: 't', text: 'x' } })).status, 404);
      const before = (await alice.api.get('/api/assay/v1/help/')).body.length;
      const cases: [unknown, string, string][] = [
        [{ title: '', text: 'x' }, 'title', 'blank'],
        [{ title: '   ', text: 'x' }, 'title', 'blank'],
        [{ text: 'x' }, 'title', 'required'],
        [{ title: 'ok' }, 'text', 'required'],
        [{ title: 'x'.repeat(201), text: 'x' }, 'title', 'max_length'],
        [{ title: 'ok', text: '  \n ' }, 'text', 'blank'],
      ];
      for (const [json, attr, code] of cases) {
        const bad = await alice.api.post(`/api/assay/v1/exercises/${open}/help/`, { json });
        assert.equal(bad.status, 400, `${JSON.stringify(json)}: ${bad.text}`);
        assert.deepEqual(firstError(bad), [attr, code], JSON.stringify(json));
      }
      assert.equal((await alice.api.get('/api/assay/v1/help/')).body.length, before, 'no thread was left behind');
      const blankReply = await alice.api.post(`/api/assay/v1/help/${threadId}/replies/`, { json: { text: '' } });
      assert.equal(blankReply.status, 400);
      assert.equal((await alice.api.get('/api/assay/v1/help/?exercise=abc')).status, 400);
      assert.equal((await alice.api.get('/api/assay/v1/help/999999/')).status, 404);
    });
  });

  it('documents every new route with request and response schemas in the OpenAPI document', async () => {
    const doc = (await call(server.app, 'GET', '/api/assay/v1/openapi.json')).body;
    const ops: [string, string][] = [
      ['/me/courses/', 'get'],
      ['/courses/{id}/curriculum/', 'get'],
      ['/exercises/{id}/overview/', 'get'],
      ['/exercises/{id}/handout.zip', 'get'],
      ['/submissions/{id}/files/{*}', 'get'],
      ['/help/', 'get'],
      ['/exercises/{id}/help/', 'post'],
      ['/help/{id}/', 'get'],
      ['/help/{id}/replies/', 'post'],
      ['/events/', 'get'],
    ];
    for (const [path, method] of ops) {
      const op = doc.paths[path]?.[method];
      assert.ok(op, `${method} ${path} in ${Object.keys(doc.paths).join(' ')}`);
      assert.ok(op.operationId, path);
      assert.ok(op.responses['200'] ?? op.responses['201'], `${path} has its answer's schema`);
    }
    const detail = doc.paths['/submissions/{id}/'].get.responses['200'].content['application/json'].schema;
    for (const key of ['queue_position', 'comments', 'grade', 'grading']) assert.ok(detail.properties[key], key);
  });
});

export type { Client };
