import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { engineUnderTest, startTestServer } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';
import { actorClient, adminActor, makeExercise, makeUser } from '../helpers/fixtures.ts';
import type { Client, Reply, RequestOptions } from '../helpers/http.ts';
import { call } from '../helpers/http.ts';
import type { MatrixRow } from '../helpers/matrix.ts';
import { statuses, wrongCells } from '../helpers/matrix.ts';

/**
 * Assay's own API (`/api/assay/v1/`): each route × each caller. Callers: nobody (no token), an
 * instructor of another course (an outsider here), the course's student, checker and instructor,
 * staff and an admin. A course the caller cannot see is 404; one they see but may not act on, 403.
 */
const CALLERS = ['anonymous', 'outsider', 'student', 'checker', 'instructor', 'staff', 'admin'] as const;
type Caller = (typeof CALLERS)[number];
const V1 = '/api/assay/v1';

describe(`Assay API permission matrix (each caller × each route), on ${engineUnderTest}`, () => {
  let server: TestServer;
  let course: number;
  let exercise: number;
  const clients: Partial<Record<Caller, Client>> = {};
  const as = (who: Caller, method: string, url: string, options: RequestOptions = {}): Promise<Reply> =>
    call(server.app, method, `${V1}${url}`, { ...options, token: clients[who]?.token });

  before(async () => {
    server = await startTestServer();
    const root = await adminActor(server);
    course = (await server.services.programs.create(root, { name: 'Matrix course', slug: 'matrix-course' })).id;
    const other = (await server.services.programs.create(root, { name: 'Other course', slug: 'matrix-other' })).id;
    const subject = await server.services.subjects.create(root, { course_id: course, symbol: 'M1', name: 'Basics', color: '#112233' });
    const module = await server.services.modules.create(root, { subject_id: subject.id, name: 'Loops', order: '1' });
    exercise = (await makeExercise(server, module.id)).id;
    const cast: [Caller, 1 | 2 | 3 | 5, number | null, 'student' | 'checker' | 'instructor' | null][] = [
      ['outsider', 2, other, 'instructor'],
      ['student', 1, course, 'student'],
      ['checker', 2, course, 'checker'],
      ['instructor', 2, course, 'instructor'],
      ['staff', 3, null, null],
      ['admin', 5, null, null],
    ];
    for (const [who, clearance, where, role] of cast) {
      const person = await actorClient(server, clearance);
      if (where !== null && role !== null) await server.services.enrolment.enrol(root, { id: where }, [person.username], role);
      clients[who] = person.api;
    }
  });
  after(async () => server?.close());

  it('answers every caller of every route as the core decides', async () => {
    const s = (...codes: number[]) => statuses(CALLERS, codes);
    const fresh = async () => (await makeUser(server, 1)).username;
    const rows: MatrixRow<Caller>[] = [
      { name: 'GET me/courses', expect: s(401, 200, 200, 200, 200, 200, 200), call: (who) => as(who, 'GET', '/me/courses/') },
      { name: 'GET tokens', expect: s(401, 200, 200, 200, 200, 200, 200), call: (who) => as(who, 'GET', '/tokens/') },
      { name: 'GET enrollments', expect: s(401, 404, 403, 200, 200, 200, 200), call: (who) => as(who, 'GET', `/courses/${course}/enrollments/`) },
      {
        name: 'POST enrollments',
        expect: s(401, 404, 403, 403, 200, 200, 200),
        call: async (who) => as(who, 'POST', `/courses/${course}/enrollments/`, { json: { usernames: [await fresh()], role: 'student' } }),
      },
      { name: "GET a course's Autolab settings", expect: s(401, 404, 403, 403, 200, 200, 200), call: (who) => as(who, 'GET', `/courses/${course}/autolab/`) },
      { name: "GET an exercise's Autolab settings", expect: s(401, 404, 403, 403, 200, 200, 200), call: (who) => as(who, 'GET', `/exercises/${exercise}/autolab/`) },
      { name: 'GET extensions', expect: s(401, 404, 403, 403, 200, 200, 200), call: (who) => as(who, 'GET', `/exercises/${exercise}/extensions/`) },
      // Lateness: whoever sees the exercise gets a report; a student's holds only their own row.
      { name: 'GET lateness', expect: s(401, 404, 200, 200, 200, 200, 200), call: (who) => as(who, 'GET', `/exercises/${exercise}/lateness/`) },
      // An exercise's files are for those who manage its course.
      { name: 'GET solution files', expect: s(401, 404, 403, 403, 200, 200, 200), call: (who) => as(who, 'GET', `/exercises/${exercise}/files/solution/`) },
      { name: 'DELETE solution files', expect: s(401, 404, 403, 403, 204, 204, 204), call: (who) => as(who, 'DELETE', `/exercises/${exercise}/files/solution/`) },
      // The grader workbench and the course's grading queue are for those who manage the course
      // (the exercise has no grader: they get as far as that 400).
      { name: 'POST grader trial', expect: s(401, 404, 403, 403, 400, 400, 400), call: (who) => as(who, 'POST', `/exercises/${exercise}/grader/trial/`, { json: {} }) },
      {
        name: 'GET rerun progress',
        expect: s(401, 404, 403, 403, 200, 200, 200),
        call: (who) => as(who, 'GET', `/exercises/${exercise}/rerun/`, { query: { since: '2026-01-01T00:00:00Z' } }),
      },
      { name: 'GET course queue', expect: s(401, 404, 403, 403, 200, 200, 200), call: (who) => as(who, 'GET', `/courses/${course}/queue/`) },
      { name: 'POST course queue rerun', expect: s(401, 404, 403, 403, 200, 200, 200), call: (who) => as(who, 'POST', `/courses/${course}/queue/rerun/`, { json: {} }) },
      // A new course: staff, and instructors of a course (the outsider instructs another one).
      { name: 'POST courses', expect: s(401, 201, 403, 403, 201, 201, 201), call: (who) => as(who, 'POST', '/courses/', { json: { slug: `matrix-new-${who}`, name: `New for ${who}` } }) },
      { name: 'GET course settings', expect: s(401, 404, 403, 403, 200, 200, 200), call: (who) => as(who, 'GET', `/courses/${course}/settings/`) },
      // No zip sent: those who manage the course get as far as that 400.
      { name: 'POST course directory', expect: s(401, 404, 403, 403, 400, 400, 400), call: (who) => as(who, 'POST', `/courses/${course}/directory/`, { json: {} }) },
      { name: 'GET exercise settings', expect: s(401, 404, 403, 403, 200, 200, 200), call: (who) => as(who, 'GET', `/exercises/${exercise}/settings/`) },
      { name: 'PATCH exercise settings', expect: s(401, 404, 403, 403, 200, 200, 200), call: (who) => as(who, 'PATCH', `/exercises/${exercise}/settings/`, { json: { max_submissions: 9 } }) },
      {
        name: 'POST oauth/clients (admins only)',
        expect: s(401, 403, 403, 403, 403, 403, 201),
        call: (who) => as(who, 'POST', '/oauth/clients/', { json: { name: `client of ${who}`, redirect_uris: ['https://example.com/cb'], scopes: ['user_info'] } }),
      },
      { name: 'GET gradebook', expect: s(401, 404, 403, 403, 200, 200, 200), call: (who) => as(who, 'GET', `/courses/${course}/gradebook/`) },
      { name: 'GET gradebook.csv', expect: s(401, 404, 403, 403, 200, 200, 200), call: (who) => as(who, 'GET', `/courses/${course}/gradebook.csv`) },
      { name: 'GET exercise gradebook.csv', expect: s(401, 404, 403, 403, 200, 200, 200), call: (who) => as(who, 'GET', `/exercises/${exercise}/gradebook.csv`) },
      { name: 'GET admin/users', expect: s(401, 403, 403, 403, 403, 403, 200), call: (who) => as(who, 'GET', '/admin/users/') },
      { name: 'PATCH admin/users', expect: s(401, 403, 403, 403, 403, 403, 400), call: (who) => as(who, 'PATCH', '/admin/users/99999999/', { json: { clearance: 9 } }) },
      { name: 'GET admin/tokens', expect: s(401, 403, 403, 403, 403, 403, 200), call: (who) => as(who, 'GET', '/admin/tokens/') },
      { name: 'GET admin/oauth-clients', expect: s(401, 403, 403, 403, 403, 403, 200), call: (who) => as(who, 'GET', '/admin/oauth-clients/') },
      { name: 'GET admin/health', expect: s(401, 403, 403, 403, 403, 403, 200), call: (who) => as(who, 'GET', '/admin/health/') },
    ];
    assert.deepEqual(await wrongCells(CALLERS, rows), []);
  });
});
