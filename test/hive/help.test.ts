import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startTestServer } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';
import { actorClient, login, makeCourseTree, makeExercise, makeStudent } from '../helpers/fixtures.ts';
import type { Client } from '../helpers/http.ts';
import { client } from '../helpers/http.ts';

const HELP_KEYS = [
  'checker', 'checker_first_name', 'checker_last_name', 'for_exercise', 'help_status', 'help_type', 'id', 'is_subscribed', 'notifications', 'responses',
  'title', 'user', 'visibility',
].sort();
const RESPONSE_KEYS = ['contents', 'date', 'dear_student', 'file_name', 'hide_checker_name', 'id', 'response_type', 'segel_only', 'user'].sort();
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

type Res = { status: number; body: { errors: { attr: string | null; code: string }[] } };
const errs = (res: Res) => res.body.errors.map((e) => [e.attr, e.code]).sort();
const ids = (res: { body: { id: number }[] }) => res.body.map((h) => h.id);
const denied = (detail = 'You do not have permission to perform this action.') => ({ type: 'client_error', errors: [{ code: 'permission_denied', detail, attr: null }] });
const NOT_FOUND = { type: 'client_error', errors: [{ code: 'not_found', detail: 'Not found.', attr: null }] };
const LOCKED = 'This item is locked by another checker.';

interface Person {
  id: number;
  api: Client;
}

/** Two programs, their people and exercises: what every suite here starts from. */
async function cast(server: TestServer) {
  const A = await makeCourseTree(server, 'Help Program A');
  const B = await makeCourseTree(server, 'Help Program B');
  const checkerA: Person = { id: A.checker.id, api: client(server.app, await login(server, A.checker.username)) };
  const checkerA2 = await actorClient(server, 2);
  await server.services.programs.enroll(A.admin, A.program.id, checkerA2.id, 'checker');
  const otherChecker = await actorClient(server, 2);
  const staff = await actorClient(server, 3);
  const staff2 = await actorClient(server, 3);
  const admin = await actorClient(server, 5);
  const studentA = await makeStudent(server, A.program.id);
  const studentA2 = await makeStudent(server, A.program.id);
  const studentB = await makeStudent(server, B.program.id);
  const exA = await makeExercise(server, A.module.id, { name: 'Loops 1' });
  const exB = await makeExercise(server, B.module.id, { name: 'Other' });
  return { A, B, checkerA, checkerA2, otherChecker, staff, staff2, admin, studentA, studentA2, studentB, exA, exB };
}

