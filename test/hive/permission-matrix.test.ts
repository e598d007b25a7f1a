import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';
import { PASSWORD, actorClient, adminActor, login, makeCourseTree, makeExercise, makeStudent, makeUser } from '../helpers/fixtures.ts';
import type { Client, RequestOptions } from '../helpers/http.ts';
import { client } from '../helpers/http.ts';

/**
 * One row per route: what each caller gets. Callers: nobody (no token), a student of the program,
 * the program's checker (not an instructor), a staff member (Segel) and an admin. Writes run on
 * objects made fresh for each caller, so every cell is judged on its own.
 */
type Caller = 'anonymous' | 'student' | 'checker' | 'staff' | 'admin';
const CALLERS: Caller[] = ['anonymous', 'student', 'checker', 'staff', 'admin'];

interface Row {
  name: string;
  expect: [number, number, number, number, number];
  /** Builds the request (fresh objects if it writes). */
  request: (who: Caller) => Promise<{ method: 'get' | 'post' | 'put' | 'patch' | 'delete'; url: string; options?: RequestOptions }>;
}

describe('hive permission matrix (each clearance × each route)', () => {
  let server: TestServer;
  const api: Partial<Record<Caller, Client>> = {};
  let world: Awaited<ReturnType<typeof makeCourseTree>>;
  let exerciseId: number;
  let fieldId: number;
  let tagId: number;
  let studentId: number;
  let staffId: number;
  const rows: Row[] = [];

  const fresh = {
    tag: async () => (await api.admin!.post('/api/core/tags/', { json: { name: `t${Math.random()}`, color: '' } })).body.id as number,
    program: async () => (await server.services.programs.create(await adminActor(server), { name: `P${Math.random()}`, checker_id: world.checker.id })).id,
    subject: async () => (await server.services.subjects.create(await adminActor(server), { course_id: world.program.id, symbol: 'X', name: 'X', color: '' })).id,
    module: async () => (await server.services.modules.create(await adminActor(server), { subject_id: world.subject.id, name: 'M', order: '9' })).id,
    exercise: async () => (await makeExercise(server, world.module.id)).id,
    field: async () =>
      (
        await api.admin!.post(`/api/core/course/exercises/${exerciseId}/fields/`, {
          json: { name: 'f', type: 'text', order: 1, required: false, staff_responses: true, hanich_responses: true, has_value: true, segel_only: false },
        })
      ).body.id as number,
    student: async () => (await makeStudent(server, world.program.id)).id,
    /** An assignment of the matrix's student (on a fresh exercise: one assignment per student and exercise). */
    assignment: async (user = studentId) =>
      (await server.services.assignments.create(await adminActor(server), { user, exercise: (await makeExercise(server, world.module.id)).id, assignment_status: 'New' })).id,
    /** A response the matrix's student wrote on their own assignment; `file` attaches one. */
    response: async (type: 'Comment' | 'Submission' = 'Comment', file = false) => {
      const assignmentId = await fresh.assignment();
      const blob = file || type === 'Submission' ? await server.services.files.store(Buffer.from('print(2)\n')) : null;
      const student = { id: studentId, username: studentName, clearance: 1 as const };
      const r = await server.services.responses.create(student, assignmentId, { response_type: type, contents: [], ...(blob ? { file: blob, file_name: 'a.py' } : {}) });
      return `/api/core/assignments/${assignmentId}/responses/${r.id}/`;
    },
  };
  let studentName = '';
  /** A help thread the matrix's student opened for themselves. */
  const freshHelp = async () =>
    (await server.services.help.create({ id: studentId, username: studentName, clearance: 1 }, { user: studentId, title: 't', help_type: 'Exercise', exercise_id: null })).id;

  before(async () => {
    server = await startTestServer();
    world = await makeCourseTree(server);
    const student = await makeStudent(server, world.program.id);
    studentId = student.id;
    studentName = student.username;
    api.student = student.api;
    api.checker = client(server.app, await login(server, world.checker.username));
    const staff = await actorClient(server, 3);
    staffId = staff.id;
    api.staff = staff.api;
    api.admin = client(server.app, await login(server, (await makeUser(server, 5)).username));
    api.anonymous = client(server.app);
    const exercise = await makeExercise(server, world.module.id, { patbas: 'Never' });
    exerciseId = exercise.id;
    const blob = await server.services.files.store(Buffer.from('print(1)\n'));
    await server.services.exercises.replaceTree(await adminActor(server), exerciseId, 'handout', [{ path: 'main.py', blob }]);
    await server.services.exercises.replaceTree(await adminActor(server), exerciseId, 'solution', [{ path: 'main.py', blob }]);
    fieldId = await fresh.field();
    tagId = await fresh.tag();
    void PASSWORD;

    const ex = `/api/core/course/exercises/${exerciseId}/`;
    const exerciseBody = { name: 'E', parent_module: world.module.id, download: true, preview: 'Disabled', order: '1', tags: [], patbas: 'Never' };
    const fieldBody = { name: 'f2', type: 'number', order: 2, required: false, staff_responses: true, hanich_responses: true, has_value: true, segel_only: false };
    const userBody = () => ({ username: `u${Math.random().toString(36).slice(2)}`, clearance: 2, gender: 'Male', status: 'Present', mentees: [], password: 'pw' });
    rows.push(
      { name: 'GET tags', expect: [401, 200, 200, 200, 200], request: async () => ({ method: 'get', url: '/api/core/tags/' }) },
      { name: 'GET tag', expect: [401, 200, 200, 200, 200], request: async () => ({ method: 'get', url: `/api/core/tags/${tagId}/` }) },
      { name: 'POST tag', expect: [401, 403, 403, 201, 201], request: async () => ({ method: 'post', url: '/api/core/tags/', options: { json: { name: `n${Math.random()}`, color: '' } } }) },
      { name: 'PATCH tag', expect: [401, 403, 403, 200, 200], request: async () => ({ method: 'patch', url: `/api/core/tags/${await fresh.tag()}/`, options: { json: { color: '#fff' } } }) },
      { name: 'DELETE tag', expect: [401, 403, 403, 204, 204], request: async () => ({ method: 'delete', url: `/api/core/tags/${await fresh.tag()}/` }) },

      { name: 'GET programs', expect: [401, 200, 200, 200, 200], request: async () => ({ method: 'get', url: '/api/core/course/programs/' }) },
      { name: 'GET program', expect: [401, 200, 200, 200, 200], request: async () => ({ method: 'get', url: `/api/core/course/programs/${world.program.id}/` }) },
      {
        name: 'POST program',
        expect: [401, 403, 403, 201, 201],
        request: async () => ({ method: 'post', url: '/api/core/course/programs/', options: { json: { name: `P${Math.random()}`, checker: world.checker.id } } }),
      },
      { name: 'PATCH program', expect: [401, 403, 403, 200, 200], request: async () => ({ method: 'patch', url: `/api/core/course/programs/${world.program.id}/`, options: { json: { auto_room: true } } }) },
      // View-level permission comes before the lookup (DRF order), so a student gets 403 even for a
      // program it cannot see; reading it is what answers 404 (next row).
      { name: 'DELETE program', expect: [401, 403, 403, 204, 204], request: async () => ({ method: 'delete', url: `/api/core/course/programs/${await fresh.program()}/` }) },
      { name: 'GET unseen program', expect: [401, 404, 200, 200, 200], request: async () => ({ method: 'get', url: `/api/core/course/programs/${await fresh.program()}/` }) },
      { name: 'GET subjects', expect: [401, 200, 200, 200, 200], request: async () => ({ method: 'get', url: '/api/core/course/subjects/' }) },
      {
        name: 'POST subject',
        expect: [401, 403, 403, 201, 201],
        request: async () => ({ method: 'post', url: '/api/core/course/subjects/', options: { json: { symbol: 'N', parent_program: world.program.id, color: '', name: 'N' } } }),
      },
      { name: 'PUT subject', expect: [401, 403, 403, 200, 200], request: async () => ({ method: 'put', url: `/api/core/course/subjects/${await fresh.subject()}/`, options: { json: { symbol: 'Q', parent_program: world.program.id, color: '', name: 'Q' } } }) },
      { name: 'DELETE subject', expect: [401, 403, 403, 204, 204], request: async () => ({ method: 'delete', url: `/api/core/course/subjects/${await fresh.subject()}/` }) },
      { name: 'GET modules', expect: [401, 200, 200, 200, 200], request: async () => ({ method: 'get', url: '/api/core/course/modules/' }) },
      { name: 'POST module', expect: [401, 403, 403, 201, 201], request: async () => ({ method: 'post', url: '/api/core/course/modules/', options: { json: { name: 'N', parent_subject: world.subject.id, order: '1' } } }) },
      { name: 'PATCH module', expect: [401, 403, 403, 200, 200], request: async () => ({ method: 'patch', url: `/api/core/course/modules/${await fresh.module()}/`, options: { json: { order: '2' } } }) },
      { name: 'DELETE module', expect: [401, 403, 403, 204, 204], request: async () => ({ method: 'delete', url: `/api/core/course/modules/${await fresh.module()}/` }) },

      { name: 'GET exercises', expect: [401, 200, 200, 200, 200], request: async () => ({ method: 'get', url: '/api/core/course/exercises/' }) },
      { name: 'GET exercise', expect: [401, 200, 200, 200, 200], request: async () => ({ method: 'get', url: ex }) },
      { name: 'POST exercise', expect: [401, 403, 403, 201, 201], request: async () => ({ method: 'post', url: '/api/core/course/exercises/', options: { json: exerciseBody } }) },
      { name: 'PATCH exercise', expect: [401, 403, 403, 200, 200], request: async () => ({ method: 'patch', url: `/api/core/course/exercises/${await fresh.exercise()}/`, options: { json: { order: '5' } } }) },
      { name: 'DELETE exercise', expect: [401, 403, 403, 204, 204], request: async () => ({ method: 'delete', url: `/api/core/course/exercises/${await fresh.exercise()}/` }) },
      { name: 'GET student_files', expect: [401, 200, 200, 200, 200], request: async () => ({ method: 'get', url: `${ex}student_files/` }) },
      // PATBAS policy Never: staff side only.
      { name: 'GET patbas_files', expect: [401, 403, 200, 200, 200], request: async () => ({ method: 'get', url: `${ex}patbas_files/` }) },
      { name: 'POST notify_students', expect: [401, 403, 200, 200, 200], request: async () => ({ method: 'post', url: `${ex}notify_students/`, options: { json: { contents: [], response_type: 'Comment' } } }) },

      { name: 'GET fields', expect: [401, 200, 200, 200, 200], request: async () => ({ method: 'get', url: `${ex}fields/` }) },
      { name: 'GET field', expect: [401, 200, 200, 200, 200], request: async () => ({ method: 'get', url: `${ex}fields/${fieldId}/` }) },
      { name: 'POST field', expect: [401, 403, 403, 201, 201], request: async () => ({ method: 'post', url: `${ex}fields/`, options: { json: fieldBody } }) },
      { name: 'PATCH field', expect: [401, 403, 403, 200, 200], request: async () => ({ method: 'patch', url: `${ex}fields/${await fresh.field()}/`, options: { json: { order: 7 } } }) },
      { name: 'DELETE field', expect: [401, 403, 403, 204, 204], request: async () => ({ method: 'delete', url: `${ex}fields/${await fresh.field()}/` }) },
      { name: 'POST field duplicate', expect: [401, 403, 403, 200, 200], request: async () => ({ method: 'post', url: `${ex}fields/${fieldId}/duplicate/`, options: { json: { name: 'copy' } } }) },
      { name: 'GET list_with_top_results', expect: [401, 403, 200, 200, 200], request: async () => ({ method: 'get', url: `${ex}fields/list_with_top_results/` }) },

      { name: 'GET users', expect: [401, 200, 200, 200, 200], request: async () => ({ method: 'get', url: '/api/core/management/users/' }) },
      // A student sees only itself: another account is "not found".
      { name: 'GET other user', expect: [401, 404, 200, 200, 200], request: async () => ({ method: 'get', url: `/api/core/management/users/${staffId}/` }) },
      { name: 'GET a student', expect: [401, 200, 200, 200, 200], request: async () => ({ method: 'get', url: `/api/core/management/users/${studentId}/` }) },
      { name: 'POST user', expect: [401, 403, 403, 201, 201], request: async () => ({ method: 'post', url: '/api/core/management/users/', options: { json: userBody() } }) },
      { name: 'PATCH user', expect: [401, 403, 403, 200, 200], request: async () => ({ method: 'patch', url: `/api/core/management/users/${await fresh.student()}/`, options: { json: { first_name: 'New' } } }) },
      { name: 'DELETE user', expect: [401, 403, 403, 204, 204], request: async () => ({ method: 'delete', url: `/api/core/management/users/${await fresh.student()}/` }) },
      { name: 'GET me', expect: [401, 200, 200, 200, 200], request: async () => ({ method: 'get', url: '/api/core/management/users/me/' }) },
      { name: 'PATCH me', expect: [401, 200, 200, 200, 200], request: async () => ({ method: 'patch', url: '/api/core/management/users/me/', options: { json: { status: 'Raised Hand' } } }) },
      { name: 'PUT check_in', expect: [401, 200, 200, 200, 200], request: async () => ({ method: 'put', url: '/api/core/management/users/check_in/' }) },

      { name: 'POST token (public)', expect: [401, 401, 401, 401, 401], request: async () => ({ method: 'post', url: '/api/core/token/', options: { json: { username: 'nobody', password: 'x' } } }) },
      { name: 'GET time (public)', expect: [200, 200, 200, 200, 200], request: async () => ({ method: 'get', url: '/api/core/time/' }) },
      { name: 'POST assay token', expect: [401, 201, 201, 201, 201], request: async () => ({ method: 'post', url: '/api/assay/v1/tokens/', options: { json: { name: 'cli' } } }) },
      { name: 'GET assay tokens', expect: [401, 200, 200, 200, 200], request: async () => ({ method: 'get', url: '/api/assay/v1/tokens/' }) },
      { name: 'GET exercise files', expect: [401, 403, 403, 200, 200], request: async () => ({ method: 'get', url: `/api/assay/v1/exercises/${exerciseId}/files/handout/` }) },
      // No grader yet: those who may manage it learn so (404); the others are refused first (403).
      { name: 'GET grader', expect: [401, 403, 403, 404, 404], request: async () => ({ method: 'get', url: `/api/assay/v1/exercises/${exerciseId}/grader/` }) },
      { name: 'GET submissions', expect: [401, 200, 200, 200, 200], request: async () => ({ method: 'get', url: `/api/assay/v1/exercises/${exerciseId}/submissions/` }) },
      { name: 'POST submission', expect: [401, 201, 201, 201, 201], request: async () => ({ method: 'post', url: `/api/assay/v1/exercises/${exerciseId}/submissions/`, options: { json: { answers: { q: 'a' } } } }) },
      { name: 'POST rerun', expect: [401, 403, 403, 200, 200], request: async () => ({ method: 'post', url: `/api/assay/v1/exercises/${exerciseId}/rerun/` }) },

      { name: 'GET assignments', expect: [401, 200, 200, 200, 200], request: async () => ({ method: 'get', url: '/api/core/assignments/' }) },
      { name: 'GET own assignment', expect: [401, 200, 200, 200, 200], request: async () => ({ method: 'get', url: `/api/core/assignments/${await fresh.assignment()}/` }) },
      { name: "GET another's assignment", expect: [401, 404, 200, 200, 200], request: async () => ({ method: 'get', url: `/api/core/assignments/${await fresh.assignment(await fresh.student())}/` }) },
      {
        name: 'POST assignment',
        expect: [401, 403, 201, 201, 201],
        request: async () => ({ method: 'post', url: '/api/core/assignments/', options: { json: { user: await fresh.student(), exercise: exerciseId, assignment_status: 'New' } } }),
      },
      { name: 'PATCH assignment', expect: [401, 403, 200, 200, 200], request: async () => ({ method: 'patch', url: `/api/core/assignments/${await fresh.assignment()}/`, options: { json: { flagged: true } } }) },
      { name: 'DELETE assignment', expect: [401, 403, 403, 204, 204], request: async () => ({ method: 'delete', url: `/api/core/assignments/${await fresh.assignment()}/` }) },
      { name: 'PUT assignment lock', expect: [401, 403, 200, 200, 200], request: async () => ({ method: 'put', url: `/api/core/assignments/${await fresh.assignment()}/lock/` }) },
      { name: 'PUT assignment unlock', expect: [401, 403, 200, 200, 200], request: async () => ({ method: 'put', url: `/api/core/assignments/${await fresh.assignment()}/unlock/` }) },
      { name: 'PUT assignment subscribe', expect: [401, 200, 200, 200, 200], request: async () => ({ method: 'put', url: `/api/core/assignments/${await fresh.assignment()}/subscribe/` }) },
      { name: 'GET assignments latest', expect: [401, 403, 200, 200, 200], request: async () => ({ method: 'get', url: '/api/core/assignments/latest/' }) },
      { name: 'GET responses', expect: [401, 200, 200, 200, 200], request: async () => ({ method: 'get', url: `/api/core/assignments/${await fresh.assignment()}/responses/` }) },
      {
        name: 'POST Comment response',
        expect: [401, 201, 201, 201, 201],
        request: async () => ({ method: 'post', url: `/api/core/assignments/${await fresh.assignment()}/responses/`, options: { json: { response_type: 'Comment', contents: [] } } }),
      },
      {
        name: 'POST Done response',
        expect: [401, 403, 201, 201, 201],
        request: async () => ({ method: 'post', url: `/api/core/assignments/${await fresh.assignment()}/responses/`, options: { json: { response_type: 'Done', contents: [] } } }),
      },
      // The student wrote it: its author and staff may change it, a checker may not.
      { name: 'PATCH response', expect: [401, 200, 403, 200, 200], request: async () => ({ method: 'patch', url: await fresh.response(), options: { json: { dear_student: false } } }) },
      { name: 'DELETE response', expect: [401, 204, 403, 204, 204], request: async () => ({ method: 'delete', url: await fresh.response() }) },
      { name: 'GET response student_files', expect: [401, 200, 200, 200, 200], request: async () => ({ method: 'get', url: `${await fresh.response('Comment', true)}student_files/` }) },
      { name: 'POST rerun_autochecks', expect: [401, 403, 200, 200, 200], request: async () => ({ method: 'post', url: `${await fresh.response('Submission')}rerun_autochecks/` }) },
      { name: 'GET helps', expect: [401, 200, 200, 200, 200], request: async () => ({ method: 'get', url: '/api/core/help/' }) },
      { name: 'GET own help', expect: [401, 200, 200, 200, 200], request: async () => ({ method: 'get', url: `/api/core/help/${await freshHelp()}/` }) },
      {
        name: 'POST help for the student',
        expect: [401, 201, 201, 201, 201],
        request: async () => ({ method: 'post', url: '/api/core/help/', options: { json: { user: studentId, title: 'stuck', help_type: 'Exercise', exercise_id: exerciseId } } }),
      },
      {
        name: 'POST Chat help',
        expect: [401, 403, 403, 201, 201],
        request: async () => ({ method: 'post', url: '/api/core/help/', options: { json: { user: studentId, title: 'chat', help_type: 'Chat', exercise_id: null } } }),
      },
      { name: 'PUT help lock', expect: [401, 403, 200, 200, 200], request: async () => ({ method: 'put', url: `/api/core/help/${await freshHelp()}/lock/` }) },
      { name: 'GET help latest', expect: [401, 403, 200, 200, 200], request: async () => ({ method: 'get', url: '/api/core/help/latest/' }) },
      {
        name: 'POST help response',
        expect: [401, 201, 201, 201, 201],
        request: async () => ({ method: 'post', url: `/api/core/help/${await freshHelp()}/responses/`, options: { json: { response_type: 'Comment', contents: 'hello' } } }),
      },
      { name: 'GET notifications', expect: [401, 200, 200, 200, 200], request: async () => ({ method: 'get', url: '/api/core/notification/' }) },
      { name: 'POST notification', expect: [401, 403, 201, 201, 201], request: async () => ({ method: 'post', url: '/api/core/notification/', options: { json: { user: studentId, comment: 'hi' } } }) },
    );
  });
  after(() => server.close());

  it('answers every caller of every route as the policy says', async () => {
    const wrong: string[] = [];
    for (const row of rows) {
      for (const [i, who] of CALLERS.entries()) {
        const { method, url, options } = await row.request(who);
        const res = await api[who]![method](url, options);
        if (res.status !== row.expect[i]) wrong.push(`${row.name} as ${who}: ${res.status} (expected ${row.expect[i]}) ${res.text.slice(0, 120)}`);
      }
    }
    assert.deepEqual(wrong, []);
    assert.ok(rows.length >= 45);
  });
});
