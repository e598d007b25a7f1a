import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';
import { actorClient, adminActor, login, makeCast, makeExercise, makeStudent } from '../helpers/fixtures.ts';
import type { Client } from '../helpers/http.ts';
import { client } from '../helpers/http.ts';

const ASSIGNMENT_KEYS = [
  'assignment_status', 'checker', 'checker_first_name', 'checker_last_name', 'description', 'exercise', 'flagged', 'id', 'is_subscribed',
  'last_staff_updated', 'manual_check_count', 'notifications', 'patbas', 'student_assignment_status', 'submission_count', 'timer',
  'total_check_count', 'user', 'work_time',
].sort();
const RESPONSE_KEYS = ['autocheck_statuses', 'contents', 'date', 'dear_student', 'file_name', 'hide_checker_name', 'id', 'response_type', 'segel_only', 'user'].sort();

const MAX_UPLOAD = 64 * 1024;

function upload(fields: Record<string, string>, file?: { name: string; data: Buffer }): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  if (file) form.append('file', new Blob([new Uint8Array(file.data)]), file.name);
  return form;
}

describe('hive /assignments/ and their responses', () => {
  let server: TestServer;
  let cast: Awaited<ReturnType<typeof makeCast>>;
  let checker2: Client;
  let checker2Id: number;
  let exerciseId: number;
  let otherExerciseId: number;
  const field: Record<string, number> = {};
  let student: Awaited<ReturnType<typeof makeStudent>>;

  before(async () => {
    server = await startTestServer({ env: { ASSAY_MAX_UPLOAD_BYTES: String(MAX_UPLOAD) } });
    cast = await makeCast(server, 'Assignments A', 'Assignments B');
    const admin = await adminActor(server);
    const second = await actorClient(server, 2);
    await server.services.programs.enroll(admin, cast.A.program.id, second.id, 'checker');
    checker2 = second.api;
    checker2Id = second.id;
    const exercise = await makeExercise(server, cast.A.module.id, { patbas: 'On Done' });
    exerciseId = exercise.id;
    otherExerciseId = (await makeExercise(server, cast.A.module.id)).id;
    field.foreign = (await server.services.fields.create(admin, otherExerciseId, { name: 'elsewhere', type: 'text' } as never)).id;
    const make = async (name: string, input: object) => (field[name] = (await server.services.fields.create(admin, exerciseId, { name, ...input } as never)).id);
    await make('answer', { type: 'text', required: true, upper_limit: 20 });
    await make('minutes', { type: 'number', lower_limit: 0, upper_limit: 600 });
    await make('language', { type: 'multiple', choices: ['python', 'c'] });
    await make('grade', { type: 'number', staff_responses: true, hanich_responses: false, segel_only: true });
    student = await makeStudent(server, cast.A.program.id);
  });
  after(() => server.close());

  async function newAssignment(user: number, exercise = exerciseId) {
    const res = await cast.checkerA.post('/api/core/assignments/', { json: { user, exercise, assignment_status: 'New' } });
    assert.equal(res.status, 201, res.text);
    return res.body;
  }

  it('creates an assignment with user and exercise, with every key of the schema', async () => {
    const s = await makeStudent(server, cast.A.program.id);
    const created = await newAssignment(s.id);
    assert.deepEqual(Object.keys(created).sort(), ASSIGNMENT_KEYS);
    assert.equal(created.user, s.id);
    assert.equal(created.exercise, exerciseId);
    assert.equal(created.assignment_status, 'New');
    assert.equal(created.student_assignment_status, 'New');
    assert.equal(created.checker, null);
    assert.equal(created.checker_first_name, '');
    assert.equal(created.patbas, false);
    assert.deepEqual(created.notifications, []);
    assert.match(created.last_staff_updated, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);

    const again = await cast.checkerA.post('/api/core/assignments/', { json: { user: s.id, exercise: exerciseId, assignment_status: 'New' } });
    assert.equal(again.status, 400);
    assert.deepEqual(again.body.errors, [{ code: 'unique', detail: 'The fields user, exercise must make a unique set.', attr: 'non_field_errors' }]);

    const missing = await cast.checkerA.post('/api/core/assignments/', { json: { assignment_status: 'New' } });
    assert.equal(missing.status, 400);
    assert.deepEqual(missing.body.errors.map((e: { attr: string; code: string }) => `${e.attr}:${e.code}`).sort(), ['exercise:required', 'user:required']);

    const unknown = await cast.checkerA.post('/api/core/assignments/', { json: { user: 999999, exercise: 999999, assignment_status: 'Nope' } });
    assert.equal(unknown.status, 400);
    assert.deepEqual(unknown.body.errors.map((e: { attr: string }) => e.attr).sort(), ['assignment_status']);
    const unknownRefs = await cast.checkerA.post('/api/core/assignments/', { json: { user: 999999, exercise: 999999, assignment_status: 'New' } });
    assert.deepEqual(unknownRefs.body.errors.map((e: { attr: string; code: string }) => `${e.attr}:${e.code}`).sort(), ['exercise:does_not_exist', 'user:does_not_exist']);

    assert.equal((await student.api.post('/api/core/assignments/', { json: { user: student.id, exercise: exerciseId, assignment_status: 'New' } })).status, 403);
  });

  it("refuses an assignment on a course's exercise for a student of another course, whoever asks", async () => {
    const outsider = await makeStudent(server, cast.B.program.id);
    const outside = { user: outsider.id, exercise: exerciseId, assignment_status: 'New' };
    const expected = [{ code: 'invalid', detail: "The user is not enrolled in the exercise's course.", attr: 'user' }];
    const byChecker = await cast.checkerA.post('/api/core/assignments/', { json: outside });
    assert.equal(byChecker.status, 400, byChecker.text);
    assert.deepEqual(byChecker.body.errors, expected);
    const byAdmin = await cast.admin.post('/api/core/assignments/', { json: outside });
    assert.equal(byAdmin.status, 400, byAdmin.text);
    assert.deepEqual(byAdmin.body.errors, expected);
    const seen = await server.services.db.selectFrom('assignments').select('id').where('user_id', '=', outsider.id).execute();
    assert.deepEqual(seen, []);
    // An enrolment in the exercise's course is enough, besides the program.
    await server.services.programs.enroll(await adminActor(server), cast.A.program.id, outsider.id, 'student');
    assert.equal((await cast.checkerA.post('/api/core/assignments/', { json: outside })).status, 201);
  });

  it('runs the whole lifecycle: submit, lock, Redo, resubmit, Done, with notifications for subscribers', async () => {
    const assignment = await newAssignment(student.id);
    const url = `/api/core/assignments/${assignment.id}`;

    // The second checker follows the thread; the student owns it.
    assert.equal((await checker2.put(`${url}/subscribe/`, { json: {} })).status, 200);
    assert.equal((await checker2.get(`${url}/`)).body.is_subscribed, true);
    assert.equal((await cast.checkerA.get(`${url}/`)).body.is_subscribed, false);

    const firstFile = Buffer.from('print("hello")\n');
    const submitted = await student.api.post(`${url}/responses/`, {
      multipart: upload({ response_type: 'Submission', 'contents[0]field': String(field.answer), 'contents[0]content': 'forty-two', 'contents[1]field': String(field.minutes), 'contents[1]content': '15' }, { name: 'main.py', data: firstFile }),
    });
    assert.equal(submitted.status, 201, submitted.text);
    assert.deepEqual(Object.keys(submitted.body).sort(), RESPONSE_KEYS);
    assert.equal(submitted.body.file_name, 'main.py');
    assert.equal(submitted.body.user, student.id);
    assert.deepEqual(submitted.body.contents, [{ content: 'forty-two', field: field.answer }, { content: '15', field: field.minutes }]);
    assert.ok(Array.isArray(submitted.body.autocheck_statuses), 'a submission has an autocheck timeline');

    let state = (await cast.checkerA.get(`${url}/`)).body;
    assert.equal(state.assignment_status, 'Submitted');
    assert.equal(state.submission_count, 1);

    // Checker A claims it; the second checker can neither claim it nor grade it.
    assert.equal((await cast.checkerA.put(`${url}/lock/`, { json: {} })).status, 200);
    assert.equal((await cast.checkerA.put(`${url}/lock/`)).status, 200, 'locking again is a no-op');
    const refused = await checker2.put(`${url}/lock/`, { json: {} });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.type, 'client_error');
    assert.equal(refused.body.errors[0].code, 'permission_denied');
    const grabbed = await checker2.post(`${url}/responses/`, { json: { response_type: 'Redo', contents: [] } });
    assert.equal(grabbed.status, 403);
    assert.equal((await checker2.post(`${url}/responses/`, { json: { response_type: 'Comment', contents: [] } })).status, 201, 'a comment is not a verdict');
    state = (await cast.checkerA.get(`${url}/`)).body;
    assert.equal(state.checker, cast.A.checker.id);
    assert.equal(state.checker_last_name, cast.A.checker.last_name);
    assert.equal((await student.api.put(`${url}/lock/`)).status, 403);

    const redo = await cast.checkerA.post(`${url}/responses/`, { json: { response_type: 'Redo', contents: [{ field: field.grade, content: '40' }] } });
    assert.equal(redo.status, 201, redo.text);
    state = (await cast.checkerA.get(`${url}/`)).body;
    assert.equal(state.assignment_status, 'Redo');
    assert.equal(state.total_check_count, 1);
    assert.equal(state.manual_check_count, 1);
    assert.equal(state.patbas, false);

    // The student resubmits, this time with contents as one JSON-encoded field.
    const second = await student.api.post(`${url}/responses/`, {
      multipart: upload({ response_type: 'Submission', contents: JSON.stringify([{ field: field.answer, content: 'forty-three' }]), file_name: 'fixed.py' }, { name: 'ignored.py', data: Buffer.from('x = 43\n') }),
    });
    assert.equal(second.status, 201, second.text);
    assert.equal(second.body.file_name, 'fixed.py');
    assert.deepEqual(second.body.contents, [{ content: 'forty-three', field: field.answer }]);

    const done = await cast.checkerA.post(`${url}/responses/`, { json: { response_type: 'Done', contents: [] } });
    assert.equal(done.status, 201);
    const seen = (await student.api.get(`${url}/`)).body;
    assert.equal(seen.assignment_status, 'Done');
    assert.equal(seen.submission_count, 2);
    assert.equal(seen.total_check_count, 2);
    assert.equal(seen.manual_check_count, 2);
    assert.equal(seen.patbas, true, 'On Done: the solution opens once the work is Done');
    assert.ok(seen.last_staff_updated > assignment.last_staff_updated);

    // The student (owner) heard of every staff response; the subscriber of every response but their own.
    const mine = await server.services.db.selectFrom('notifications').select(['response_type', 'from_user_id']).where('for_user_id', '=', student.id).where('assignment_id', '=', assignment.id).orderBy('id').execute();
    assert.deepEqual(mine.map((n) => n.response_type), ['Comment', 'Redo', 'Done']);
    const subscriber = await server.services.db.selectFrom('notifications').select(['response_type', 'from_user_id']).where('for_user_id', '=', checker2Id).orderBy('id').execute();
    assert.deepEqual(subscriber.map((n) => n.response_type), ['Submission', 'Redo', 'Submission', 'Done']);
    assert.ok(subscriber.every((n) => n.from_user_id !== checker2Id));
    // The nested form shows the caller's unread ones.
    assert.equal((await student.api.get(`${url}/`)).body.notifications.length, 3);

    // Unlock: the holder may; then the second checker can lock.
    assert.equal((await checker2.put(`${url}/unlock/`)).status, 403);
    assert.equal((await cast.checkerA.put(`${url}/unlock/`)).status, 200);
    assert.equal((await checker2.put(`${url}/lock/`)).status, 200);
    assert.equal((await cast.staff.put(`${url}/lock/`)).status, 200, 'staff take over');
    assert.equal((await cast.staff.get(`${url}/`)).body.checker !== checker2Id, true);
    assert.equal((await checker2.put(`${url}/unsubscribe/`)).status, 200);
    assert.equal((await checker2.get(`${url}/`)).body.is_subscribed, false);
  });

  it('stores the uploaded file and gives it back byte for byte', async () => {
    const s = await makeStudent(server, cast.A.program.id);
    const assignment = await newAssignment(s.id);
    const data = Buffer.alloc(40_000);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7919) % 256;
    const posted = await s.api.post(`/api/core/assignments/${assignment.id}/responses/`, {
      multipart: upload({ response_type: 'Work In Progress', contents: '[]' }, { name: 'דוח final.bin', data }),
    });
    assert.equal(posted.status, 201, posted.text);
    const got = await s.api.get(`/api/core/assignments/${assignment.id}/responses/${posted.body.id}/student_files/`);
    assert.equal(got.status, 200);
    assert.equal(got.headers['content-type'], 'application/octet-stream');
    assert.ok(got.raw.equals(data));
    assert.equal(got.headers['content-disposition'], `attachment; filename="___ final.bin"; filename*=UTF-8''${encodeURIComponent('דוח final.bin')}`);
    assert.equal((await cast.checkerA.get(`/api/core/assignments/${assignment.id}/`)).body.assignment_status, 'Work In Progress');

    const comment = await s.api.post(`/api/core/assignments/${assignment.id}/responses/`, { json: { response_type: 'Comment', contents: [] } });
    assert.equal((await s.api.get(`/api/core/assignments/${assignment.id}/responses/${comment.body.id}/student_files/`)).status, 404);

    // PATCH with JSON keeps the file; a new upload replaces it.
    const patched = await s.api.patch(`/api/core/assignments/${assignment.id}/responses/${posted.body.id}/`, { json: { dear_student: false } });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.file_name, 'דוח final.bin');
    assert.ok((await s.api.get(`/api/core/assignments/${assignment.id}/responses/${posted.body.id}/student_files/`)).raw.equals(data));
  });

  it('unpacks a zipped submission into the graded files', async () => {
    const s = await makeStudent(server, cast.A.program.id);
    const assignment = await newAssignment(s.id);
    const yazl = (await import('yazl')).default;
    const zip = new yazl.ZipFile();
    zip.addBuffer(Buffer.from('a'), 'src/a.py');
    zip.addBuffer(Buffer.from('bb'), 'b.txt');
    zip.end();
    const chunks: Buffer[] = [];
    for await (const c of zip.outputStream) chunks.push(c as Buffer);
    const posted = await s.api.post(`/api/core/assignments/${assignment.id}/responses/`, {
      multipart: upload({ response_type: 'Submission', contents: JSON.stringify([{ field: field.answer, content: 'x' }]) }, { name: 'work.zip', data: Buffer.concat(chunks) }),
    });
    assert.equal(posted.status, 201, posted.text);
    const submission = await server.services.db.selectFrom('submissions').select('tree_id').where('response_id', '=', posted.body.id).executeTakeFirstOrThrow();
    const entries = await server.services.files.treeEntries(submission.tree_id!);
    assert.deepEqual(entries.map((e) => [e.path, e.size]), [['src/a.py', 1], ['b.txt', 2]]);
    const job = await server.services.db.selectFrom('grading_jobs').select(['kind', 'response_id']).where('response_id', '=', posted.body.id).execute();
    assert.deepEqual(job, [{ kind: 'submission', response_id: posted.body.id }]);
  });

  it('validates contents against the exercise fields and refuses what the caller may not post', async () => {
    const s = await makeStudent(server, cast.A.program.id);
    const assignment = await newAssignment(s.id);
    const url = `/api/core/assignments/${assignment.id}/responses/`;
    const post = (body: object) => s.api.post(url, { json: body });
    const problems = async (body: object) => {
      const res = await post(body);
      assert.equal(res.status, 400, res.text);
      return res.body.errors.map((e: { attr: string; code: string }) => `${e.attr}:${e.code}`);
    };
    assert.deepEqual(await problems({ response_type: 'Comment', contents: [{ field: 999999, content: 'x' }] }), ['contents.0.field:does_not_exist']);
    assert.deepEqual(await problems({ response_type: 'Comment', contents: [{ field: field.foreign, content: 'x' }] }), ['contents.0.field:does_not_exist']);
    assert.deepEqual(await problems({ response_type: 'Comment', contents: [{ field: field.minutes, content: 'abc' }] }), ['contents.0.content:invalid']);
    assert.deepEqual(await problems({ response_type: 'Comment', contents: [{ field: field.minutes, content: '601' }] }), ['contents.0.content:invalid']);
    assert.deepEqual(await problems({ response_type: 'Comment', contents: [{ field: field.language, content: 'rust' }] }), ['contents.0.content:invalid']);
    assert.deepEqual(await problems({ response_type: 'Comment', contents: [{ field: field.answer, content: 'x'.repeat(21) }] }), ['contents.0.content:invalid']);
    assert.deepEqual(await problems({ response_type: 'Comment', contents: [{ field: field.grade, content: '1' }] }), ['contents.0.field:does_not_exist'], 'a staff-only field is not even visible');
    assert.deepEqual(await problems({ response_type: 'Submission', contents: [] }), ['contents:required']);
    assert.deepEqual(await problems({ response_type: 'Comment', contents: 'nope' }), ['contents:not_a_list']);
    assert.deepEqual(await problems({ response_type: 'Graded', contents: [] }), ['response_type:invalid_choice']);
    assert.deepEqual(await problems({ response_type: 'Comment', contents: [{ field: 'one', content: 'x' }] }), ['contents.0.field:invalid']);
    assert.deepEqual(await problems({ response_type: 'Comment' }), ['contents:required']);
    assert.deepEqual(await problems({ response_type: 'Comment', contents: [], file_name: 'x'.repeat(256) }), ['file_name:max_length']);
    const parse = await s.api.post(url, { raw: '{"response_type":', headers: { 'content-type': 'application/json' } });
    assert.equal(parse.status, 400);
    assert.equal(parse.body.errors[0].code, 'parse_error');

    // Students may not grade.
    assert.equal((await post({ response_type: 'Done', contents: [] })).status, 403);
    assert.equal((await post({ response_type: 'AutoCheck', contents: [] })).status, 403);
    // Nothing half-written: the assignment is as it was.
    const after = (await cast.checkerA.get(`/api/core/assignments/${assignment.id}/`)).body;
    assert.equal(after.assignment_status, 'New');
    assert.deepEqual((await cast.checkerA.get(url)).body, []);

    // Oversize upload: 413, and no response.
    const big = await s.api.post(url, { multipart: upload({ response_type: 'Submission', contents: '[]' }, { name: 'big.bin', data: Buffer.alloc(MAX_UPLOAD + 1) }) });
    assert.equal(big.status, 413);
    assert.deepEqual((await cast.checkerA.get(url)).body, []);
  });

  it('keeps students to their own assignments and hides staff-only responses from them', async () => {
    const assignment = await newAssignment(student.id, otherExerciseId);
    const url = `/api/core/assignments/${assignment.id}`;
    // Another student, or a checker of another program: not found.
    assert.equal((await cast.studentB.get(`${url}/`)).status, 404);
    assert.equal((await cast.studentB.post(`${url}/responses/`, { json: { response_type: 'Comment', contents: [] } })).status, 404);
    assert.equal((await cast.otherChecker.get(`${url}/`)).status, 404);
    assert.equal((await cast.otherChecker.put(`${url}/lock/`)).status, 404);
    assert.ok(!(await cast.studentB.get('/api/core/assignments/')).body.some((a: { id: number }) => a.id === assignment.id));
    assert.ok((await student.api.get('/api/core/assignments/')).body.every((a: { user: number }) => a.user === student.id));

    const secret = await cast.checkerA.post(`${url}/responses/`, { json: { response_type: 'Comment', contents: [], segel_only: true } });
    const hidden = await cast.checkerA.post(`${url}/responses/`, { json: { response_type: 'Comment', contents: [], hide_checker_name: true } });
    const list = (await student.api.get(`${url}/responses/`)).body;
    assert.deepEqual(list.map((r: { id: number }) => r.id), [hidden.body.id]);
    assert.equal((await student.api.get(`${url}/responses/${secret.body.id}/`)).status, 404);
    const system = await server.services.systemUser.id();
    assert.equal(list[0].user, system, 'a hidden checker reads as the autocheck account');
    assert.equal((await cast.staff.get(`${url}/responses/${hidden.body.id}/`)).body.user, cast.A.checker.id);
    const notified = await server.services.db.selectFrom('notifications').select('id').where('for_user_id', '=', student.id).where('assignment_id', '=', assignment.id).execute();
    assert.equal(notified.length, 1, 'the staff-only response notified nobody on the student side');

    // A student may not change the assignment itself, nor another's response.
    assert.equal((await student.api.patch(`${url}/`, { json: { assignment_status: 'Done' } })).status, 403);
    assert.equal((await student.api.patch(`${url}/responses/${hidden.body.id}/`, { json: { dear_student: false } })).status, 403);
    assert.equal((await student.api.delete(`${url}/responses/${hidden.body.id}/`)).status, 403);
    assert.equal((await checker2.delete(`${url}/responses/${hidden.body.id}/`)).status, 403, 'a checker is not the author');
    assert.equal((await cast.staff.delete(`${url}/responses/${hidden.body.id}/`)).status, 204);
  });

  it('lets staff change the status directly while the counters stay the core’s', async () => {
    const s = await makeStudent(server, cast.A.program.id);
    const assignment = await newAssignment(s.id);
    const url = `/api/core/assignments/${assignment.id}/`;
    const patched = await cast.checkerA.patch(url, { json: { assignment_status: 'Done', student_assignment_status: 'Submitted', submission_count: 99, flagged: true, description: 'late' } });
    assert.equal(patched.status, 200, patched.text);
    assert.equal(patched.body.assignment_status, 'Done');
    assert.equal(patched.body.student_assignment_status, 'Submitted');
    assert.equal(patched.body.submission_count, 0);
    assert.equal(patched.body.flagged, true);
    const studentView = (await s.api.get(url)).body;
    assert.equal(studentView.assignment_status, 'Submitted', 'the student sees the status they are shown');
    assert.equal(studentView.patbas, false);
    const put = await cast.checkerA.put(url, { form: { assignment_status: 'Redo', timer: '00:10:00' } });
    assert.equal(put.status, 200);
    assert.equal(put.body.timer, '00:10:00');
    assert.equal((await cast.checkerA.put(url, { json: { flagged: false } })).status, 400, 'PUT needs assignment_status');
    // Deleting is for staff (and the course's instructors).
    assert.equal((await cast.checkerA.delete(url)).status, 403);
    assert.equal((await cast.instructor.delete(url)).status, 204);
    assert.equal((await cast.staff.get(url)).status, 404);
  });

  it('filters the list by every documented filter', async () => {
    const admin = await adminActor(server);
    const tag = await server.services.tags.create(admin, { name: 'filter-tag', color: '#000000' });
    const tagged = await makeExercise(server, cast.A.module.id, { tags: ['filter-tag'] });
    const s1 = await makeStudent(server, cast.A.program.id);
    const s2 = await makeStudent(server, cast.A.program.id);
    const mentor = await actorClient(server, 2);
    await server.services.db.updateTable('users').set({ mentor_id: mentor.id }).where('id', '=', s1.id).execute();
    const klass = await server.services.db
      .insertInto('classes')
      .values({ course_id: cast.A.program.id, name: `class-${Date.now()}`, created_at: server.services.clock.now() })
      .returning('id')
      .executeTakeFirstOrThrow();
    await server.services.db.insertInto('class_members').values({ class_id: klass.id, user_id: s2.id }).execute();
    const a1 = await newAssignment(s1.id, tagged.id);
    const a2 = await newAssignment(s2.id, tagged.id);
    const a3 = await newAssignment(s1.id, otherExerciseId);
    const ids = async (query: string) => ((await cast.staff.get(`/api/core/assignments/?${query}`)).body as { id: number }[]).map((a) => a.id).filter((id) => [a1.id, a2.id, a3.id].includes(id));
    assert.deepEqual(await ids(`exercise__id=${tagged.id}`), [a1.id, a2.id]);
    assert.deepEqual(await ids(`exercise__parent_module__id=${cast.A.module.id}`), [a1.id, a2.id, a3.id]);
    assert.deepEqual(await ids(`exercise__parent_module__id=${cast.B.module.id}`), []);
    assert.deepEqual(await ids(`exercise__parent_module__parent_subject__id=${cast.A.subject.id}`), [a1.id, a2.id, a3.id]);
    assert.deepEqual(await ids(`exercise__parent_module__parent_subject__id=${cast.B.subject.id}`), []);
    assert.deepEqual(await ids(`exercise__tags__id__in=${tag.id},999`), [a1.id, a2.id]);
    assert.deepEqual(await ids(`exercise__tags__id__in=999`), []);
    assert.deepEqual(await ids(`user__id__in=${s1.id}`), [a1.id, a3.id]);
    assert.deepEqual(await ids(`user__id__in=${s1.id}&user__id__in=${s2.id}`), [a1.id, a2.id, a3.id]);
    assert.deepEqual(await ids(`user__mentor__id=${mentor.id}`), [a1.id, a3.id]);
    assert.deepEqual(await ids(`user__mentor__id__in=${mentor.id},${admin.id}`), [a1.id, a3.id]);
    assert.deepEqual(await ids(`user__classes__id=${klass.id}`), [a2.id]);
    assert.deepEqual(await ids(`user__classes__id__in=${klass.id}`), [a2.id]);
    assert.deepEqual(await ids(`user__program__id__in=${cast.A.program.id}`), [a1.id, a2.id, a3.id]);
    assert.deepEqual(await ids(`user__program__id__in=${cast.B.program.id}`), []);
    assert.deepEqual(await ids(`queue__id=999999`), []);
    assert.deepEqual(await ids(`exercise__id=99999999999`), []);
    const bad = await cast.staff.get('/api/core/assignments/?exercise__id=abc');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.errors[0].attr, 'exercise__id');
  });

  it('feeds staff dashboards the latest changes, newest first, incrementally', async () => {
    const s = await makeStudent(server, cast.A.program.id);
    const a = await newAssignment(s.id);
    const b = await newAssignment(s.id, otherExerciseId);
    const since = (await cast.staff.get(`/api/core/assignments/${b.id}/`)).body.last_staff_updated;
    await cast.checkerA.post(`/api/core/assignments/${a.id}/responses/`, { json: { response_type: 'Comment', contents: [] } });
    const feed = await cast.checkerA.get(`/api/core/assignments/latest/?user__id__in=${s.id}`);
    assert.equal(feed.status, 200);
    assert.deepEqual(feed.body.map((n: { id: number }) => n.id), [a.id, b.id]);
    assert.deepEqual(Object.keys(feed.body[0]).sort(), ['exercise', 'id', 'last_staff_updated', 'module', 'subject', 'user', 'user_name']);
    assert.equal(feed.body[0].user_name, `Stu Dent`);
    assert.equal(feed.body[0].subject, cast.A.subject.id);
    const newer = await cast.checkerA.get(`/api/core/assignments/latest/?user__id__in=${s.id}&last_staff_updated__gt=${encodeURIComponent(since)}`);
    assert.deepEqual(newer.body.map((n: { id: number }) => n.id), [a.id]);
    assert.deepEqual((await cast.checkerA.get(`/api/core/assignments/latest/?exercise__parent_module__parent_subject__id=${cast.B.subject.id}`)).body, []);
    assert.equal((await cast.checkerA.get(`/api/core/assignments/latest/${a.id}/`)).body.id, a.id);
    assert.equal((await cast.otherChecker.get(`/api/core/assignments/latest/${a.id}/`)).status, 404);
    assert.equal((await s.api.get('/api/core/assignments/latest/')).status, 403);
    assert.equal((await cast.staff.post('/api/core/assignments/latest/', { json: {} })).status, 405);
    assert.equal((await cast.staff.delete(`/api/core/assignments/latest/${a.id}/`)).status, 405);
    assert.equal((await cast.staff.get('/api/core/assignments/latest/?last_staff_updated__gt=yesterday')).status, 400);
  });

  it('feeds the dashboard by class: the class\'s students\' assignments in the reader\'s courses, newest first', async () => {
    const db = server.services.db;
    const now = server.services.clock.now();
    const [inBoth, inOne, inNone] = [await makeStudent(server, cast.A.program.id), await makeStudent(server, cast.A.program.id), await makeStudent(server, cast.A.program.id)];
    const klass = async (name: string, members: number[]) => {
      const { id } = await db.insertInto('classes').values({ course_id: cast.A.program.id, name, created_at: now }).returning('id').executeTakeFirstOrThrow();
      if (members.length > 0) await db.insertInto('class_members').values(members.map((user_id) => ({ class_id: id, user_id }))).execute();
      return id;
    };
    const first = await klass('latest-first', [inBoth.id, inOne.id]);
    const second = await klass('latest-second', [inBoth.id]);
    const empty = await klass('latest-empty', []);
    const oldOne = await newAssignment(inOne.id);
    const since = (await cast.staff.get(`/api/core/assignments/${oldOne.id}/`)).body.last_staff_updated;
    const both = await newAssignment(inBoth.id);
    const one = await newAssignment(inOne.id, otherExerciseId);
    await newAssignment(inNone.id);
    await cast.checkerA.post(`/api/core/assignments/${both.id}/responses/`, { json: { response_type: 'Comment', contents: [] } });
    const ids = async (query: string, reader: Client = cast.checkerA) => {
      const res = await reader.get(`/api/core/assignments/latest/?${query}`);
      assert.equal(res.status, 200, res.text);
      return res.body.map((n: { id: number }) => n.id);
    };
    const after = `last_staff_updated__gt=${encodeURIComponent(since)}`;
    assert.deepEqual(await ids(`user__classes__id=${first}&${after}`), [both.id, one.id]);
    assert.deepEqual(await ids(`user__classes__id=${first}`), [both.id, one.id, oldOne.id]);
    assert.deepEqual(await ids(`user__classes__id=${second}`), [both.id]);
    assert.deepEqual(await ids(`user__classes__id=${empty}`), []);
    assert.deepEqual(await ids(`user__classes__id=${first}&exercise__parent_module__parent_subject__id=${cast.B.subject.id}`), []);
    assert.deepEqual(await ids(`user__classes__id=${first}`, cast.otherChecker), [], 'only the reader\'s courses');
  });

  it('lets exactly one of two checkers locking at once win', async () => {
    for (let round = 0; round < 8; round++) {
      const s = await makeStudent(server, cast.A.program.id);
      const a = await newAssignment(s.id);
      const results = await Promise.all([cast.checkerA.put(`/api/core/assignments/${a.id}/lock/`), checker2.put(`/api/core/assignments/${a.id}/lock/`)]);
      assert.deepEqual(results.map((r) => r.status).sort(), [200, 403]);
      const winner = results[0]!.status === 200 ? cast.A.checker.id : checker2Id;
      assert.equal((await cast.staff.get(`/api/core/assignments/${a.id}/`)).body.checker, winner);
    }
  });

  it('queues a response’s autocheck again with rerun_autochecks', async () => {
    const s = await makeStudent(server, cast.A.program.id);
    const a = await newAssignment(s.id);
    const sub = await s.api.post(`/api/core/assignments/${a.id}/responses/`, {
      multipart: upload({ response_type: 'Submission', contents: JSON.stringify([{ field: field.answer, content: 'x' }]) }, { name: 'a.py', data: Buffer.from('1') }),
    });
    const rerun = await cast.checkerA.post(`/api/core/assignments/${a.id}/responses/${sub.body.id}/rerun_autochecks/`, { json: {} });
    assert.equal(rerun.status, 200);
    assert.equal(rerun.text, '');
    const jobs = await server.services.db.selectFrom('grading_jobs').select('kind').where('response_id', '=', sub.body.id).orderBy('id').execute();
    assert.deepEqual(jobs.map((j) => j.kind), ['submission', 'rerun']);
    const comment = await s.api.post(`/api/core/assignments/${a.id}/responses/`, { json: { response_type: 'Comment', contents: [] } });
    // Deleting the assignment takes its submission and both jobs with it.
    const other = await newAssignment(s.id, otherExerciseId);
    const handedIn = await s.api.post(`/api/core/assignments/${other.id}/responses/`, { multipart: upload({ response_type: 'Submission', contents: '[]' }, { name: 'b.py', data: Buffer.from('2') }) });
    assert.equal(handedIn.status, 201, handedIn.text);
    assert.equal((await cast.staff.delete(`/api/core/assignments/${other.id}/`)).status, 204);
    assert.deepEqual(await server.services.db.selectFrom('grading_jobs').select('id').where('response_id', '=', handedIn.body.id).execute(), []);
    assert.deepEqual(await server.services.db.selectFrom('submissions').select('id').where('assignment_id', '=', other.id).execute(), []);
    assert.equal((await cast.checkerA.post(`/api/core/assignments/${a.id}/responses/${comment.body.id}/rerun_autochecks/`)).status, 400);
    assert.equal((await s.api.post(`/api/core/assignments/${a.id}/responses/${sub.body.id}/rerun_autochecks/`)).status, 403);
    assert.equal((await cast.checkerA.post(`/api/core/assignments/${a.id}/responses/999999/rerun_autochecks/`)).status, 404);
  });

  it('answers unknown ids with 404 and bad ids as not found', async () => {
    const staff = client(server.app, await login(server, (await actorClient(server, 3)).username));
    assert.equal((await staff.get('/api/core/assignments/999999/')).status, 404);
    assert.equal((await staff.get('/api/core/assignments/abc/')).status, 404);
    assert.equal((await staff.get('/api/core/assignments/999999/responses/')).status, 404);
    assert.equal((await staff.put('/api/core/assignments/999999/lock/')).status, 404);
  });
});
