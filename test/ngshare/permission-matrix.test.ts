import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makeUser } from '../helpers/fixtures.ts';
import { startTestServer } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';
import type { Reply, RequestOptions } from '../helpers/http.ts';
import { call } from '../helpers/http.ts';
import type { MatrixRow } from '../helpers/matrix.ts';
import { statuses, wrongCells } from '../helpers/matrix.ts';

/**
 * ngshare: every route × every caller. Callers: nobody (no token), a user outside the course, the
 * course's student, its instructor, an ngshare admin (ASSAY_NGSHARE_ADMINS) and an Assay admin
 * (clearance 5). Writes run on a course made fresh for each cell.
 */
const CALLERS = ['anonymous', 'outsider', 'student', 'instructor', 'ngadmin', 'siteadmin'] as const;
type Caller = (typeof CALLERS)[number];
const NAMES: Record<Exclude<Caller, 'anonymous'>, string> = { outsider: 'm_out', student: 'm_stud', instructor: 'm_inst', ngadmin: 'm_ngadmin', siteadmin: 'm_root' };

describe('ngshare permission matrix (each caller × each route)', () => {
  let server: TestServer;
  const tokens: Partial<Record<Caller, string>> = {};
  let counter = 0;

  const as = (who: Caller, method: string, url: string, options: RequestOptions = {}): Promise<Reply> =>
    call(server.app, method, url, { ...options, headers: { ...(tokens[who] ? { authorization: `token ${tokens[who]}` } : {}), ...options.headers } });
  const ok = async (res: Promise<Reply>) => {
    const r = await res;
    assert.equal(r.status, 200, r.text);
    return r;
  };
  const files = (name: string) => JSON.stringify([{ path: name, content: Buffer.from('x').toString('base64') }]);

  /** A course with the matrix's instructor and student, one released assignment `a` and one submission of the student. */
  const freshCourse = async () => {
    const course = `mc${++counter}`;
    await ok(as('ngadmin', 'POST', `/api/course/${course}`, { form: { instructors: JSON.stringify([NAMES.instructor]) } }));
    await ok(as('instructor', 'POST', `/api/students/${course}`, { form: { students: JSON.stringify([{ username: NAMES.student, first_name: '', last_name: '', email: '' }]) } }));
    await ok(as('instructor', 'POST', `/api/assignment/${course}/a`, { form: { files: files('a.ipynb') } }));
    const submitted = await ok(as('student', 'POST', `/api/submission/${course}/a`, { form: { files: files('a.ipynb') } }));
    return { course, timestamp: submitted.body.timestamp as string };
  };

  before(async () => {
    server = await startTestServer({ env: { ASSAY_NGSHARE_ADMINS: NAMES.ngadmin } });
    for (const [who, username] of Object.entries(NAMES) as [Caller, string][]) {
      const user = await makeUser(server, who === 'siteadmin' ? 5 : 1, username);
      tokens[who] = (await server.services.tokens.createApiToken(user.id, 'nbgrader')).token;
    }
  });
  after(() => server.close());

  it('answers every caller of every route as the core decides', async () => {
    const s = (...codes: number[]) => statuses(CALLERS, codes);
    const shared = await freshCourse();
    const c = shared.course;
    const stud = NAMES.student;
    const person = { first_name: 'F', last_name: 'L', email: 'e@example.org' };
    const rows: MatrixRow<Caller>[] = [
      { name: 'GET courses', expect: s(401, 200, 200, 200, 200, 200), call: (who) => as(who, 'GET', '/api/courses') },
      { name: 'POST course', expect: s(401, 403, 403, 403, 200, 200), call: (who) => as(who, 'POST', `/api/course/new${++counter}`) },
      { name: 'DELETE course', expect: s(401, 403, 403, 403, 200, 200), call: async (who) => as(who, 'DELETE', `/api/course/${(await freshCourse()).course}`) },
      { name: 'GET instructor', expect: s(401, 404, 200, 200, 200, 200), call: (who) => as(who, 'GET', `/api/instructor/${c}/${NAMES.instructor}`) },
      { name: 'POST instructor', expect: s(401, 404, 403, 403, 200, 200), call: async (who) => as(who, 'POST', `/api/instructor/${(await freshCourse()).course}/${NAMES.outsider}`, { form: person }) },
      // Changing instructors is for admins, asked before the course is looked up.
      { name: 'DELETE instructor', expect: s(401, 403, 403, 403, 200, 200), call: async (who) => as(who, 'DELETE', `/api/instructor/${(await freshCourse()).course}/${NAMES.instructor}`) },
      { name: 'GET instructors', expect: s(401, 404, 200, 200, 200, 200), call: (who) => as(who, 'GET', `/api/instructors/${c}`) },
      { name: 'GET student', expect: s(401, 404, 200, 200, 200, 200), call: (who) => as(who, 'GET', `/api/student/${c}/${stud}`) },
      { name: 'POST student', expect: s(401, 404, 403, 200, 200, 200), call: async (who) => as(who, 'POST', `/api/student/${(await freshCourse()).course}/${NAMES.outsider}`, { form: person }) },
      { name: 'DELETE student', expect: s(401, 404, 403, 200, 200, 200), call: async (who) => as(who, 'DELETE', `/api/student/${(await freshCourse()).course}/${stud}`) },
      { name: 'GET students', expect: s(401, 404, 403, 200, 200, 200), call: (who) => as(who, 'GET', `/api/students/${c}`) },
      {
        name: 'POST students',
        expect: s(401, 404, 403, 200, 200, 200),
        call: async (who) =>
          as(who, 'POST', `/api/students/${(await freshCourse()).course}`, { form: { students: JSON.stringify([{ username: NAMES.outsider, first_name: '', last_name: '', email: '' }]) } }),
      },
      { name: 'GET assignments', expect: s(401, 404, 200, 200, 200, 200), call: (who) => as(who, 'GET', `/api/assignments/${c}`) },
      { name: 'GET assignment', expect: s(401, 404, 200, 200, 200, 200), call: (who) => as(who, 'GET', `/api/assignment/${c}/a`) },
      { name: 'POST assignment', expect: s(401, 404, 403, 200, 200, 200), call: (who) => as(who, 'POST', `/api/assignment/${c}/new${++counter}`, { form: { files: files('n.ipynb') } }) },
      { name: 'DELETE assignment', expect: s(401, 404, 403, 200, 200, 200), call: async (who) => as(who, 'DELETE', `/api/assignment/${(await freshCourse()).course}/a`) },
      { name: 'GET submissions', expect: s(401, 404, 403, 200, 200, 200), call: (who) => as(who, 'GET', `/api/submissions/${c}/a`) },
      { name: "GET the student's submissions", expect: s(401, 404, 200, 200, 200, 200), call: (who) => as(who, 'GET', `/api/submissions/${c}/a/${stud}`) },
      { name: 'POST submission', expect: s(401, 404, 200, 200, 200, 200), call: (who) => as(who, 'POST', `/api/submission/${c}/a`, { form: { files: files('a.ipynb') } }) },
      { name: 'GET submission', expect: s(401, 404, 403, 200, 200, 200), call: (who) => as(who, 'GET', `/api/submission/${c}/a/${stud}`) },
      {
        name: 'POST feedback',
        expect: s(401, 404, 403, 200, 200, 200),
        call: (who) => as(who, 'POST', `/api/feedback/${c}/a/${stud}`, { form: { timestamp: shared.timestamp, files: files('a.html') } }),
      },
      { name: 'GET feedback', expect: s(401, 404, 200, 200, 200, 200), call: (who) => as(who, 'GET', `/api/feedback/${c}/a/${stud}`, { query: { timestamp: shared.timestamp } }) },
      // The hub-service prefix is the same API.
      { name: 'GET instructors (service prefix)', expect: s(401, 404, 200, 200, 200, 200), call: (who) => as(who, 'GET', `/services/ngshare/instructors/${c}`) },
    ];
    assert.deepEqual(await wrongCells(CALLERS, rows), []);
  });
});
