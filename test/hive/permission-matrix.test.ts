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

  /** A submission the matrix's student handed in on the matrix's exercise. */
  const freshSubmission = async () =>
    (await server.services.submissions.submit({ id: studentId, username: studentName, clearance: 1 }, exerciseId, { files: [], answers: { q: 'a' } })).id;

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
      // The student's own submission: they and the checker see it, only staff delete it.
      { name: 'DELETE submission', expect: [401, 403, 403, 204, 204], request: async () => ({ method: 'delete', url: `/api/assay/v1/submissions/${await freshSubmission()}/` }) },
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

    // Classes and seating: the program's checker reads, staff write, students are refused.
    const freshClass = async () =>
      (await server.services.classes.create(await adminActor(server), { name: `C${Math.random()}`, program: world.program.id, users: [studentId] })).id;
    const freshSeat = async (classroom?: number) => (await server.services.seating.create(await adminActor(server), { classroom: classroom ?? (await freshClass()), x: 0, y: 0 })).id;
    /** A class with the matrix's student and one free seat for them. */
    const freshRoom = async () => {
      const id = await freshClass();
      await freshSeat(id);
      return id;
    };
    const classes = '/api/core/management/classes/';
    const seating = '/api/core/management/seating/';
    rows.push(
      { name: 'GET classes', expect: [401, 403, 200, 200, 200], request: async () => ({ method: 'get', url: classes }) },
      { name: 'GET class', expect: [401, 403, 200, 200, 200], request: async () => ({ method: 'get', url: `${classes}${await freshClass()}/` }) },
      {
        name: 'POST class',
        expect: [401, 403, 403, 201, 201],
        request: async () => ({ method: 'post', url: classes, options: { json: { name: `C${Math.random()}`, program: world.program.id, users: [] } } }),
      },
      { name: 'PATCH class', expect: [401, 403, 403, 200, 200], request: async () => ({ method: 'patch', url: `${classes}${await freshClass()}/`, options: { json: { type: 'Student Group' } } }) },
      { name: 'DELETE class', expect: [401, 403, 403, 204, 204], request: async () => ({ method: 'delete', url: `${classes}${await freshClass()}/` }) },
      { name: 'POST class queue', expect: [401, 403, 403, 200, 200], request: async () => ({ method: 'post', url: `${classes}${await freshClass()}/queue/`, options: { json: { queue: null } } }) },
      { name: 'POST class lesson', expect: [401, 403, 403, 200, 200], request: async () => ({ method: 'post', url: `${classes}${await freshClass()}/lesson/`, options: { json: { lesson: null } } }) },
      { name: 'POST class auto_seat', expect: [401, 403, 403, 200, 200], request: async () => ({ method: 'post', url: `${classes}${await freshRoom()}/auto_seat/` }) },
      {
        name: 'POST class unassign_override_queues',
        expect: [401, 403, 403, 200, 200],
        request: async () => ({ method: 'post', url: `${classes}${await freshClass()}/unassign_override_queues/` }),
      },
      { name: 'GET seating', expect: [401, 403, 200, 200, 200], request: async () => ({ method: 'get', url: seating }) },
      { name: 'GET seat', expect: [401, 403, 200, 200, 200], request: async () => ({ method: 'get', url: `${seating}${await freshSeat()}/` }) },
      { name: 'POST seat', expect: [401, 403, 403, 201, 201], request: async () => ({ method: 'post', url: seating, options: { json: { classroom: await freshClass(), x: 1, y: 1 } } }) },
      { name: 'PATCH seat', expect: [401, 403, 403, 200, 200], request: async () => ({ method: 'patch', url: `${seating}${await freshSeat()}/`, options: { json: { hostname: 'pc' } } }) },
      { name: 'DELETE seat', expect: [401, 403, 403, 204, 204], request: async () => ({ method: 'delete', url: `${seating}${await freshSeat()}/` }) },
      // Registration is off unless ASSAY_REGISTRATION_SECRET is set: refused for everyone.
      { name: 'POST register (off)', expect: [403, 403, 403, 403, 403], request: async () => ({ method: 'post', url: '/api/core/management/register/', options: { json: {} } }) },
    );

    // Queues: the program's checker reads, staff write, students are refused (they read their path on `me`).
    const freshQueue = async () => (await server.services.queues.create(await adminActor(server), { name: `Q${Math.random()}`, module: world.module.id })).id;
    const freshItem = async () => {
      const queueId = await freshQueue();
      const admin = await adminActor(server);
      const itemBody = { order: 0, set_nested_queue_id: null, set_module_id: null, queue_rule: 'Choose' as const, continue_on_redo: false, enabled: true, set_tags_id: [] };
      await server.services.queues.createItem(admin, queueId, { ...itemBody, set_exercise_id: exerciseId });
      const item = await server.services.queues.createItem(admin, queueId, { ...itemBody, set_exercise_id: null, set_module_id: world.module.id });
      return `/api/core/queues/${queueId}/items/${item.id}/`;
    };
    const queueItemBody = { order: 0, set_exercise_id: exerciseId, set_nested_queue_id: null, set_module_id: null, queue_rule: 'Wait For Done', enabled: true, set_tags_id: [] };
    rows.push(
      { name: 'GET queues', expect: [401, 403, 200, 200, 200], request: async () => ({ method: 'get', url: '/api/core/queues/' }) },
      { name: 'GET queue', expect: [401, 403, 200, 200, 200], request: async () => ({ method: 'get', url: `/api/core/queues/${await freshQueue()}/` }) },
      { name: 'POST queue', expect: [401, 403, 403, 201, 201], request: async () => ({ method: 'post', url: '/api/core/queues/', options: { json: { name: 'Q', module: world.module.id } } }) },
      { name: 'PUT queue', expect: [401, 403, 403, 200, 200], request: async () => ({ method: 'put', url: `/api/core/queues/${await freshQueue()}/`, options: { json: { name: 'R', module: world.module.id } } }) },
      { name: 'PATCH queue', expect: [401, 403, 403, 200, 200], request: async () => ({ method: 'patch', url: `/api/core/queues/${await freshQueue()}/`, options: { json: { description: 'd' } } }) },
      { name: 'DELETE queue', expect: [401, 403, 403, 204, 204], request: async () => ({ method: 'delete', url: `/api/core/queues/${await freshQueue()}/` }) },
      { name: 'POST queue duplicate', expect: [401, 403, 403, 200, 200], request: async () => ({ method: 'post', url: `/api/core/queues/${await freshQueue()}/duplicate/`, options: { json: { name: 'copy' } } }) },
      { name: 'POST queue delete_new', expect: [401, 403, 403, 200, 200], request: async () => ({ method: 'post', url: `/api/core/queues/${await freshQueue()}/delete_new/` }) },
      { name: 'GET queue items', expect: [401, 403, 200, 200, 200], request: async () => ({ method: 'get', url: `/api/core/queues/${await freshQueue()}/items/` }) },
      { name: 'GET queue item', expect: [401, 403, 200, 200, 200], request: async () => ({ method: 'get', url: await freshItem() }) },
      { name: 'POST queue item', expect: [401, 403, 403, 201, 201], request: async () => ({ method: 'post', url: `/api/core/queues/${await freshQueue()}/items/`, options: { json: queueItemBody } }) },
      { name: 'PUT queue item', expect: [401, 403, 403, 200, 200], request: async () => ({ method: 'put', url: await freshItem(), options: { json: queueItemBody } }) },
      { name: 'PATCH queue item', expect: [401, 403, 403, 200, 200], request: async () => ({ method: 'patch', url: await freshItem(), options: { json: { enabled: false } } }) },
      { name: 'DELETE queue item', expect: [401, 403, 403, 204, 204], request: async () => ({ method: 'delete', url: await freshItem() }) },
      { name: 'POST queue item move', expect: [401, 403, 403, 200, 200], request: async () => ({ method: 'post', url: `${await freshItem()}move/`, options: { json: { new_order: 0 } } }) },
      { name: 'POST queue item expand', expect: [401, 403, 403, 200, 200], request: async () => ({ method: 'post', url: `${await freshItem()}expand/` }) },
    );

    // Schedule: lessons and rules are staff planning (checkers read), colors and events are read by
    // everyone, staff write events (through /events/ and /kiosk/), checkers read the kiosk, daily_review is for staff.
    const freshLesson = async () => (await server.services.schedule.lessons.create(await adminActor(server), { name: `L${Math.random()}`, module_id: world.module.id })).id;
    const freshRule = async () => {
      const lessonId = await freshLesson();
      return `/api/core/schedule/lessons/${lessonId}/rules/${(await server.services.schedule.rules.create(await adminActor(server), lessonId, {})).id}/`;
    };
    const freshColor = async () => (await server.services.schedule.colors.create(await adminActor(server), { name: 'c', color: '#fff' })).id;
    /** An event for everyone on 2026-05-04, in the matrix's program (through its lesson). */
    const scheduleEvent = async () => {
      const lessonId = await freshLesson();
      await server.services.schedule.importCalendarText(
        `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:m\r\nBEGIN:VEVENT\r\nUID:matrix\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260504T090000Z\r\nDTEND:20260504T100000Z\r\nSUMMARY:Matrix\r\nX-ASSAY-LESSON:${lessonId}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n`,
      );
      return (await server.services.db.selectFrom('events').select('id').where('uid', '=', 'matrix').executeTakeFirstOrThrow()).id;
    };
    const lessons = '/api/core/schedule/lessons/';
    const eventBody = { start: '2026-05-04T09:00:00Z', end: '2026-05-04T10:00:00Z', type: 'עע' };
    rows.push(
      { name: 'GET lessons', expect: [401, 403, 200, 200, 200], request: async () => ({ method: 'get', url: lessons }) },
      { name: 'GET lesson', expect: [401, 403, 200, 200, 200], request: async () => ({ method: 'get', url: `${lessons}${await freshLesson()}/` }) },
      { name: 'POST lesson', expect: [401, 403, 403, 201, 201], request: async () => ({ method: 'post', url: lessons, options: { json: { name: 'L', module: world.module.id } } }) },
      { name: 'PATCH lesson', expect: [401, 403, 403, 200, 200], request: async () => ({ method: 'patch', url: `${lessons}${await freshLesson()}/`, options: { json: { name: 'M' } } }) },
      { name: 'DELETE lesson', expect: [401, 403, 403, 204, 204], request: async () => ({ method: 'delete', url: `${lessons}${await freshLesson()}/` }) },
      { name: 'GET lesson rules', expect: [401, 403, 200, 200, 200], request: async () => ({ method: 'get', url: `${lessons}${await freshLesson()}/rules/` }) },
      { name: 'GET lesson rule', expect: [401, 403, 200, 200, 200], request: async () => ({ method: 'get', url: await freshRule() }) },
      { name: 'POST lesson rule', expect: [401, 403, 403, 201, 201], request: async () => ({ method: 'post', url: `${lessons}${await freshLesson()}/rules/` }) },
      { name: 'PATCH lesson rule', expect: [401, 403, 403, 200, 200], request: async () => ({ method: 'patch', url: await freshRule(), options: { json: { queue: null } } }) },
      { name: 'DELETE lesson rule', expect: [401, 403, 403, 204, 204], request: async () => ({ method: 'delete', url: await freshRule() }) },
      { name: 'GET colors', expect: [401, 200, 200, 200, 200], request: async () => ({ method: 'get', url: '/api/core/schedule/colors/' }) },
      { name: 'GET color', expect: [401, 200, 200, 200, 200], request: async () => ({ method: 'get', url: `/api/core/schedule/colors/${await freshColor()}/` }) },
      { name: 'POST color', expect: [401, 403, 403, 201, 201], request: async () => ({ method: 'post', url: '/api/core/schedule/colors/', options: { json: { name: 'n', color: '#000' } } }) },
      { name: 'PUT color', expect: [401, 403, 403, 200, 200], request: async () => ({ method: 'put', url: `/api/core/schedule/colors/${await freshColor()}/`, options: { json: { name: 'n', color: '#111' } } }) },
      { name: 'DELETE color', expect: [401, 403, 403, 204, 204], request: async () => ({ method: 'delete', url: `/api/core/schedule/colors/${await freshColor()}/` }) },
      { name: 'GET events', expect: [401, 200, 200, 200, 200], request: async () => ({ method: 'get', url: '/api/core/schedule/events/' }) },
      { name: 'GET event', expect: [401, 200, 200, 200, 200], request: async () => ({ method: 'get', url: `/api/core/schedule/events/${await scheduleEvent()}/` }) },
      { name: 'POST event', expect: [401, 403, 403, 201, 201], request: async () => ({ method: 'post', url: '/api/core/schedule/events/', options: { json: eventBody } }) },
      { name: 'PATCH event', expect: [401, 403, 403, 200, 200], request: async () => ({ method: 'patch', url: `/api/core/schedule/events/${await scheduleEvent()}/`, options: { json: eventBody } }) },
      { name: 'GET kiosk', expect: [401, 403, 200, 200, 200], request: async () => ({ method: 'get', url: '/api/core/schedule/kiosk/' }) },
      { name: 'GET kiosk event', expect: [401, 403, 200, 200, 200], request: async () => ({ method: 'get', url: `/api/core/schedule/kiosk/${await scheduleEvent()}/` }) },
      { name: 'DELETE kiosk event', expect: [401, 403, 403, 204, 204], request: async () => ({ method: 'delete', url: `/api/core/schedule/kiosk/${await scheduleEvent()}/` }) },
      {
        name: 'POST daily_review',
        expect: [401, 403, 403, 200, 200],
        request: async () => {
          await scheduleEvent();
          return { method: 'post', url: '/api/core/schedule/daily_review/', options: { json: { date: '2026-05-04T12:00:00Z', show_lesson_names: true, hide_work_details: false } } };
        },
      },
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
