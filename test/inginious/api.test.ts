import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createSandboxRunner } from '../../src/grading/engine/runner.ts';
import { startWorkerPool } from '../../src/grading/queue/index.ts';
import type { WorkerPool } from '../../src/grading/queue/index.ts';
import { sandboxWorks } from '../grading/sandbox-helpers.ts';
import { adminActor, makeUser, PASSWORD } from '../helpers/fixtures.ts';
import { startTestServer } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';
import type { Reply, RequestOptions } from '../helpers/http.ts';
import { call } from '../helpers/http.ts';

const COURSE = path.resolve('test/inginious/fixtures/demo');
const haveSandbox = await sandboxWorks();
const base = '/api/v0/courses/demo';

/** A script's session: logs in with the form, then sends the cookie back on every call. */
async function session(app: FastifyInstance, username: string) {
  const res = await call(app, 'POST', '/api/v0/authentication', { form: { login: ` ${username} `, password: PASSWORD } });
  assert.equal(res.status, 200, res.text);
  const setCookie = String(res.headers['set-cookie']);
  const cookie = setCookie.split(';')[0]!;
  const go = (method: string) => (url: string, options: RequestOptions = {}) => call(app, method, url, { ...options, headers: { cookie, ...options.headers } });
  return { login: res, setCookie, get: go('GET'), post: go('POST'), put: go('PUT') };
}

function multipart(fields: Record<string, string | string[]>, files: Record<string, [string, string | Buffer]> = {}): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) for (const item of Array.isArray(v) ? v : [v]) form.append(k, item);
  for (const [k, [name, content]] of Object.entries(files)) form.append(k, new Blob([typeof content === 'string' ? content : new Uint8Array(content)]), name);
  return form;
}

const good = () => multipart({ code: 'def hello():\n    return "hi"\n', secret: '42' }, { upload: ['hi.txt', 'hi\n'] });

