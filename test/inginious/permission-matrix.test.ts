import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { adminActor, makeUser, PASSWORD } from '../helpers/fixtures.ts';
import { startTestServer } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';
import type { Reply, RequestOptions } from '../helpers/http.ts';
import { call } from '../helpers/http.ts';
import type { MatrixRow } from '../helpers/matrix.ts';
import { statuses, wrongCells } from '../helpers/matrix.ts';

/**
 * INGInious API v0: every route × every caller. Callers: nobody (no session), a user outside the
 * course, the course's student, its instructor (a checker enrolled as instructor), staff and an admin.
 */
const CALLERS = ['anonymous', 'outsider', 'student', 'instructor', 'staff', 'admin'] as const;
type Caller = (typeof CALLERS)[number];
const base = '/api/v0/courses/demo';

describe('INGInious permission matrix (each caller × each route)', () => {
  let server: TestServer;
  const cookies: Partial<Record<Caller, string>> = {};
  const as = (who: Caller, method: string, url: string, options: RequestOptions = {}): Promise<Reply> =>
    call(server.app, method, url, { ...options, headers: { ...(cookies[who] ? { cookie: cookies[who] } : {}), ...options.headers } });

  before(async () => {
    server = await startTestServer();
    const { courseId } = await server.services.tasks.importCourse(path.resolve('test/inginious/fixtures/demo'));
    const admin = await adminActor(server);
    const cast: [Caller, 1 | 2 | 3 | 5, 'student' | 'instructor' | null][] = [
      ['outsider', 1, null],
      ['student', 1, 'student'],
      ['instructor', 2, 'instructor'],
      ['staff', 3, null],
      ['admin', 5, null],
    ];
    for (const [who, clearance, role] of cast) {
      const user = await makeUser(server, clearance);
      if (role) await server.services.programs.enroll(admin, courseId, user.id, role);
      const res = await call(server.app, 'POST', '/api/v0/authentication', { form: { login: user.username, password: PASSWORD } });
      assert.equal(res.status, 200, res.text);
      cookies[who] = String(res.headers['set-cookie']).split(';')[0]!;
    }
  });
  after(() => server.close());

  // INGInious refuses a caller without a session with 403 ("You are not authenticated"), as upstream.
  it('answers every caller of every route as the core decides', async () => {
    const s = (...codes: number[]) => statuses(CALLERS, codes);
    const submitted = await as('student', 'POST', `${base}/tasks/quiz/submissions`, { form: { q1: '1', q2: '0' } });
    assert.equal(submitted.status, 200, submitted.text);
    const submission = `${base}/tasks/quiz/submissions/${submitted.body.submissionid}`;
    const rows: MatrixRow<Caller>[] = [
      { name: 'GET auth_methods (public)', expect: s(200, 200, 200, 200, 200, 200), call: (who) => as(who, 'GET', '/api/v0/auth_methods') },
      { name: 'GET authentication', expect: s(200, 200, 200, 200, 200, 200), call: (who) => as(who, 'GET', '/api/v0/authentication') },
      { name: 'GET courses', expect: s(403, 200, 200, 200, 200, 200), call: (who) => as(who, 'GET', '/api/v0/courses') },
      { name: 'GET course', expect: s(403, 200, 200, 200, 200, 200), call: (who) => as(who, 'GET', base) },
      { name: 'GET tasks', expect: s(403, 403, 200, 200, 200, 200), call: (who) => as(who, 'GET', `${base}/tasks`) },
      { name: 'GET task', expect: s(403, 403, 200, 200, 200, 200), call: (who) => as(who, 'GET', `${base}/tasks/hello`) },
      // A hidden task is for the course's staff side only.
      { name: 'GET hidden task', expect: s(403, 403, 404, 200, 200, 200), call: (who) => as(who, 'GET', `${base}/tasks/hidden`) },
      { name: 'GET submissions', expect: s(403, 403, 200, 200, 200, 200), call: (who) => as(who, 'GET', `${base}/tasks/quiz/submissions`) },
      { name: 'POST submission', expect: s(403, 403, 200, 200, 200, 200), call: (who) => as(who, 'POST', `${base}/tasks/quiz/submissions`, { form: { q1: '1', q2: '0' } }) },
      // The student's own submission: only its author reads it through this API.
      { name: "GET the student's submission", expect: s(403, 403, 200, 404, 404, 404), call: (who) => as(who, 'GET', submission) },
    ];
    assert.deepEqual(await wrongCells(CALLERS, rows), []);
  });
});