describe('hive /help/ threads and responses', () => {
  let server: TestServer;
  let c: Awaited<ReturnType<typeof cast>>;
  const base = '/api/core/help/';
  const help = (id: number) => `${base}${id}/`;
  const responses = (id: number) => `${base}${id}/responses/`;
  const notificationsOf = (helpId: number) =>
    server.services.db.selectFrom('notifications').selectAll().where('help_id', '=', helpId).orderBy('for_user_id').orderBy('id').execute();

  before(async () => {
    server = await startTestServer({ env: { ASSAY_MAX_UPLOAD_BYTES: '4096' } });
    c = await cast(server);
  });
  after(() => server.close());

  it('runs a thread through its life: open, lock, respond, notify, resolve, reopen', async () => {
    const { studentA, checkerA, checkerA2, exA } = c;
    const opened = await studentA.api.post(base, { json: { user: studentA.id, title: 'Stuck on loops', help_type: 'Exercise', exercise_id: exA.id, help_status: 'Resolved' } });
    assert.equal(opened.status, 201, opened.text);
    assert.deepEqual(Object.keys(opened.body).sort(), HELP_KEYS);
    const id = opened.body.id;
    assert.deepEqual({ ...opened.body, for_exercise: opened.body.for_exercise.id }, {
      id,
      user: studentA.id,
      checker: null,
      checker_first_name: '',
      checker_last_name: '',
      is_subscribed: false,
      title: 'Stuck on loops',
      help_type: 'Exercise',
      // Read-only: the request's value is ignored.
      help_status: 'Open',
      for_exercise: exA.id,
      responses: [],
      notifications: [],
      visibility: 'All Staff',
    });
    // The nested exercise is the full Exercise object of /course/exercises/.
    assert.deepEqual(opened.body.for_exercise, (await studentA.api.get(`/api/core/course/exercises/${exA.id}/`)).body);

    const sub = await checkerA2.api.put(`${help(id)}subscribe/`, { json: {} });
    assert.equal(sub.status, 200);
    assert.equal(sub.text, '');
    assert.equal((await checkerA2.api.get(help(id))).body.is_subscribed, true);
    assert.equal((await checkerA.api.get(help(id))).body.is_subscribed, false);

    const lock = await checkerA.api.put(`${help(id)}lock/`, { json: {} });
    assert.equal(lock.status, 200);
    assert.equal(lock.text, '');
    const locked = (await studentA.api.get(help(id))).body;
    assert.equal(locked.checker, checkerA.id);
    assert.equal(locked.checker_first_name, 'First');
    assert.equal(locked.checker_last_name, c.A.checker.username);
    // Locking again is a no-op; another checker is refused in the Hive envelope.
    assert.equal((await checkerA.api.put(`${help(id)}lock/`)).status, 200);
    const stolen = await checkerA2.api.put(`${help(id)}lock/`);
    assert.equal(stolen.status, 403);
    assert.deepEqual(stolen.body, denied(LOCKED));
    const blocked = await checkerA2.api.post(responses(id), { json: { response_type: 'Comment', contents: 'me too' } });
    assert.equal(blocked.status, 403);
    assert.deepEqual(blocked.body, denied(LOCKED));

    const before = (await server.services.db.selectFrom('help_threads').select('last_staff_updated').where('id', '=', id).executeTakeFirstOrThrow()).last_staff_updated;
    const answer = await checkerA.api.post(responses(id), { json: { response_type: 'Comment', contents: 'Print the counter' } });
    assert.equal(answer.status, 201, answer.text);
    assert.deepEqual(Object.keys(answer.body).sort(), RESPONSE_KEYS);
    assert.deepEqual({ ...answer.body, date: 'T' }, {
      id: answer.body.id,
      user: checkerA.id,
      contents: 'Print the counter',
      file_name: '',
      dear_student: true,
      date: 'T',
      hide_checker_name: false,
      segel_only: false,
      response_type: 'Comment',
    });
    assert.match(answer.body.date, TIMESTAMP);
    const afterAnswer = (await server.services.db.selectFrom('help_threads').select('last_staff_updated').where('id', '=', id).executeTakeFirstOrThrow()).last_staff_updated;
    assert.ok(afterAnswer > before, 'a checker response marks the staff update');

    // The subscriber and the student are notified, the author is not.
    let sent = await notificationsOf(id);
    assert.deepEqual(
      sent.map((n) => [n.for_user_id, n.from_user_id, n.response_type, n.comment]),
      [
        [studentA.id, checkerA.id, 'Comment', 'Print the counter'],
        [checkerA2.id, checkerA.id, 'Comment', 'Print the counter'],
      ].sort((x, y) => (x[0] as number) - (y[0] as number)),
    );
    const seen = (await studentA.api.get(help(id))).body;
    assert.equal(seen.help_status, 'Open');
    assert.deepEqual(seen.responses, [answer.body]);
    const mine = sent.find((n) => n.for_user_id === studentA.id)!;
    assert.deepEqual(seen.notifications, [{ id: mine.id, from_user: checkerA.id, comment: 'Print the counter' }]);
    // Nested notifications are the caller's own.
    assert.deepEqual((await checkerA.api.get(help(id))).body.notifications, []);

    const resolve = await studentA.api.post(responses(id), { json: { response_type: 'Resolve', contents: 'Got it, thanks' } });
    assert.equal(resolve.status, 201, resolve.text);
    assert.equal((await studentA.api.get(help(id))).body.help_status, 'Resolved');
    // A student's response is not a staff update.
    const afterResolve = (await server.services.db.selectFrom('help_threads').select('last_staff_updated').where('id', '=', id).executeTakeFirstOrThrow()).last_staff_updated;
    assert.equal(afterResolve, afterAnswer);
    sent = await notificationsOf(id);
    assert.deepEqual(
      sent.filter((n) => n.response_type === 'Resolve').map((n) => n.for_user_id),
      [checkerA2.id],
    );

    const reopen = await studentA.api.post(responses(id), { form: { response_type: 'Open', contents: 'Still failing' } });
    assert.equal(reopen.status, 201, reopen.text);
    assert.equal((await studentA.api.get(help(id))).body.help_status, 'Open');
    assert.deepEqual(
      (await studentA.api.get(responses(id))).body.map((r: { response_type: string }) => r.response_type),
      ['Comment', 'Resolve', 'Open'],
    );

    // Unlocking: not by another checker; by the holder.
    assert.equal((await checkerA2.api.put(`${help(id)}unlock/`)).status, 403);
    const unlock = await checkerA.api.put(`${help(id)}unlock/`);
    assert.equal(unlock.status, 200);
    assert.equal(unlock.text, '');
    assert.equal((await checkerA.api.get(help(id))).body.checker, null);
    assert.equal((await checkerA2.api.put(`${help(id)}unsubscribe/`)).status, 200);
    assert.equal((await checkerA2.api.get(help(id))).body.is_subscribed, false);
  });

  it('lets students open threads only for themselves, and only staff open a Chat', async () => {
    const { studentA, studentA2, studentB, checkerA, staff, exA } = c;
    const body = (user: number, extra: Record<string, unknown> = {}) => ({ user, title: 'Help', help_type: 'Other', exercise_id: null, ...extra });
    const forOther = await studentA.api.post(base, { json: body(studentA2.id) });
    assert.equal(forOther.status, 403);
    assert.deepEqual(forOther.body, denied());
    for (const who of [studentA, checkerA]) {
      const chat = await who.api.post(base, { json: body(studentA.id, { help_type: 'Chat' }) });
      assert.equal(chat.status, 403, chat.text);
    }
    const chat = await staff.api.post(base, { json: body(studentA.id, { help_type: 'Chat', visibility: 'All Staff And Checkers' }) });
    assert.equal(chat.status, 201, chat.text);
    assert.equal(chat.body.help_type, 'Chat');
    assert.equal(chat.body.visibility, 'All Staff And Checkers');
    // A checker opens threads for students of the programs they check, not for others.
    const forStudent = await checkerA.api.post(base, { json: body(studentA2.id, { exercise_id: exA.id }) });
    assert.equal(forStudent.status, 201, forStudent.text);
    assert.equal(forStudent.body.user, studentA2.id);
    const elsewhere = await checkerA.api.post(base, { json: body(studentB.id) });
    assert.equal(elsewhere.status, 400);
    assert.deepEqual(errs(elsewhere), [['user', 'does_not_exist']]);
    // Form bodies: an empty exercise_id is null.
    const form = await studentA.api.post(base, { form: { user: String(studentA.id), title: 'By form', help_type: 'Request', exercise_id: '' } });
    assert.equal(form.status, 201, form.text);
    assert.equal(form.body.for_exercise, null);
    assert.equal(form.body.title, 'By form');
  });

  it('rejects bad input with DRF errors, never a 500', async () => {
    const { studentA, staff, exB } = c;
    const post = (body: unknown, who = studentA) => who.api.post(base, { json: body });
    const good = { user: studentA.id, title: 'Fine', help_type: 'Exercise', exercise_id: null };

    const badType = await post({ ...good, help_type: 'Homework' });
    assert.equal(badType.status, 400);
    assert.deepEqual(badType.body, { type: 'validation_error', errors: [{ code: 'invalid_choice', detail: '"Homework" is not a valid choice.', attr: 'help_type' }] });
    const long = await post({ ...good, title: 'x'.repeat(31) });
    assert.equal(long.status, 400);
    assert.deepEqual(long.body.errors, [{ code: 'max_length', detail: 'Ensure this field has no more than 30 characters.', attr: 'title' }]);
    assert.equal((await post({ ...good, title: 'x'.repeat(30) })).status, 201);
    const unknownExercise = await post({ ...good, exercise_id: 999999 });
    assert.equal(unknownExercise.status, 400);
    assert.deepEqual(unknownExercise.body.errors, [{ code: 'does_not_exist', detail: 'Invalid pk "999999" - object does not exist.', attr: 'exercise_id' }]);
    // Another program's exercise does not exist for this student.
    assert.deepEqual(errs(await post({ ...good, exercise_id: exB.id })), [['exercise_id', 'does_not_exist']]);
    assert.deepEqual(errs(await post({ user: studentA.id, help_type: 'Exercise' })), [['exercise_id', 'required']]);
    assert.deepEqual(errs(await post({ title: 'x', exercise_id: 'abc', visibility: 'Everyone' })), [
      ['exercise_id', 'invalid'],
      ['help_type', 'required'],
      ['user', 'required'],
      ['visibility', 'invalid_choice'],
    ]);
    assert.deepEqual(errs(await post({ ...good, user: 99999999999 }, staff)), [['user', 'does_not_exist']]);
    const malformed = await studentA.api.post(base, { raw: '{"user": ', headers: { 'content-type': 'application/json' } });
    assert.equal(malformed.status, 400);
    assert.equal(malformed.body.errors[0].code, 'parse_error');
    const filter = await staff.api.get(`${base}?help_type__in=Exercise,Nope&user__id__in=x`);
    assert.equal(filter.status, 400);
    assert.deepEqual(errs(filter), [['help_type__in', 'invalid'], ['user__id__in', 'invalid']]);
    assert.equal((await staff.api.get(`${base}abc/`)).status, 404);
    assert.equal((await staff.api.get(`${base}99999999999/`)).status, 404);

    const id = (await post(good)).body.id;
    const badResponse = await studentA.api.post(responses(id), { json: { response_type: 'Done', dear_student: 'maybe' } });
    assert.equal(badResponse.status, 400);
    assert.deepEqual(errs(badResponse), [['dear_student', 'invalid'], ['response_type', 'invalid_choice']]);
    assert.deepEqual(errs(await studentA.api.post(responses(id), { json: { contents: 'no type' } })), [['response_type', 'required']]);
    assert.deepEqual(errs(await studentA.api.post(responses(id), { json: { response_type: 'Comment', file: 'not a file' } })), [['file', 'invalid']]);
  });

  it('edits and deletes threads on the staff side only', async () => {
    const { studentA, checkerA, staff, exA } = c;
    const id = (await studentA.api.post(base, { json: { user: studentA.id, title: 'Edit me', help_type: 'Exercise', exercise_id: exA.id } })).body.id;
    assert.deepEqual((await studentA.api.patch(help(id), { json: { title: 'Mine' } })).body, denied());
    assert.equal((await studentA.api.delete(help(id))).status, 403);

    const put = await checkerA.api.put(help(id), { json: { user: studentA.id, title: 'Renamed', help_type: 'Error', exercise_id: null } });
    assert.equal(put.status, 200, put.text);
    assert.equal(put.body.title, 'Renamed');
    assert.equal(put.body.help_type, 'Error');
    assert.equal(put.body.for_exercise, null);
    assert.deepEqual(errs(await checkerA.api.put(help(id), { json: { title: 'x' } })), [['exercise_id', 'required'], ['help_type', 'required'], ['user', 'required']]);
    const patch = await checkerA.api.patch(help(id), { json: { exercise_id: exA.id } });
    assert.equal(patch.status, 200, patch.text);
    assert.equal(patch.body.for_exercise.id, exA.id);
    assert.equal(patch.body.title, 'Renamed');
    assert.deepEqual(errs(await checkerA.api.patch(help(id), { json: { title: 'y'.repeat(31) } })), [['title', 'max_length']]);
    // A checker may not turn a thread into a Chat, nor delete a thread they did not open.
    assert.equal((await checkerA.api.patch(help(id), { json: { help_type: 'Chat' } })).status, 403);
    assert.equal((await checkerA.api.delete(help(id))).status, 403);

    await checkerA.api.post(responses(id), { json: { response_type: 'Comment', contents: 'bye' } });
    const del = await staff.api.delete(help(id));
    assert.equal(del.status, 204);
    assert.equal(del.text, '');
    assert.equal((await staff.api.get(help(id))).status, 404);
    assert.equal((await server.services.db.selectFrom('help_responses').select('id').where('help_id', '=', id).execute()).length, 0);
    assert.equal((await notificationsOf(id)).length, 0);
    // A checker deletes a thread they opened.
    const own = (await checkerA.api.post(base, { json: { user: studentA.id, title: 'Mine', help_type: 'Other', exercise_id: null } })).body.id;
    assert.equal((await checkerA.api.delete(help(own))).status, 204);
  });

  it('hides threads by who they belong to and by their visibility', async () => {
    const { studentA, studentA2, studentB, checkerA, otherChecker, staff, staff2, admin } = c;
    const id = (await studentA.api.post(base, { json: { user: studentA.id, title: 'Private-ish', help_type: 'Medical', exercise_id: null } })).body.id;
    // Another student: not found, everywhere.
    for (const [method, url] of [['get', help(id)], ['get', responses(id)], ['post', responses(id)], ['put', `${help(id)}subscribe/`]] as const) {
      const res = await studentA2.api[method](url, { json: { response_type: 'Comment' } });
      assert.equal(res.status, 404, `${method} ${url}`);
      assert.deepEqual(res.body, NOT_FOUND);
    }
    assert.ok(!ids(await studentB.api.get(base)).includes(id));
    assert.ok((await studentA.api.get(base)).body.every((h: { user: number }) => h.user === studentA.id));
    // Students may not lock, even their own thread (view-level 403, before the lookup).
    assert.deepEqual((await studentA.api.put(`${help(id)}lock/`)).body, denied());
    assert.equal((await studentA.api.put(`${help(id)}unlock/`)).status, 403);
    assert.equal((await studentA.api.get(`${help(id)}top_responses/`)).status, 403);

    // All Staff: the program's checkers and staff, not a checker of another program...
    assert.equal((await checkerA.api.get(help(id))).status, 200);
    assert.equal((await staff.api.get(help(id))).status, 200);
    assert.equal((await otherChecker.api.get(help(id))).status, 404);
    assert.equal((await otherChecker.api.put(`${help(id)}lock/`)).status, 404);
    // ...which All Staff And Checkers opens to every checker.
    assert.equal((await staff.api.patch(help(id), { json: { visibility: 'All Staff And Checkers' } })).status, 200);
    assert.equal((await otherChecker.api.get(help(id))).status, 200);
    assert.ok(ids(await otherChecker.api.get(base)).includes(id));

    // Author Only: its creator, its student and admins.
    const dm = await staff.api.post(base, { json: { user: studentA.id, title: 'Between us', help_type: 'Chat', exercise_id: null, visibility: 'Author Only' } });
    assert.equal(dm.status, 201, dm.text);
    for (const who of [staff, studentA, admin]) assert.equal((await who.api.get(help(dm.body.id))).status, 200);
    for (const who of [staff2, checkerA, otherChecker, studentA2]) assert.equal((await who.api.get(help(dm.body.id))).status, 404);
    assert.ok(!ids(await staff2.api.get(base)).includes(dm.body.id));
    assert.ok(ids(await admin.api.get(base)).includes(dm.body.id));
  });

  it('never shows staff-only responses to students', async () => {
    const { studentA, checkerA, staff } = c;
    const id = (await studentA.api.post(base, { json: { user: studentA.id, title: 'Secrets', help_type: 'Exercise', exercise_id: null } })).body.id;
    const fd = new FormData();
    fd.append('response_type', 'Comment');
    fd.append('contents', 'between checkers');
    fd.append('segel_only', 'true');
    fd.append('file', new Blob([Buffer.from('staff notes')]), 'notes.txt');
    const hidden = await checkerA.api.post(responses(id), { multipart: fd });
    assert.equal(hidden.status, 201, hidden.text);
    assert.equal(hidden.body.segel_only, true);
    const open = await checkerA.api.post(responses(id), { json: { response_type: 'Comment', contents: 'for you' } });

    assert.deepEqual(ids(await studentA.api.get(responses(id))), [open.body.id]);
    assert.deepEqual((await studentA.api.get(help(id))).body.responses.map((r: { id: number }) => r.id), [open.body.id]);
    assert.equal((await studentA.api.get(`${responses(id)}${hidden.body.id}/`)).status, 404);
    assert.equal((await studentA.api.get(`${responses(id)}${hidden.body.id}/student_files/`)).status, 404);
    assert.equal((await studentA.api.patch(`${responses(id)}${hidden.body.id}/`, { json: { contents: 'x' } })).status, 404);
    assert.ok(!ids(await studentA.api.get(`${base}?free_text=between`)).includes(id), 'free text does not search hidden responses for students');
    assert.ok(ids(await staff.api.get(`${base}?free_text=between`)).includes(id));
    // The student was not notified of it.
    assert.deepEqual((await notificationsOf(id)).filter((n) => n.for_user_id === studentA.id).map((n) => n.comment), ['for you']);
    // The staff side sees everything, file included.
    assert.deepEqual(ids(await staff.api.get(responses(id))), [hidden.body.id, open.body.id]);
    assert.equal((await staff.api.get(`${responses(id)}${hidden.body.id}/student_files/`)).text, 'staff notes');
    // A student may not post one.
    const attempt = await studentA.api.post(responses(id), { json: { response_type: 'Comment', contents: 'x', segel_only: true } });
    assert.equal(attempt.status, 403);
  });

  it('limits changing and deleting a response to its author and staff', async () => {
    const { studentA, checkerA, checkerA2, staff } = c;
    const id = (await studentA.api.post(base, { json: { user: studentA.id, title: 'Changes', help_type: 'Error', exercise_id: null } })).body.id;
    const r = (await checkerA.api.post(responses(id), { json: { response_type: 'Resolve', contents: 'Fixed upstream' } })).body;
    assert.equal((await staff.api.get(help(id))).body.help_status, 'Resolved');
    assert.deepEqual((await studentA.api.patch(`${responses(id)}${r.id}/`, { json: { contents: 'no' } })).body, denied());
    assert.equal((await checkerA2.api.delete(`${responses(id)}${r.id}/`)).status, 403);
    const edited = await checkerA.api.patch(`${responses(id)}${r.id}/`, { json: { contents: 'Fixed in 2.1', hide_checker_name: true } });
    assert.equal(edited.status, 200, edited.text);
    assert.equal(edited.body.contents, 'Fixed in 2.1');
    assert.equal(edited.body.hide_checker_name, true);
    assert.equal(edited.body.response_type, 'Resolve');
    assert.deepEqual(errs(await checkerA.api.put(`${responses(id)}${r.id}/`, { json: { contents: 'x' } })), [['response_type', 'required']]);
    // Turning the Resolve into a Comment reopens; deleting it too.
    assert.equal((await staff.api.put(`${responses(id)}${r.id}/`, { json: { response_type: 'Comment' } })).status, 200);
    assert.equal((await staff.api.get(help(id))).body.help_status, 'Open');
    const again = (await checkerA.api.post(responses(id), { json: { response_type: 'Resolve' } })).body;
    assert.equal((await staff.api.get(help(id))).body.help_status, 'Resolved');
    const del = await checkerA.api.delete(`${responses(id)}${again.id}/`);
    assert.equal(del.status, 204);
    assert.equal((await staff.api.get(help(id))).body.help_status, 'Open');
    assert.equal((await staff.api.get(`${responses(id)}${again.id}/`)).status, 404);
    // A student changes their own response.
    const own = (await studentA.api.post(responses(id), { json: { response_type: 'Comment', contents: 'tpyo' } })).body;
    assert.equal((await studentA.api.patch(`${responses(id)}${own.id}/`, { json: { contents: 'typo' } })).body.contents, 'typo');
    assert.equal((await studentA.api.patch(`${responses(id)}${own.id}/`, { json: { segel_only: true } })).status, 403);
    assert.equal((await studentA.api.delete(`${responses(id)}${own.id}/`)).status, 204);
  });

  it('answers a PATCH of a response naming no field with the response, unchanged', async () => {
    const { studentA } = c;
    const id = (await studentA.api.post(base, { json: { user: studentA.id, title: 'Empty patch', help_type: 'Error', exercise_id: null } })).body.id;
    const own = (await studentA.api.post(responses(id), { json: { response_type: 'Comment', contents: 'as it was' } })).body;
    for (const options of [{ json: {} }, { form: {} }, { multipart: new FormData() }]) {
      const res = await studentA.api.patch(`${responses(id)}${own.id}/`, options);
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body, own);
    }
  });

  it('stores response files byte for byte and serves them as attachments', async () => {
    const { studentA, checkerA } = c;
    const id = (await studentA.api.post(base, { json: { user: studentA.id, title: 'Files', help_type: 'Exercise', exercise_id: null } })).body.id;
    const bytes = Buffer.concat([crypto.randomBytes(1500), Buffer.from([0, 255, 13, 10])]);
    const fd = new FormData();
    fd.append('response_type', 'Comment');
    fd.append('file', new Blob([bytes]), 'trace.bin');
    const up = await studentA.api.post(responses(id), { multipart: fd });
    assert.equal(up.status, 201, up.text);
    // file_name defaults to the uploaded part's name; the file itself is write-only.
    assert.equal(up.body.file_name, 'trace.bin');
    assert.equal('file' in up.body, false);
    const url = `${responses(id)}${up.body.id}/student_files/`;
    const down = await checkerA.api.get(url);
    assert.equal(down.status, 200);
    assert.equal(down.headers['content-type'], 'application/octet-stream');
    assert.equal(down.headers['content-disposition'], `attachment; filename="trace.bin"; filename*=UTF-8''trace.bin`);
    assert.ok(down.raw.equals(bytes));

    // An explicit file_name wins (and may be any Unicode name).
    const named = new FormData();
    named.append('response_type', 'Comment');
    named.append('file_name', 'פלט.txt');
    named.append('file', new Blob([Buffer.from('shalom')]), 'upload.txt');
    const second = await checkerA.api.post(responses(id), { multipart: named });
    assert.equal(second.status, 201, second.text);
    assert.equal(second.body.file_name, 'פלט.txt');
    const secondDown = await studentA.api.get(`${responses(id)}${second.body.id}/student_files/`);
    assert.equal(secondDown.text, 'shalom');
    assert.match(String(secondDown.headers['content-disposition']), /filename\*=UTF-8''%D7%A4%D7%9C%D7%98\.txt$/);

    // JSON without a file keeps it; an explicit null removes it.
    const kept = await studentA.api.patch(`${responses(id)}${up.body.id}/`, { json: { contents: 'see attached' } });
    assert.equal(kept.status, 200);
    assert.equal(kept.body.file_name, 'trace.bin');
    assert.ok((await checkerA.api.get(url)).raw.equals(bytes));
    // A new upload replaces it.
    const replace = new FormData();
    replace.append('file', new Blob([Buffer.from('v2')]), 'trace2.bin');
    const replaced = await studentA.api.patch(`${responses(id)}${up.body.id}/`, { multipart: replace });
    assert.equal(replaced.status, 200, replaced.text);
    assert.equal(replaced.body.file_name, 'trace2.bin');
    assert.equal((await checkerA.api.get(url)).text, 'v2');
    const removed = await studentA.api.patch(`${responses(id)}${up.body.id}/`, { json: { file: null } });
    assert.equal(removed.status, 200);
    assert.equal(removed.body.file_name, '');
    const gone = await checkerA.api.get(url);
    assert.equal(gone.status, 404);
    assert.deepEqual(gone.body, NOT_FOUND);
    const plain = (await studentA.api.post(responses(id), { json: { response_type: 'Comment', contents: 'no file' } })).body;
    assert.equal((await studentA.api.get(`${responses(id)}${plain.id}/student_files/`)).status, 404);

    // Over the upload limit (4096 bytes here): 413 in the Hive envelope; an empty file: 400.
    const big = new FormData();
    big.append('response_type', 'Comment');
    big.append('file', new Blob([Buffer.alloc(5000, 1)]), 'big.bin');
    const tooBig = await studentA.api.post(responses(id), { multipart: big });
    assert.equal(tooBig.status, 413);
    assert.deepEqual(tooBig.body, { type: 'client_error', errors: [{ code: 'max_size', detail: 'File is too large (limit 4096 bytes).', attr: 'file' }] });
    const empty = new FormData();
    empty.append('response_type', 'Comment');
    empty.append('file', new Blob([]), 'empty.bin');
    assert.deepEqual(errs(await studentA.api.post(responses(id), { multipart: empty })), [['file', 'empty']]);
    const count = (await server.services.db.selectFrom('help_responses').select('id').where('help_id', '=', id).execute()).length;
    assert.equal(count, 3, 'rejected uploads wrote no response');
  });
});