describe('INGInious API v0', () => {
  let server: TestServer;
  let pool: WorkerPool | null = null;
  let student: Awaited<ReturnType<typeof session>>;
  let other: Awaited<ReturnType<typeof session>>;
  let outsider: Awaited<ReturnType<typeof session>>;
  let staff: Awaited<ReturnType<typeof session>>;
  let courseId: number;

  before(async () => {
    server = await startTestServer();
    const report = await server.services.tasks.importCourse(COURSE);
    courseId = report.courseId;
    const admin = await adminActor(server);
    const names: string[] = [];
    for (const [clearance, role] of [[1, 'student'], [1, 'student'], [1, null], [3, null]] as const) {
      const user = await makeUser(server, clearance);
      if (role) await server.services.programs.enroll(admin, courseId, user.id, role);
      names.push(user.username);
    }
    [student, other, outsider, staff] = (await Promise.all(names.map((n) => session(server.app, n)))) as [typeof student, typeof student, typeof student, typeof student];
  });
  after(async () => {
    await pool?.stop();
    await server.close();
  });

  async function submissionCount(): Promise<number> {
    const row = await server.services.db.selectFrom('submissions').select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async function poll(client: typeof student, url: string): Promise<Reply> {
    for (let i = 0; i < 300; i++) {
      const res = await client.get(url);
      if (res.body[0].status !== 'waiting') return res;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${url} stayed waiting`);
  }

  describe('authentication', () => {
    it('lists the one method and reports the login state', async () => {
      const methods = await call(server.app, 'GET', '/api/v0/auth_methods');
      assert.equal(methods.status, 200);
      assert.equal(methods.headers['content-type'], 'text/json; charset=utf-8');
      assert.deepEqual(methods.body[0].input.map((i: { id: string }) => i.id), ['login', 'password']);
      assert.deepEqual((await call(server.app, 'GET', '/api/v0/authentication')).body, { authenticated: false });
      const state = await student.get('/api/v0/authentication');
      assert.equal(state.body.authenticated, true);
      assert.equal(state.body.username, student.login.body.username);
    });

    it('sets an HttpOnly, SameSite=Lax cookie on success', () => {
      assert.equal(student.login.body.status, 'success');
      assert.match(student.setCookie, /HttpOnly/i);
      assert.match(student.setCookie, /SameSite=Lax/i);
      assert.match(student.setCookie, /Path=\//);
      assert.match(student.setCookie, /Max-Age=86400/);
    });

    it('refuses bad credentials with {"status":"error"} and missing fields with 400', async () => {
      const wrong = await call(server.app, 'POST', '/api/v0/authentication', { form: { login: student.login.body.username, password: 'nope' } });
      assert.equal(wrong.status, 403);
      assert.deepEqual(wrong.body, { status: 'error' });
      assert.equal(wrong.headers['set-cookie'], undefined);
      const missing = await call(server.app, 'POST', '/api/v0/authentication', { form: { login: 'x' } });
      assert.equal(missing.status, 400);
      assert.deepEqual(missing.body, { error: 'Invalid arguments for this method', detail: 'login and password are both required' });
    });

    it('answers 403 (never 401) without a login, and accepts Assay tokens as Bearer', async () => {
      for (const url of ['/api/v0/courses', `${base}/tasks`, `${base}/tasks/hello/submissions`]) {
        const res = await call(server.app, 'GET', url);
        assert.equal(res.status, 403);
        assert.deepEqual(res.body, { error: 'You are not authenticated' });
      }
      assert.equal((await call(server.app, 'GET', '/api/v0/courses', { headers: { cookie: 'assay_inginious_session=forged' } })).status, 403);
      const user = await server.services.users.byUsername(student.login.body.username);
      const token = await server.services.tokens.createApiToken(user!.id, 'script');
      const res = await call(server.app, 'GET', '/api/v0/courses', { token: token.token });
      assert.equal(res.status, 200);
      assert.equal((await call(server.app, 'GET', '/api/v0/courses', { token: 'assay_wrong' })).status, 403);
    });

    it('refuses a cross-origin login and answers unsupported methods with 405 and Allow', async () => {
      const res = await call(server.app, 'POST', '/api/v0/authentication', { form: { login: 'a', password: 'b' }, headers: { origin: 'https://evil.example' } });
      assert.equal(res.status, 403);
      assert.deepEqual(res.body, { error: 'Cross-origin request refused' });
      const post = await student.post('/api/v0/courses');
      assert.equal(post.status, 405);
      assert.equal(post.headers.allow, 'GET');
      assert.deepEqual(post.body, { error: 'This endpoint has no such method' });
      const put = await student.put(`${base}/tasks/hello/submissions`);
      assert.equal(put.headers.allow, 'GET,POST');
      assert.equal((await student.get('/api/v0/nothing')).body.error, 'Not found');
    });
  });

  describe('courses and tasks', () => {
    it('lists the course with its visible tasks and an integer grade', async () => {
      const res = await student.get('/api/v0/courses');
      const demo = res.body.find((c: { id: string }) => c.id === 'demo');
      assert.equal(demo.name, 'Demo course');
      assert.equal(demo.is_registered, true);
      assert.equal(demo.require_password, false);
      assert.deepEqual(Object.keys(demo.tasks).sort(), ['hello', 'limited', 'quiz', 'timeout']);
      assert.equal(demo.grade, 0);
      assert.match(res.text, /"grade":0[,}]/);
      assert.equal((await student.get('/api/v0/courses/demo')).body.length, 1);
      assert.equal((await student.get('/api/v0/courses/DEMO/tasks/Quiz/')).body[0].id, 'quiz', 'ids match in any case, trailing slash tolerated');
      const malformed = await student.get('/api/v0/courses/%zz');
      assert.equal(malformed.status, 400);
      assert.equal(malformed.headers['content-type'], 'text/json; charset=utf-8');
      assert.equal(typeof malformed.body.error, 'string');
      const missing = await student.get('/api/v0/courses/nope');
      assert.equal(missing.status, 404);
      assert.deepEqual(missing.body, { error: 'Course not found' });
    });

    it('shows a registrable course to an outsider without tasks, and refuses its tasks', async () => {
      const [demo] = (await outsider.get('/api/v0/courses/demo')).body;
      assert.deepEqual(demo, { id: 'demo', name: 'Demo course', require_password: false, is_registered: false });
      const tasks = await outsider.get(`${base}/tasks`);
      assert.equal(tasks.status, 403);
      assert.deepEqual(tasks.body, { error: 'You are not registered to this course' });
    });

    it('describes a task without leaking answers', async () => {
      const res = await student.get(`${base}/tasks/hello`);
      assert.equal(res.status, 200);
      const [task] = res.body;
      assert.equal(task.name, 'Hello');
      assert.deepEqual(task.authors, ['Ada Lovelace', 'Alan Turing']);
      assert.equal(task.contact_url, 'https://example.org/contact');
      assert.equal(task.status, 'notviewed');
      assert.match(res.text, /"grade":0\.0/);
      assert.match(task.context, /``hello\(\)``/);
      // The issue asks for `deadline` (upstream documents it but never emits it): null when there is none.
      assert.equal(task.deadline, null);
      const limited = (await student.get(`${base}/tasks/limited`)).body[0];
      assert.equal(limited.deadline, '2030-06-30 23:00:00', 'the soft end, in the configured zone');
      const secret = task.problems.find((p: { id: string }) => p.id === 'secret');
      assert.equal(secret.type, 'match');
      assert.equal('answer' in secret, false);
      const upload = task.problems.find((p: { id: string }) => p.id === 'upload');
      assert.deepEqual(upload.allowed_exts, ['.txt']);

      const quiz = (await student.get(`${base}/tasks`)).body.find((t: { id: string }) => t.id === 'quiz');
      assert.deepEqual(quiz.authors, ['Grace Hopper']);
      const q1 = quiz.problems.find((p: { id: string }) => p.id === 'q1');
      assert.deepEqual(q1.choices, { '0': '4', '1': '7', '2': '9' });
      const text = JSON.stringify(quiz);
      assert.equal(/valid|Indeed/.test(text), false, 'no answer or per-choice feedback');
    });

    it('hides a hidden task from students but not from staff', async () => {
      const res = await student.get(`${base}/tasks/hidden`);
      assert.equal(res.status, 404);
      assert.deepEqual(res.body, { error: 'Task not found' });
      assert.equal((await student.get(`${base}/tasks`)).body.some((t: { id: string }) => t.id === 'hidden'), false);
      assert.equal((await staff.get(`${base}/tasks/hidden`)).status, 200);
      assert.ok('hidden' in (await staff.get('/api/v0/courses/demo')).body[0].tasks);
    });
  });

  describe('submission input checks', () => {
    const cases: [string, FormData | Record<string, string | string[]>][] = [
      ['missing code', multipart({ secret: '42' }, { upload: ['hi.txt', 'hi'] })],
      ['empty code', multipart({ code: '', secret: '42' }, { upload: ['hi.txt', 'hi'] })],
      ['missing match', multipart({ code: 'x' }, { upload: ['hi.txt', 'hi'] })],
      ['missing file', { code: 'x', secret: '42' }],
      ['file extension not allowed', multipart({ code: 'x', secret: '42' }, { upload: ['hi.exe', 'hi'] })],
      ['file extension in another case (compared case-sensitively, as upstream)', multipart({ code: 'x', secret: '42' }, { upload: ['hi.TXT', 'hi'] })],
      ['file over max_size', multipart({ code: 'x', secret: '42' }, { upload: ['hi.txt', Buffer.alloc(65, 'a')] })],
    ];
    for (const [name, body] of cases) {
      it(`refuses ${name} with 400 and writes nothing`, async () => {
        const before = await submissionCount();
        const res = await student.post(`${base}/tasks/hello/submissions`, body instanceof FormData ? { multipart: body } : { form: body });
        assert.equal(res.status, 400, res.text);
        assert.equal(res.body.error, 'Invalid arguments for this method');
        assert.equal(typeof res.body.detail, 'string');
        assert.equal(await submissionCount(), before);
      });
    }

    it('refuses a multipart body without a boundary, or cut short, with 400 and writes nothing', async () => {
      const before = await submissionCount();
      const part = (name: string, extra = '') => `--b\r\nContent-Disposition: form-data; name="${name}"${extra}\r\n\r\n`;
      const bodies: [string, string][] = [
        ['multipart/form-data', `${part('code')}x\r\n--b--\r\n`],
        ['multipart/form-data; boundary=b', `${part('code')}x\r\n${part('upload', '; filename="hi.txt"')}hi, and then noth`],
      ];
      for (const [type, raw] of bodies) {
        const res = await student.post(`${base}/tasks/hello/submissions`, { raw, headers: { 'content-type': type } });
        assert.equal(res.status, 400, `${type} ${JSON.stringify(raw)}: ${res.text}`);
        assert.equal(res.body.error, 'Invalid arguments for this method');
      }
      assert.equal(await submissionCount(), before);
    });

    const choiceCases: [string, Record<string, string | string[]>][] = [
      ['a choice that is not a number', { q1: 'seven', q2: ['0', '2'] }],
      ['a choice out of range', { q1: '3', q2: ['0', '2'] }],
      ['two answers to a single-answer problem', { q1: ['1', '2'], q2: ['0'] }],
      ['no answer to a multiple-answer problem', { q1: '1' }],
      ['a repeated choice', { q1: '1', q2: ['0', '0'] }],
    ];
    for (const [name, form] of choiceCases) {
      it(`refuses ${name}`, async () => {
        const res = await student.post(`${base}/tasks/quiz/submissions`, { form });
        assert.equal(res.status, 400, res.text);
        assert.equal(res.body.error, 'Invalid arguments for this method');
      });
    }

    it('refuses a cross-origin submission and an unknown task', async () => {
      const res = await student.post(`${base}/tasks/quiz/submissions`, { form: { q1: '1', q2: '0' }, headers: { origin: 'https://evil.example' } });
      assert.equal(res.status, 403);
      const unknown = await student.post(`${base}/tasks/nope/submissions`, { form: { q1: '1' } });
      assert.deepEqual([unknown.status, unknown.body], [404, { error: 'Task not found' }]);
      const hidden = await student.post(`${base}/tasks/hidden/submissions`, { form: { code: 'x' } });
      assert.equal(hidden.status, 404);
    });
  });

  describe('multiple-choice tasks, graded in the core', () => {
    it('counts a refused submission as opening the task', async () => {
      const [hello] = (await student.get(`${base}/tasks/hello`)).body;
      assert.equal(hello.status, 'notattempted');
      const [quiz] = (await other.get(`${base}/tasks/quiz`)).body;
      assert.equal(quiz.status, 'notviewed');
    });

    it('grades the share of correct problems at once', async () => {
      const res = await student.post(`${base}/tasks/quiz/submissions`, { form: { q1: '0', q2: ['2', '0'] } });
      assert.equal(res.status, 200, res.text);
      assert.match(res.body.submissionid, /^[0-9a-f]{24}$/);
      const one = await student.get(`${base}/tasks/quiz/submissions/${res.body.submissionid}`);
      const [sub] = one.body;
      assert.equal(sub.status, 'done');
      assert.equal(sub.result, 'failed');
      assert.equal(sub.grade, 50);
      assert.match(one.text, /"grade":50\.0/);
      assert.match(sub.submitted_on, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/);
      assert.equal(sub.problems_feedback.q1[0], 'failed');
      assert.match(sub.problems_feedback.q1[1], /Not this one/);
      assert.equal(sub.problems_feedback.q2[0], 'success');
      assert.equal('input' in sub, false);

      const right = await student.post(`${base}/tasks/quiz/submissions`, { json: { q1: 1, q2: ['0', '2'] } });
      assert.equal(right.status, 200, right.text);
      const list = await student.get(`${base}/tasks/quiz/submissions?input`);
      assert.equal(list.body.length, 2);
      assert.equal(list.body[0].id, right.body.submissionid, 'newest first');
      assert.equal(list.body[0].grade, 100);
      assert.match(list.body[0].problems_feedback.q1[1], /Indeed, 7 is prime/);
      assert.equal(list.body[0].input.q1, '1');
      assert.deepEqual(list.body[0].input.q2, ['0', '2']);
      assert.equal(list.body[0].input['@username'], student.login.body.username);
      assert.match(list.body[0].input['@time'], /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/, "upstream's str() of the submission time");

      const [task] = (await student.get(`${base}/tasks/quiz`)).body;
      assert.equal(task.status, 'succeeded');
      assert.equal(task.grade, 100);
    });

    it('enforces the submission limit with 403', async () => {
      assert.equal((await student.post(`${base}/tasks/limited/submissions`, { form: { q: '0' } })).status, 200);
      const second = await student.post(`${base}/tasks/limited/submissions`, { form: { q: '1' } });
      assert.equal(second.status, 403);
      assert.deepEqual(second.body, { error: 'You are not allowed to submit for this task' });
    });
  });

  describe('graded by the run script', { skip: haveSandbox ? false : 'bubblewrap is not usable here' }, () => {
    let first: string;

    it('keeps one waiting submission per user and task (409)', async () => {
      const res = await student.post(`${base}/tasks/hello/submissions`, { multipart: good() });
      assert.equal(res.status, 200, res.text);
      first = res.body.submissionid;
      const again = await student.post(`${base}/tasks/hello/submissions`, { multipart: good() });
      assert.equal(again.status, 409);
      assert.deepEqual(again.body, { error: 'A submission is already pending for this task!' });
      const [waiting] = (await student.get(`${base}/tasks/hello/submissions/${first}`)).body;
      assert.equal(waiting.status, 'waiting');
      for (const key of ['grade', 'result', 'feedback', 'problems_feedback']) assert.equal(key in waiting, false, key);
      // Another student is not held up; of two at once, one gets through.
      const wrong = () => multipart({ code: 'print(1)', secret: 'x' }, { upload: ['no.txt', 'no'] });
      const both = await Promise.all([other.post(`${base}/tasks/hello/submissions`, { multipart: wrong() }), other.post(`${base}/tasks/hello/submissions`, { multipart: wrong() })]);
      assert.deepEqual(both.map((r) => r.status).sort(), [200, 409]);
      const [task] = (await student.get(`${base}/tasks/hello`)).body;
      assert.equal(task.status, 'failed', 'submitted, nothing graded yet');
    });

    it('grades through the sandbox and shows feedback per problem', async () => {
      pool = startWorkerPool(server.services.grading, createSandboxRunner(server.services), server.services.config, { concurrency: 2 });
      const res = await poll(student, `${base}/tasks/hello/submissions/${first}?input`);
      const [sub] = res.body;
      assert.equal(sub.status, 'done', res.text);
      assert.equal(sub.result, 'success');
      assert.match(res.text, /"grade":100\.0/);
      assert.equal(sub.feedback, '<p>All good</p>');
      assert.deepEqual(sub.problems_feedback.code, ['success', '<p>Well done</p>']);
      assert.equal(sub.problems_feedback.upload[0], 'success');
      assert.deepEqual(sub.input.upload, { filename: 'hi.txt', value: Buffer.from('hi\n').toString('base64') });
      assert.equal(sub.input.secret, '42');

      const mine = await other.get(`${base}/tasks/hello/submissions`);
      const [theirs] = (await poll(other, `${base}/tasks/hello/submissions/${mine.body[0].id}`)).body;
      assert.equal(theirs.result, 'failed');
      assert.equal(theirs.grade, 0);
      assert.equal(theirs.feedback, '<p>Some <strong>problems</strong> failed</p>');
      assert.deepEqual(theirs.problems_feedback.code, ['failed', '<p>No <em>hello</em> function</p>']);

      // Once graded, the next submission is accepted.
      assert.equal((await student.post(`${base}/tasks/hello/submissions`, { multipart: good() })).status, 200);
    });

    it('never shows another user\'s submission, and 404s malformed ids', async () => {
      const theirs = await other.get(`${base}/tasks/hello/submissions`);
      assert.equal(theirs.body.length, 1);
      const res = await student.get(`${base}/tasks/hello/submissions/${theirs.body[0].id}`);
      assert.deepEqual([res.status, res.body], [404, { error: 'Submission not found' }]);
      assert.equal((await student.get(`${base}/tasks/hello/submissions/123`)).status, 404);
      assert.equal((await student.get(`${base}/tasks/quiz/submissions/${first}`)).status, 404, 'another task');
      assert.equal((await staff.get(`${base}/tasks/hello/submissions/${first}`)).status, 404, 'staff too: only the caller\'s');
    });

    it('reports a timeout as status error, without grade or feedback', async () => {
      const res = await student.post(`${base}/tasks/timeout/submissions`, { form: {} });
      assert.equal(res.status, 200, res.text);
      const [sub] = (await poll(student, `${base}/tasks/timeout/submissions/${res.body.submissionid}`)).body;
      assert.equal(sub.status, 'error');
      assert.equal('grade' in sub, false);
    });

    it('computes task statuses and the weighted course grade', async () => {
      const tasks = (await student.get(`${base}/tasks`)).body as { id: string; status: string; grade: number }[];
      const by = Object.fromEntries(tasks.map((t) => [t.id, t]));
      assert.equal(by.hello!.status, 'succeeded');
      assert.equal(by.timeout!.status, 'failed');
      // hello 100 (weight 1), quiz 100 (weight 3), limited 100 (weight 1), timeout 0 (weight 1): 500 / 6.
      const [course] = (await student.get('/api/v0/courses/demo')).body;
      assert.equal(course.grade, 83);
    });
  });
});