describe('hive /help/ lists: filters, ordering, pagination, bulk answers, feeds', () => {
  let server: TestServer;
  let c: Awaited<ReturnType<typeof cast>>;
  const base = '/api/core/help/';
  let h: Record<'loop' | 'medical' | 'error' | 'music' | 'recursion', number>;
  let tree: { module2: number; subject2: number; exercise2: number; class1: number; class2: number; mentor1: number; mentor2: number };

  before(async () => {
    server = await startTestServer();
    c = await cast(server);
    const { services } = server;
    const { db, clock } = services;
    const subject2 = await services.subjects.create(c.A.admin, { course_id: c.A.program.id, symbol: 'S2', name: 'Advanced', color: '#445566' });
    const module2 = await services.modules.create(c.A.admin, { subject_id: subject2.id, name: 'Recursion', order: '1' });
    const exercise2 = (await makeExercise(server, module2.id, { name: 'Hanoi' })).id;
    const klass = async (name: string) => (await db.insertInto('classes').values({ course_id: c.A.program.id, name, created_at: clock.now() }).returning('id').executeTakeFirstOrThrow()).id;
    const class1 = await klass('Help Room 1');
    const class2 = await klass('Help Room 2');
    await db.insertInto('class_members').values({ class_id: class1, user_id: c.studentA.id }).execute();
    await db.insertInto('class_members').values({ class_id: class2, user_id: c.studentB.id }).execute();
    const mentor1 = (await actorClient(server, 2)).id;
    const mentor2 = (await actorClient(server, 2)).id;
    await db.updateTable('users').set({ mentor_id: mentor1 }).where('id', '=', c.studentA.id).execute();
    await db.updateTable('users').set({ mentor_id: mentor2 }).where('id', '=', c.studentA2.id).execute();
    tree = { module2: module2.id, subject2: subject2.id, exercise2, class1, class2, mentor1, mentor2 };

    const open = async (who: { api: Client }, user: number, title: string, help_type: string, exercise_id: number | null) => {
      const res = await who.api.post(base, { json: { user, title, help_type, exercise_id } });
      assert.equal(res.status, 201, res.text);
      return res.body.id as number;
    };
    h = {
      loop: await open(c.studentA, c.studentA.id, 'Loop question', 'Exercise', c.exA.id),
      medical: await open(c.staff, c.studentA.id, 'Medical issue', 'Medical', null),
      error: await open(c.studentA2, c.studentA2.id, 'Error in tests', 'Error', exercise2),
      music: await open(c.studentB, c.studentB.id, 'Music please', 'Music', null),
      recursion: await open(c.checkerA, c.studentA2.id, 'recursion PROBLEM', 'Exercise', c.exA.id),
    };
    await c.staff.api.post(`${base}${h.error}/responses/`, { json: { response_type: 'Resolve', contents: 'Fixed the test' } });
    await c.staff.api.post(`${base}${h.recursion}/responses/`, { json: { response_type: 'Comment', contents: 'Try base case 100%' } });
  });
  after(() => server.close());

  const list = async (query: string, who: Client = c.staff.api) => {
    const res = await who.get(`${base}?${query}`);
    assert.equal(res.status, 200, res.text);
    assert.ok(Array.isArray(res.body), `bare array for ${query}`);
    return ids(res);
  };

  it('applies every filter', async () => {
    const all = [h.loop, h.medical, h.error, h.music, h.recursion];
    assert.deepEqual(await list(''), all);
    assert.deepEqual(await list(`created_by=${c.studentA.id}`), [h.loop]);
    assert.deepEqual(await list(`created_by=${c.staff.id}`), [h.medical]);
    assert.deepEqual(await list('current=true'), [h.loop, h.medical, h.music, h.recursion]);
    assert.deepEqual(await list('current=False'), [h.error]);
    assert.deepEqual(await list(`for_exercise__id=${c.exA.id}`), [h.loop, h.recursion]);
    assert.deepEqual(await list(`for_exercise__parent_module__id=${tree.module2}`), [h.error]);
    assert.deepEqual(await list(`for_exercise__parent_module__parent_subject__id=${c.A.subject.id}`), [h.loop, h.recursion]);
    assert.deepEqual(await list(`for_exercise__parent_module__parent_subject__id=${tree.subject2}`), [h.error]);
    // free_text: case-insensitive, on titles and on response contents; % and _ match themselves.
    assert.deepEqual(await list('free_text=problem'), [h.recursion]);
    assert.deepEqual(await list('free_text=QUESTION'), [h.loop]);
    assert.deepEqual(await list('free_text=fixed%20THE'), [h.error]);
    assert.deepEqual(await list('free_text=100%25'), [h.recursion]);
    assert.deepEqual(await list('free_text=%25'), [h.recursion]);
    assert.deepEqual(await list('free_text=_'), []);
    assert.deepEqual(await list('help_status__in=Resolved'), [h.error]);
    assert.deepEqual(await list('help_status__in=Open,Resolved'), all);
    assert.deepEqual(await list('help_type__in=Medical,Music'), [h.medical, h.music]);
    assert.deepEqual(await list('help_type__in=Medical&help_type__in=Error'), [h.medical, h.error]);
    assert.deepEqual(await list(`user__classes__id=${tree.class1}`), [h.loop, h.medical]);
    assert.deepEqual(await list(`user__classes__id__in=${tree.class1},${tree.class2}`), [h.loop, h.medical, h.music]);
    assert.deepEqual(await list(`user__id__in=${c.studentA2.id}`), [h.error, h.recursion]);
    assert.deepEqual(await list(`user__id__in=${c.studentA2.id},${c.studentB.id}`), [h.error, h.music, h.recursion]);
    assert.deepEqual(await list(`user__mentor__id=${tree.mentor1}`), [h.loop, h.medical]);
    assert.deepEqual(await list(`user__mentor__id__in=${tree.mentor2},999999`), [h.error, h.recursion]);
    assert.deepEqual(await list(`user__program__id__in=${c.B.program.id}`), [h.music]);
    // Filters combine; unknown parameters are ignored.
    assert.deepEqual(await list(`help_type__in=Exercise&user__id__in=${c.studentA.id}&whatever=1`), [h.loop]);
    // The filters never widen what the caller sees.
    assert.deepEqual(await list('', c.checkerA.api), [h.loop, h.medical, h.error, h.recursion]);
    assert.deepEqual(await list(`user__program__id__in=${c.B.program.id}`, c.checkerA.api), []);
    assert.deepEqual(await list('', c.studentA.api), [h.loop, h.medical]);
    assert.deepEqual(await list('help_type__in=Medical', c.studentA.api), [h.medical]);
  });

  it('orders by the allowed fields, ignoring unknown ones', async () => {
    assert.deepEqual(await list('ordering=-id'), [h.recursion, h.music, h.error, h.medical, h.loop]);
    assert.deepEqual(await list('ordering=title'), [h.error, h.loop, h.medical, h.music, h.recursion]);
    assert.deepEqual(await list('ordering=-help_status,-help_type'), [h.error, h.music, h.medical, h.loop, h.recursion]);
    assert.deepEqual(await list('ordering=help_status,id'), [h.loop, h.medical, h.music, h.recursion, h.error]);
    assert.deepEqual(await list(`ordering=-user`), [...[h.loop, h.medical, h.error, h.music, h.recursion]].sort((x, y) => userOf(y) - userOf(x) || x - y));
    assert.deepEqual(await list('ordering=bogus,-nothing'), [h.loop, h.medical, h.error, h.music, h.recursion]);
    await c.checkerA.api.put(`${base}${h.music}/lock/`).then((r) => assert.equal(r.status, 404, 'not their program'));
    assert.equal((await c.staff.api.put(`${base}${h.medical}/lock/`)).status, 200);
    // A thread without a checker comes after those with one, ascending; first, descending.
    assert.deepEqual((await list('ordering=checker'))[0], h.medical);
    assert.deepEqual((await list('ordering=-checker')).at(-1), h.medical);
    assert.equal((await c.staff.api.put(`${base}${h.medical}/unlock/`)).status, 200);
  });

  function userOf(id: number): number {
    return id === h.loop || id === h.medical ? c.studentA.id : id === h.music ? c.studentB.id : c.studentA2.id;
  }

  it('pages with limit and offset, with absolute next and previous links', async () => {
    const page = async (query: string, url = base) => {
      const res = await c.staff.api.get(`${url}?${query}`);
      assert.equal(res.status, 200, res.text);
      return res.body;
    };
    const first = await page('limit=2');
    assert.deepEqual(Object.keys(first).sort(), ['count', 'next', 'previous', 'results']);
    assert.equal(first.count, 5);
    assert.deepEqual(first.results.map((r: { id: number }) => r.id), [h.loop, h.medical]);
    assert.deepEqual(Object.keys(first.results[0]).sort(), HELP_KEYS);
    assert.equal(first.next, 'http://localhost:80/api/core/help/?limit=2&offset=2');
    assert.equal(first.previous, null);
    const second = await page('limit=2&offset=2');
    assert.deepEqual(second.results.map((r: { id: number }) => r.id), [h.error, h.music]);
    assert.equal(second.next, 'http://localhost:80/api/core/help/?limit=2&offset=4');
    // The previous page starts at 0: no offset at all.
    assert.equal(second.previous, 'http://localhost:80/api/core/help/?limit=2');
    const last = await page('offset=4&limit=2');
    assert.deepEqual(last.results.map((r: { id: number }) => r.id), [h.recursion]);
    assert.equal(last.next, null);
    assert.equal(last.previous, 'http://localhost:80/api/core/help/?limit=2&offset=2');
    // Every other parameter is kept (sorted, as DRF writes them), also from the slashless path.
    const filtered = await page('user__id__in=' + c.studentA.id + ',' + c.studentA2.id + '&limit=1&ordering=-id&offset=1', '/api/core/help');
    assert.equal(filtered.count, 4);
    assert.deepEqual(filtered.results.map((r: { id: number }) => r.id), [h.error]);
    const encodedUsers = `${c.studentA.id}%2C${c.studentA2.id}`;
    assert.equal(filtered.next, `http://localhost:80/api/core/help/?limit=1&offset=2&ordering=-id&user__id__in=${encodedUsers}`);
    assert.equal(filtered.previous, `http://localhost:80/api/core/help/?limit=1&ordering=-id&user__id__in=${encodedUsers}`);
    // hive-core's open count.
    const openCount = await page('limit=1&help_status__in=Open');
    assert.equal(openCount.count, 4);
    assert.equal(openCount.results.length, 1);
    // Beyond the end: an empty page.
    const beyond = await page('limit=2&offset=50');
    assert.deepEqual(beyond.results, []);
    assert.equal(beyond.next, null);
    assert.equal(beyond.previous, 'http://localhost:80/api/core/help/?limit=2&offset=48');
    // limit missing or not a positive integer: the bare array; a bad offset is 0.
    for (const q of ['', 'limit=0', 'limit=-3', 'limit=abc', 'offset=2']) assert.ok(Array.isArray(await page(q)), q);
    assert.deepEqual((await page('limit=2&offset=zz')).results.map((r: { id: number }) => r.id), [h.loop, h.medical]);
    // Forwarded headers do not count without a trusted proxy.
    const forwarded = await c.staff.api.get(`${base}?limit=1`, { headers: { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' } });
    assert.equal(forwarded.body.next, 'http://localhost:80/api/core/help/?limit=1&offset=1');
  });

  it('huge or negative limit and offset page cleanly on both engines, never a 500', async () => {
    const get = async (query: string) => {
      const res = await c.staff.api.get(`${base}?${query}`);
      assert.equal(res.status, 200, `${query}: ${res.text}`);
      return res.body;
    };
    const huge = ['100000000000000000000', '9223372036854775808', '18446744073709551616'];
    for (const n of huge) {
      assert.equal((await get(`limit=${n}`)).results.length, 5, n);
      assert.deepEqual((await get(`limit=2&offset=${n}`)).results, [], n);
    }
    for (const q of ['limit=1e20', 'limit=-9223372036854775808']) assert.ok(Array.isArray(await get(q)), q);
    assert.deepEqual((await get('limit=2&offset=-9223372036854775808')).results.map((r: { id: number }) => r.id), [h.loop, h.medical]);
  });

  it('builds the links from the configured public URL', async () => {
    const other = await startTestServer({ env: { ASSAY_PUBLIC_URL: 'https://hive.example.org/' } });
    try {
      const student = await makeStudent(other, (await makeCourseTree(other)).program.id);
      for (const title of ['one', 'two']) await student.api.post(base, { json: { user: student.id, title, help_type: 'Other', exercise_id: null } });
      const res = await student.api.get(`${base}?limit=1`);
      assert.equal(res.body.count, 2);
      assert.equal(res.body.next, 'https://hive.example.org/api/core/help/?limit=1&offset=1');
    } finally {
      await other.close();
    }
  });

  it('answers every filtered thread at once with bulk_respond', async () => {
    const url = `${base}bulk_respond/`;
    assert.equal((await c.studentA.api.post(`${url}?help_type__in=Exercise`, { json: { response_type: 'Comment' } })).status, 403);
    assert.deepEqual(errs(await c.checkerA.api.post(url, { json: { contents: 'x' } })), [['response_type', 'required']]);
    const countBefore = async () =>
      new Map((await server.services.db.selectFrom('help_responses').select(['help_id']).execute()).reduce((m, r) => m.set(r.help_id, (m.get(r.help_id) ?? 0) + 1), new Map<number, number>()));
    const before = await countBefore();

    const res = await c.checkerA.api.post(`${url}?help_type__in=Exercise,Error&current=true`, { json: { response_type: 'Resolve', contents: 'Closing: see the FAQ' } });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.map((r: { response_type: string; contents: string; user: number }) => [r.response_type, r.contents, r.user]), [
      ['Resolve', 'Closing: see the FAQ', c.checkerA.id],
      ['Resolve', 'Closing: see the FAQ', c.checkerA.id],
    ]);
    assert.deepEqual(Object.keys(res.body[0]).sort(), RESPONSE_KEYS);
    const after = await countBefore();
    for (const id of Object.values(h)) {
      const added = (after.get(id) ?? 0) - (before.get(id) ?? 0);
      assert.equal(added, id === h.loop || id === h.recursion ? 1 : 0, `help ${id}`);
    }
    const rows = await server.services.db.selectFrom('help_responses').select(['id', 'help_id']).where('id', 'in', res.body.map((r: { id: number }) => r.id)).orderBy('id').execute();
    assert.deepEqual(rows.map((r) => r.help_id), [h.loop, h.recursion]);
    for (const id of [h.loop, h.recursion]) assert.equal((await c.staff.api.get(`${base}${id}/`)).body.help_status, 'Resolved');
    // The students were notified, in the same transaction as the responses.
    const notes = await server.services.db.selectFrom('notifications').select(['for_user_id', 'help_id']).where('response_type', '=', 'Resolve').where('from_user_id', '=', c.checkerA.id).execute();
    assert.deepEqual(notes.map((n) => [n.help_id, n.for_user_id]).sort(), [[h.loop, c.studentA.id], [h.recursion, c.studentA2.id]].sort());

    // Nothing matches: nothing is written.
    const none = await c.checkerA.api.post(`${url}?help_type__in=Request`, { json: { response_type: 'Comment' } });
    assert.equal(none.status, 200);
    assert.deepEqual(none.body, []);
    // A checker skips the threads another checker holds; the filters still apply.
    assert.equal((await c.checkerA2.api.put(`${base}${h.recursion}/lock/`)).status, 200);
    const reopened = await c.checkerA.api.post(`${url}?help_type__in=Exercise`, { form: { response_type: 'Open', contents: 'Reopening' } });
    assert.equal(reopened.status, 200, reopened.text);
    assert.deepEqual((await server.services.db.selectFrom('help_responses').select('help_id').where('id', 'in', ids(reopened)).execute()).map((r) => r.help_id), [h.loop]);
    assert.equal((await c.checkerA2.api.put(`${base}${h.recursion}/unlock/`)).status, 200);
  });

  it('feeds the latest staff-touched threads to the staff side', async () => {
    const url = `${base}latest/`;
    assert.deepEqual((await c.studentA.api.get(url)).body, { type: 'client_error', errors: [{ code: 'permission_denied', detail: 'You do not have permission to perform this action.', attr: null }] });
    for (const method of ['post', 'put', 'patch', 'delete'] as const) {
      const res = await c.staff.api[method](method === 'post' ? url : `${url}${h.loop}/`, { json: {} });
      assert.equal(res.status, 405, method);
      assert.equal(res.body.errors[0].code, 'method_not_allowed');
    }
    const feed = await c.staff.api.get(url);
    assert.equal(feed.status, 200);
    assert.deepEqual(Object.keys(feed.body[0]).sort(), ['id', 'last_staff_updated', 'user_name']);
    const times = feed.body.map((n: { last_staff_updated: string }) => n.last_staff_updated);
    assert.deepEqual(times, [...times].sort().reverse());
    for (const t of times) assert.match(t, TIMESTAMP);

    const markIso = times[0] as string;
    assert.deepEqual(ids(await c.staff.api.get(`${url}?last_staff_updated__gt=${encodeURIComponent(markIso)}`)), []);
    await c.checkerA.api.post(`${base}${h.medical}/responses/`, { json: { response_type: 'Comment', contents: 'How are you?' } });
    // A student's response is no staff update.
    await c.studentB.api.post(`${base}${h.music}/responses/`, { json: { response_type: 'Comment', contents: 'ping' } });
    const recent = await c.staff.api.get(`${url}?last_staff_updated__gt=${encodeURIComponent(markIso)}`);
    assert.deepEqual(ids(recent), [h.medical]);
    assert.equal(recent.body[0].user_name, `Stu Dent`);
    assert.equal(ids(await c.staff.api.get(url))[0], h.medical);

    assert.deepEqual(ids(await c.staff.api.get(`${url}?help_type__in=Music,Medical`)), [h.medical, h.music]);
    assert.deepEqual(ids(await c.staff.api.get(`${url}?user__id__in=${c.studentB.id}`)), [h.music]);
    assert.deepEqual(ids(await c.staff.api.get(`${url}?user__classes__id=${tree.class2}`)), [h.music]);
    assert.deepEqual(ids(await c.staff.api.get(`${url}?user__mentor__id=${tree.mentor1}`)).sort(), [h.loop, h.medical].sort());
    assert.ok(!ids(await c.checkerA.api.get(url)).includes(h.music), 'only visible threads');
    assert.deepEqual(errs(await c.staff.api.get(`${url}?last_staff_updated__gt=yesterday`)), [['last_staff_updated__gt', 'invalid']]);

    const one = await c.checkerA.api.get(`${url}${h.medical}/`);
    assert.equal(one.status, 200);
    assert.deepEqual(Object.keys(one.body).sort(), ['id', 'last_staff_updated', 'user_name']);
    assert.equal(one.body.id, h.medical);
    assert.equal((await c.checkerA.api.get(`${url}${h.music}/`)).status, 404);
  });
  it('suggests the staff side\'s most common answers on similar threads', async () => {
    const { studentA, studentA2, checkerA, checkerA2, staff } = c;
    const ex = (await makeExercise(server, c.A.module.id, { name: 'Top answers' })).id;
    const open = async (who: { id: number; api: Client }, help_type = 'Exercise', exercise_id: number | null = ex) =>
      (await who.api.post(base, { json: { user: who.id, title: 'Same problem', help_type, exercise_id } })).body.id as number;
    const answer = (who: { api: Client }, id: number, contents: string) => who.api.post(`${base}${id}/responses/`, { json: { response_type: 'Comment', contents } });
    const [t1, t2, t3, mine] = [await open(studentA), await open(studentA2), await open(studentA), await open(studentA2)];
    await answer(checkerA, t1, 'Check the loop bounds');
    await answer(checkerA2, t2, 'Check the loop bounds');
    await answer(staff, t3, 'Read the spec again');
    await answer(studentA, t3, 'Students do not count');
    await answer(checkerA, mine, 'Not from the thread itself');
    // Another type, another exercise: not similar.
    await answer(checkerA, await open(studentA, 'Error'), 'Other type');
    await answer(checkerA, await open(studentA, 'Exercise', c.exA.id), 'Other exercise');

    const top = await checkerA.api.get(`${base}${mine}/top_responses/`);
    assert.equal(top.status, 200, top.text);
    assert.deepEqual(top.body, [{ contents: 'Check the loop bounds' }, { contents: 'Read the spec again' }]);
    const chat = (await staff.api.post(base, { json: { user: studentA.id, title: 'Chat', help_type: 'Chat', exercise_id: ex } })).body.id;
    await answer(staff, chat, 'hello');
    assert.deepEqual((await staff.api.get(`${base}${chat}/top_responses/`)).body, []);
    assert.equal((await studentA2.api.get(`${base}${mine}/top_responses/`)).status, 403);
    assert.equal((await c.otherChecker.api.get(`${base}${mine}/top_responses/`)).status, 404);
  });

});

describe('hive /help/ free_text folds the case of every letter, on both engines', () => {
  let server: TestServer;
  let c: Awaited<ReturnType<typeof cast>>;
  const base = '/api/core/help/';
  let t: Record<'norsk' | 'greek' | 'mixed' | 'folds', number>;

  before(async () => {
    server = await startTestServer();
    c = await cast(server);
    const open = async (title: string) => {
      const res = await c.studentA.api.post(base, { json: { user: c.studentA.id, title, help_type: 'Other', exercise_id: null } });
      assert.equal(res.status, 201, res.text);
      return res.body.id as number;
    };
    t = {
      norsk: await open('Øving på Ærø'),
      greek: await open('ΟΔΟΣ και Σοφία'),
      mixed: await open('Дмитрий: Émile Über'),
      folds: await open('İzmir \u212aelvin'),
    };
    await c.staff.api.post(`${base}${t.norsk}/responses/`, { json: { response_type: 'Comment', contents: 'ÅSE SPØR' } });
  });
  after(() => server.close());

  it('matches Æ Ø Å É Ü Σ Д in titles and responses whatever the case on either side', async () => {
    const list = async (text: string) => {
      const res = await c.staff.api.get(`${base}?free_text=${encodeURIComponent(text)}`);
      assert.equal(res.status, 200, res.text);
      return ids(res);
    };
    const cases: [string, number[]][] = [
      ['øVING', [t.norsk]],
      ['ærø', [t.norsk]],
      ['ÆRØ', [t.norsk]],
      ['åse spør', [t.norsk]],
      ['οδος', [t.greek]],
      ['ΟΔΟΣ ΚΑΙ', [t.greek]],
      ['σοφία', [t.greek]],
      ['ΣΟΦΊΑ', [t.greek]],
      ['дмитрий', [t.mixed]],
      ['ДМИТРИЙ', [t.mixed]],
      ['émile über', [t.mixed]],
      ['ÉMILE ÜBER', [t.mixed]],
      ['izmir', [t.folds]],
      ['İZMİR', [t.folds]],
      ['kelvin', [t.folds]],
      ['Å', [t.norsk]],
    ];
    for (const [text, expected] of cases) assert.deepEqual(await list(text), expected, text);
  });
});
