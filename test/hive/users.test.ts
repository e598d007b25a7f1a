import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import { startTestServer } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';
import { PASSWORD, actorClient, adminActor, login, makeCourseTree, makeStudent, makeUser } from '../helpers/fixtures.ts';
import type { Client, Reply } from '../helpers/http.ts';
import { client } from '../helpers/http.ts';

const USERS = '/api/core/management/users/';

const COURSE_USER_KEYS = [
  'avatar_filename', 'checkers_brief', 'classes', 'clearance', 'confirmed', 'current_assignment', 'current_assignment_options',
  'disable_queue', 'disable_user_queue', 'display_name', 'first_name', 'gender', 'hostname', 'id', 'last_name', 'mentees',
  'mentor', 'number', 'override_queue', 'program', 'queue', 'status', 'status_date', 'teacher', 'user_queue', 'username',
];

const ME_KEYS = [
  'clearance', 'confirmed', 'current_assignment', 'current_assignment__exercise_id', 'current_assignment__exercise_name',
  'current_assignment__module_id', 'current_assignment__subject_id', 'current_assignment_options', 'display_name',
  'hanich_raise_hand', 'id', 'number', 'only_today', 'program', 'program__name', 'schedule_enabled', 'status', 'teacher', 'username',
];

let seq = 0;
const uname = (prefix: string) => `${prefix}_${++seq}_${process.pid}`;
const errors = (res: Reply) => (res.body.errors as { attr: string | null; code: string; detail: string }[]).map((e) => [e.attr, e.code]).sort();
const ids = (res: Reply) => (res.body as { id: number }[]).map((u) => u.id).sort((a, b) => a - b);

describe('hive /management/users/', () => {
  const clock = new ManualClock('2024-05-01T09:30:00.000000Z');
  let server: TestServer;
  let admin: Client;
  let staff: Client;
  let staffId: number;
  /** Checker of program A (sees A's students, not B's). */
  let checker: Client;
  let checkerId: number;
  let programA: number;
  let programB: number;
  let studentA: { id: number; username: string; api: Client };
  let studentB: { id: number; username: string; api: Client };
  let classX: number;
  let classY: number;
  let queueId: number;

  const db = () => server.services.db;

  async function insertClass(courseId: number, name: string): Promise<number> {
    const row = await db().insertInto('classes').values({ course_id: courseId, name, created_at: clock.now() }).returning('id').executeTakeFirstOrThrow();
    return row.id;
  }

  /** A student created over the API by staff (201 checked). */
  async function createStudent(program: number, extra: Record<string, unknown> = {}) {
    const res = await staff.post(USERS, {
      json: { username: uname('stu'), clearance: 1, gender: 'Female', status: 'Present', number: ++seq, program, mentees: [], password: PASSWORD, ...extra },
    });
    assert.equal(res.status, 201, res.text);
    return res.body as { id: number; username: string };
  }

  before(async () => {
    server = await startTestServer({ clock });
    admin = (await actorClient(server, 5)).api;
    const s = await actorClient(server, 3);
    staff = s.api;
    staffId = s.id;
    const treeA = await makeCourseTree(server);
    const treeB = await makeCourseTree(server);
    programA = treeA.program.id;
    programB = treeB.program.id;
    checkerId = treeA.checker.id;
    checker = client(server.app, await login(server, treeA.checker.username));
    studentA = await makeStudent(server, programA);
    studentB = await makeStudent(server, programB);
    classX = await insertClass(programA, uname('class X'));
    classY = await insertClass(programA, uname('class Y'));
    const queue = await db().insertInto('queues').values({ name: 'q', user_id: studentA.id, created_at: clock.now() }).returning('id').executeTakeFirstOrThrow();
    queueId = queue.id;
  });
  after(() => server.close());

  describe('CRUD', () => {
    it('creates with JSON, retrieves, updates, patches and deletes', async () => {
      const mentee = await createStudent(programA);
      const res = await staff.post(USERS, {
        json: {
          username: uname('ada'),
          clearance: 1,
          gender: 'Female',
          status: 'Present',
          number: 4242,
          program: programA,
          classes: [classX, classY],
          mentees: [mentee.id],
          first_name: 'Ada',
          last_name: 'Lovelace',
          password: 'first-secret',
          hostname: 'pc-12',
          checkers_brief: 'careful',
          queue: queueId,
          disable_queue: true,
          confirmed: true,
          teacher: true,
          display_name: 'ignored, read-only',
          id: 999999,
        },
      });
      assert.equal(res.status, 201, res.text);
      assert.deepEqual(Object.keys(res.body).sort(), COURSE_USER_KEYS);
      const id = res.body.id as number;
      assert.notEqual(id, 999999);
      assert.deepEqual(res.body, {
        id,
        display_name: 'Ada Lovelace',
        clearance: 1,
        avatar_filename: '',
        gender: 'Female',
        number: 4242,
        program: programA,
        checkers_brief: 'careful',
        current_assignment: null,
        current_assignment_options: [],
        mentor: null,
        classes: [classX, classY].sort((a, b) => a - b),
        mentees: [mentee.id],
        username: res.body.username,
        first_name: 'Ada',
        last_name: 'Lovelace',
        status: 'Present',
        status_date: clock.now(),
        queue: queueId,
        disable_queue: true,
        user_queue: null,
        disable_user_queue: false,
        override_queue: null,
        confirmed: true,
        teacher: true,
        hostname: 'pc-12',
      });
      assert.ok(!('password' in res.body));
      // The password is stored hashed and works for login.
      const row = await db().selectFrom('users').select('password_hash').where('id', '=', id).executeTakeFirstOrThrow();
      assert.ok(row.password_hash && !row.password_hash.includes('first-secret'));
      await login(server, res.body.username, 'first-secret');
      // The program is mirrored as a student enrolment.
      const enrol = await db().selectFrom('enrollments').select(['course_id', 'role']).where('user_id', '=', id).execute();
      assert.deepEqual(enrol, [{ course_id: programA, role: 'student' }]);
      // The mentee now has this user as mentor.
      assert.equal((await staff.get(`${USERS}${mentee.id}/`)).body.mentor, id);

      assert.deepEqual((await staff.get(`${USERS}${id}/`)).body, res.body);

      const put = await staff.put(`${USERS}${id}/`, {
        json: { username: res.body.username, clearance: 1, gender: 'NonBinary', status: 'Home', number: 7, program: programB, mentees: [], classes: [classY] },
      });
      assert.equal(put.status, 200, put.text);
      assert.equal(put.body.gender, 'NonBinary');
      assert.equal(put.body.program, programB);
      assert.deepEqual(put.body.classes, [classY]);
      assert.deepEqual(put.body.mentees, []);
      assert.equal(put.body.status, 'Home');
      // Fields PUT leaves out keep their values (DRF only writes what it validated).
      assert.equal(put.body.first_name, 'Ada');
      const enrolAfter = await db().selectFrom('enrollments').select(['course_id']).where('user_id', '=', id).execute();
      assert.deepEqual(enrolAfter, [{ course_id: programB }]);

      const patch = await staff.patch(`${USERS}${id}/`, { json: { first_name: '', last_name: '', hostname: 'pc-13' } });
      assert.equal(patch.status, 200, patch.text);
      assert.equal(patch.body.display_name, patch.body.username);
      assert.equal(patch.body.hostname, 'pc-13');
      assert.deepEqual(patch.body.classes, [classY]);

      const del = await staff.delete(`${USERS}${id}/`);
      assert.equal(del.status, 204);
      assert.equal(del.text, '');
      assert.equal((await staff.get(`${USERS}${id}/`)).status, 404);
      assert.equal((await staff.delete(`${USERS}${id}/`)).status, 404);
    });

    it('creates and updates with form bodies (repeated keys for lists, strings for numbers and booleans)', async () => {
      const m1 = await createStudent(programA);
      const m2 = await createStudent(programA);
      const res = await staff.post(USERS, {
        form: {
          username: uname('form'),
          clearance: '2',
          gender: 'Male',
          status: 'Present',
          number: '',
          program: '',
          mentor: '',
          classes: [String(classX), String(classY)],
          mentees: [String(m1.id), String(m2.id)],
          confirmed: 'on',
          disable_user_queue: 'true',
          password: 'form-pass',
        },
      });
      assert.equal(res.status, 201, res.text);
      assert.equal(res.body.clearance, 2);
      assert.equal(res.body.number, null);
      assert.equal(res.body.program, null);
      assert.deepEqual(res.body.classes, [classX, classY].sort((a, b) => a - b));
      assert.deepEqual(res.body.mentees, [m1.id, m2.id].sort((a, b) => a - b));
      assert.equal(res.body.confirmed, true);
      assert.equal(res.body.disable_user_queue, true);
      await login(server, res.body.username, 'form-pass');

      // A form PUT that leaves the lists out empties them, as DRF reads HTML input.
      const put = await staff.put(`${USERS}${res.body.id}/`, { form: { username: res.body.username, clearance: '3', gender: 'Male', status: 'Room' } });
      assert.equal(put.status, 200, put.text);
      assert.equal(put.body.clearance, 3);
      assert.deepEqual(put.body.classes, []);
      assert.deepEqual(put.body.mentees, []);
      // A form PATCH leaves what it does not mention.
      const patch = await staff.patch(`${USERS}${res.body.id}/`, { form: { classes: String(classX), confirmed: 'no' } });
      assert.equal(patch.status, 200, patch.text);
      assert.deepEqual(patch.body.classes, [classX]);
      assert.equal(patch.body.confirmed, false);
      assert.equal(patch.body.status, 'Room');
    });

    it('uploads an avatar with multipart and serves it back byte for byte', async () => {
      const bytes = crypto.randomBytes(3000);
      const form = new FormData();
      form.set('username', uname('pic'));
      form.set('clearance', '3');
      form.set('gender', 'Female');
      form.set('status', 'Present');
      form.append('classes', String(classX));
      form.set('avatar', new Blob([bytes], { type: 'image/png' }), 'me photo.png');
      const res = await staff.post(USERS, { multipart: form });
      assert.equal(res.status, 201, res.text);
      assert.equal(res.body.avatar_filename, 'me photo.png');
      assert.deepEqual(res.body.classes, [classX]);
      assert.deepEqual(res.body.mentees, []);
      assert.ok(!('avatar' in res.body));
      const id = res.body.id as number;

      const got = await staff.get(`${USERS}${id}/avatar/`);
      assert.equal(got.status, 200);
      assert.equal(got.headers['content-type'], 'application/octet-stream');
      assert.equal(got.headers['content-disposition'], `attachment; filename="me photo.png"; filename*=UTF-8''me%20photo.png`);
      assert.ok(got.raw.equals(bytes));

      // An explicit avatar_filename wins over the part's name.
      const again = new FormData();
      again.set('avatar_filename', 'פרצוף.jpg');
      again.set('avatar', new Blob([Buffer.from('second')]), 'ignored.jpg');
      const patched = await staff.patch(`${USERS}${id}/`, { multipart: again });
      assert.equal(patched.status, 200, patched.text);
      assert.equal(patched.body.avatar_filename, 'פרצוף.jpg');
      const second = await staff.get(`${USERS}${id}/avatar/`);
      assert.equal(second.text, 'second');
      assert.equal(second.headers['content-disposition'], `attachment; filename="_____.jpg"; filename*=UTF-8''${encodeURIComponent('פרצוף.jpg')}`);

      // A JSON PATCH without avatar keeps it; avatar null removes it.
      assert.equal((await staff.patch(`${USERS}${id}/`, { json: { hostname: 'x' } })).body.avatar_filename, 'פרצוף.jpg');
      assert.equal((await staff.get(`${USERS}${id}/avatar/`)).status, 200);
      const cleared = await staff.patch(`${USERS}${id}/`, { json: { avatar: null } });
      assert.equal(cleared.status, 200);
      assert.equal(cleared.body.avatar_filename, '');
      const gone = await staff.get(`${USERS}${id}/avatar/`);
      assert.equal(gone.status, 404);
      assert.equal(gone.body.errors[0].code, 'not_found');
    });

    it('refuses an avatar that is not a file, or an empty file', async () => {
      const notFile = await staff.patch(`${USERS}${staffId}/`, { json: { avatar: 'aGVsbG8=' } });
      assert.equal(notFile.status, 400);
      assert.deepEqual(notFile.body.errors, [
        { code: 'invalid', detail: 'The submitted data was not a file. Check the encoding type on the form.', attr: 'avatar' },
      ]);
      const withOthers = await staff.patch(`${USERS}${staffId}/`, { json: { avatar: 5, gender: 'x' } });
      assert.deepEqual(errors(withOthers), [['avatar', 'invalid'], ['gender', 'invalid_choice']]);
      const empty = new FormData();
      empty.set('avatar', new Blob([]), 'empty.png');
      const res = await staff.patch(`${USERS}${staffId}/`, { multipart: empty });
      assert.equal(res.status, 400);
      assert.deepEqual(res.body.errors, [{ code: 'empty', detail: 'The submitted file is empty.', attr: 'avatar' }]);
      assert.equal((await staff.get(`${USERS}${staffId}/avatar/`)).status, 404);
    });
  });

  describe('validation', () => {
    it('reports every missing required field on create, and none on PATCH', async () => {
      const res = await staff.post(USERS, { json: {} });
      assert.equal(res.status, 400);
      assert.equal(res.body.type, 'validation_error');
      assert.deepEqual(errors(res), [
        ['clearance', 'required'],
        ['gender', 'required'],
        ['mentees', 'required'],
        ['status', 'required'],
        ['username', 'required'],
      ]);
      assert.equal(res.body.errors[0].detail, 'This field is required.');
      const put = await staff.put(`${USERS}${studentA.id}/`, { json: { first_name: 'x' } });
      assert.equal(put.status, 400);
      assert.equal(put.body.errors.length, 5);
      assert.equal((await staff.patch(`${USERS}${studentA.id}/`, { json: {} })).status, 200);
    });

    it('refuses wrong types, unknown enum values and oversize strings', async () => {
      const res = await staff.post(USERS, {
        json: {
          username: 'x'.repeat(151),
          clearance: 4,
          gender: 'male',
          status: 'Away',
          number: 'seven',
          program: 'abc',
          classes: 'not a list',
          mentees: [],
          first_name: 'f'.repeat(151),
          last_name: 'l'.repeat(151),
          hostname: 'h'.repeat(256),
          password: 'p'.repeat(129),
          confirmed: 'maybe',
        },
      });
      assert.equal(res.status, 400);
      assert.deepEqual(errors(res), [
        ['classes', 'not_a_list'],
        ['clearance', 'invalid_choice'],
        ['confirmed', 'invalid'],
        ['first_name', 'max_length'],
        ['gender', 'invalid_choice'],
        ['hostname', 'max_length'],
        ['last_name', 'max_length'],
        ['number', 'invalid'],
        ['password', 'max_length'],
        ['program', 'invalid'],
        ['status', 'invalid_choice'],
        ['username', 'max_length'],
      ]);
      const detail = (attr: string) => res.body.errors.find((e: { attr: string }) => e.attr === attr).detail;
      assert.equal(detail('clearance'), '"4" is not a valid choice.');
      assert.equal(detail('username'), 'Ensure this field has no more than 150 characters.');
      assert.equal(detail('hostname'), 'Ensure this field has no more than 255 characters.');
      assert.equal(detail('password'), 'Ensure this field has no more than 128 characters.');
    });

    it('refuses blank usernames and passwords, invalid usernames and taken usernames', async () => {
      const blank = await staff.post(USERS, { json: { username: '', password: '', clearance: 3, gender: 'Male', status: 'Present', mentees: [] } });
      assert.deepEqual(errors(blank), [['password', 'blank'], ['username', 'blank']]);
      const invalid = await staff.post(USERS, { json: { username: 'has space!', clearance: 3, gender: 'Male', status: 'Present', mentees: [] } });
      assert.equal(invalid.status, 400);
      assert.deepEqual(invalid.body.errors, [
        { code: 'invalid', detail: 'Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.', attr: 'username' },
      ]);
      const taken = await staff.post(USERS, { json: { username: studentA.username, clearance: 3, gender: 'Male', status: 'Present', mentees: [] } });
      assert.equal(taken.status, 400);
      assert.deepEqual(taken.body.errors, [{ code: 'unique', detail: 'A user with that username already exists.', attr: 'username' }]);
      const renamed = await staff.patch(`${USERS}${studentB.id}/`, { json: { username: studentA.username } });
      assert.deepEqual(errors(renamed), [['username', 'unique']]);
      // Keeping one's own name is not a clash.
      assert.equal((await staff.patch(`${USERS}${studentB.id}/`, { json: { username: studentB.username } })).status, 200);
      assert.equal((await staff.patch(`${USERS}${studentB.id}/`, { json: { username: 'ok.name+tag@x-y_z' } })).status, 200);
      studentB.username = 'ok.name+tag@x-y_z';
    });

    it('refuses unknown program, mentor, class, mentee and queue ids with does_not_exist', async () => {
      const res = await staff.post(USERS, {
        json: {
          username: uname('refs'),
          clearance: 1,
          gender: 'Male',
          status: 'Present',
          number: 1,
          program: 999999,
          mentor: 999998,
          classes: [classX, 999997],
          mentees: [999996],
          queue: 999995,
          user_queue: 999994,
          override_queue: 999993,
        },
      });
      assert.equal(res.status, 400);
      assert.deepEqual(errors(res), [
        ['classes', 'does_not_exist'],
        ['mentees', 'does_not_exist'],
        ['mentor', 'does_not_exist'],
        ['override_queue', 'does_not_exist'],
        ['program', 'does_not_exist'],
        ['queue', 'does_not_exist'],
        ['user_queue', 'does_not_exist'],
      ]);
      assert.equal(res.body.errors.find((e: { attr: string }) => e.attr === 'program').detail, 'Invalid pk "999999" - object does not exist.');
      assert.equal(res.body.errors.find((e: { attr: string }) => e.attr === 'classes').detail, 'Invalid pk "999997" - object does not exist.');
      const patch = await staff.patch(`${USERS}${studentA.id}/`, { json: { mentor: 424242 } });
      assert.deepEqual(errors(patch), [['mentor', 'does_not_exist']]);
    });

    it('applies the clearance rule: students need number and program, others may have neither', async () => {
      const base = { clearance: 1, gender: 'Male', status: 'Present', mentees: [] };
      const bare = await staff.post(USERS, { json: { ...base, username: uname('nonum') } });
      assert.equal(bare.status, 400);
      assert.deepEqual(bare.body.errors, [
        { code: 'required', detail: 'This field is required.', attr: 'number' },
        { code: 'required', detail: 'This field is required.', attr: 'program' },
      ]);
      const noProgram = await staff.post(USERS, { json: { ...base, username: uname('noprog'), number: 5, program: null } });
      assert.deepEqual(errors(noProgram), [['program', 'required']]);
      const onlyInvalid = { code: 'invalid', detail: 'Only students (clearance 1) may have number, program or teacher.', attr: 'non_field_errors' };
      const checkerWithNumber = await staff.post(USERS, { json: { ...base, clearance: 2, username: uname('chk'), number: 5 } });
      assert.equal(checkerWithNumber.status, 400);
      assert.deepEqual(checkerWithNumber.body.errors, [onlyInvalid]);
      const staffWithProgram = await staff.post(USERS, { json: { ...base, clearance: 3, username: uname('stf'), program: programA } });
      assert.deepEqual(staffWithProgram.body.errors, [onlyInvalid]);
      const teacher = await staff.post(USERS, { json: { ...base, clearance: 2, username: uname('tch'), teacher: true } });
      assert.deepEqual(teacher.body.errors, [onlyInvalid]);
      // Promoting a student keeps their number and program unless they are cleared in the same request.
      const stu = await createStudent(programA);
      assert.deepEqual((await staff.patch(`${USERS}${stu.id}/`, { json: { clearance: 2 } })).body.errors, [onlyInvalid]);
      const promoted = await staff.patch(`${USERS}${stu.id}/`, { json: { clearance: 2, number: null, program: null } });
      assert.equal(promoted.status, 200, promoted.text);
      assert.equal(promoted.body.program, null);
      assert.deepEqual(await db().selectFrom('enrollments').select('course_id').where('user_id', '=', stu.id).execute(), []);
      // Demoting back needs both again.
      assert.deepEqual(errors(await staff.patch(`${USERS}${stu.id}/`, { json: { clearance: 1 } })), [['number', 'required'], ['program', 'required']]);
    });

    it('edits a student made without number or program (assay user create, a roster, ngshare): only clearing one is refused', async () => {
      const bare = await makeUser(server, 1);
      const renamed = await staff.patch(`${USERS}${bare.id}/`, { json: { first_name: 'Renamed' } });
      assert.equal(renamed.status, 200, renamed.text);
      assert.deepEqual([renamed.body.first_name, renamed.body.number, renamed.body.program], ['Renamed', null, null]);
      const current = await staff.get(`${USERS}${bare.id}/`);
      const { id: _id, display_name: _d, status_date: _s, current_assignment: _c, current_assignment_options: _o, ...writable } = current.body;
      const put = await staff.put(`${USERS}${bare.id}/`, { json: { ...writable, status: 'Present', mentees: [] } });
      assert.equal(put.status, 200, put.text);
      const joined = await staff.patch(`${USERS}${bare.id}/`, { json: { program: programA } });
      assert.equal(joined.status, 200, joined.text);
      assert.deepEqual(errors(await staff.patch(`${USERS}${bare.id}/`, { json: { program: null } })), [['program', 'required']]);
      const numbered = await staff.patch(`${USERS}${bare.id}/`, { json: { number: 77 } });
      assert.equal(numbered.status, 200, numbered.text);
      assert.deepEqual(errors(await staff.patch(`${USERS}${bare.id}/`, { json: { number: null } })), [['number', 'required']]);
    });
  });

  describe('filters', () => {
    let m: { id: number }[];
    let mentorA: { id: number };
    let mentorB: { id: number };
    let classX: number;
    let classY: number;

    before(async () => {
      classX = await insertClass(programA, uname('filter X'));
      classY = await insertClass(programA, uname('filter Y'));
      mentorA = await createStudent(programA);
      mentorB = await createStudent(programB);
      m = [
        await createStudent(programA, { classes: [classX], mentor: mentorA.id }),
        await createStudent(programA, { classes: [classX, classY], mentor: mentorA.id }),
        await createStudent(programB, { mentor: mentorB.id }),
      ];
    });

    const list = async (query: Record<string, string>) => {
      const res = await admin.get(USERS, { query });
      assert.equal(res.status, 200, res.text);
      assert.ok(Array.isArray(res.body));
      return ids(res);
    };

    it('filters by id, class, clearance, mentor, program and program checker', async () => {
      assert.deepEqual(await list({ id__in: `${m[0]!.id},${m[2]!.id}` }), [m[0]!.id, m[2]!.id]);
      assert.deepEqual(await list({ classes__id__in: String(classY) }), [m[1]!.id]);
      assert.deepEqual(await list({ classes__id__in: `${classX},${classY}` }), [m[0]!.id, m[1]!.id]);
      assert.deepEqual(await list({ mentor__id: String(mentorA.id) }), [m[0]!.id, m[1]!.id]);
      assert.deepEqual(await list({ mentor__id__in: `${mentorA.id},${mentorB.id}` }), [m[0]!.id, m[1]!.id, m[2]!.id]);
      assert.deepEqual(await list({ mentor__id: String(mentorA.id), mentor__id__in: String(mentorB.id) }), []);
      const inB = await list({ program__id__in: String(programB) });
      assert.ok(inB.includes(m[2]!.id) && inB.includes(studentB.id) && !inB.includes(m[0]!.id));
      assert.deepEqual(await list({ program_checker__id__in: String(checkerId) }), await list({ program__id__in: String(programA) }));
      const admins = await list({ clearance__in: '5' });
      const all = (await admin.get(USERS)).body as { id: number; clearance: number }[];
      assert.deepEqual(admins, all.filter((u) => u.clearance === 5).map((u) => u.id));
      const staffAndCheckers = await list({ clearance__in: '2,3' });
      assert.deepEqual(staffAndCheckers, all.filter((u) => u.clearance === 2 || u.clearance === 3).map((u) => u.id));
      // Repeated parameters combine.
      assert.deepEqual(await admin.get(`${USERS}?id__in=${m[0]!.id}&id__in=${m[1]!.id}`).then(ids), [m[0]!.id, m[1]!.id]);
      assert.deepEqual(await list({ id__in: '999999' }), []);
    });

    it('refuses malformed filter values', async () => {
      const res = await admin.get(USERS, { query: { id__in: '1,x', mentor__id: 'abc', clearance__in: '4' } });
      assert.equal(res.status, 400);
      assert.deepEqual(res.body.errors, [
        { code: 'invalid', detail: 'Select a valid choice. 4 is not one of the available choices.', attr: 'clearance__in' },
        { code: 'invalid', detail: 'Enter a number.', attr: 'id__in' },
        { code: 'invalid', detail: 'Enter a number.', attr: 'mentor__id' },
      ].sort((a, b) => a.attr.localeCompare(b.attr)));
    });
  });

  describe('me', () => {
    it('shows a student their profile with their program flags', async () => {
      const adminActorRow = await adminActor(server);
      const program = await server.services.programs.create(adminActorRow, {
        name: uname('Flags'),
        // Not the shared checker: the permission tests count the students it sees.
        checker_id: staffId,
        hanich_day_only: true,
        hanich_schedule: true,
        hanich_raise_hand: false,
      });
      const stu = await makeStudent(server, program.id, 31337);
      const res = await stu.api.get(`${USERS}me/`);
      assert.equal(res.status, 200);
      assert.deepEqual(Object.keys(res.body).sort(), ME_KEYS);
      assert.deepEqual(res.body, {
        id: stu.id,
        only_today: true,
        display_name: 'Stu Dent',
        number: 31337,
        program: program.id,
        clearance: 1,
        status: 'Present',
        current_assignment: null,
        current_assignment_options: [],
        confirmed: false,
        current_assignment__exercise_name: null,
        current_assignment__exercise_id: null,
        current_assignment__module_id: null,
        current_assignment__subject_id: null,
        username: stu.username,
        program__name: program.name,
        schedule_enabled: true,
        hanich_raise_hand: false,
        teacher: false,
      });
    });

    it('shows someone without a program false flags and an empty program name', async () => {
      const res = await checker.get(`${USERS}me/`);
      assert.equal(res.status, 200);
      assert.equal(res.body.id, checkerId);
      assert.equal(res.body.clearance, 2);
      assert.equal(res.body.program, null);
      assert.equal(res.body.program__name, '');
      assert.equal(res.body.only_today, false);
      assert.equal(res.body.schedule_enabled, false);
      assert.equal(res.body.hanich_raise_hand, false);
    });

    it('changes status (and its date), confirmed, hostname and the current assignment', async () => {
      const stu = await makeStudent(server, programA);
      const before = await staff.get(`${USERS}${stu.id}/`);
      clock.advance(1500);
      const res = await stu.api.patch(`${USERS}me/`, { json: { status: 'Raised Hand', confirmed: true, hostname: 'lab-3', number: 1, clearance: 5 } });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.status, 'Raised Hand');
      assert.equal(res.body.confirmed, true);
      assert.equal(res.body.clearance, 1, 'read-only keys are ignored');
      assert.notEqual(res.body.number, 1);
      const after = await staff.get(`${USERS}${stu.id}/`);
      assert.equal(after.body.hostname, 'lab-3');
      assert.equal(after.body.status_date, clock.now());
      assert.notEqual(after.body.status_date, before.body.status_date);

      // The current assignment: one of the caller's own, shown with its exercise, module and subject.
      const tree = await makeCourseTree(server);
      const now = clock.now();
      const exercise = await db()
        .insertInto('exercises')
        .values({ course_id: tree.program.id, module_id: tree.module.id, slug: uname('ex'), name: 'Fizz Buzz', created_at: now, updated_at: now })
        .returning('id')
        .executeTakeFirstOrThrow();
      const newAssignment = (userId: number) =>
        db()
          .insertInto('assignments')
          .values({ exercise_id: exercise.id, user_id: userId, last_staff_updated: now, created_at: now, updated_at: now })
          .returning('id')
          .executeTakeFirstOrThrow();
      const own = await newAssignment(stu.id);
      const other = await newAssignment(studentA.id);
      const set = await stu.api.patch(`${USERS}me/`, { form: { current_assignment: String(own.id) } });
      assert.equal(set.status, 200, set.text);
      assert.equal(set.body.current_assignment, own.id);
      assert.equal(set.body.current_assignment__exercise_name, 'Fizz Buzz');
      assert.equal(set.body.current_assignment__exercise_id, exercise.id);
      assert.equal(set.body.current_assignment__module_id, tree.module.id);
      assert.equal(set.body.current_assignment__subject_id, tree.subject.id);
      assert.equal((await staff.get(`${USERS}${stu.id}/`)).body.current_assignment, own.id);
      const foreign = await stu.api.patch(`${USERS}me/`, { json: { current_assignment: other.id } });
      assert.equal(foreign.status, 400);
      assert.deepEqual(foreign.body.errors, [{ code: 'does_not_exist', detail: `Invalid pk "${other.id}" - object does not exist.`, attr: 'current_assignment' }]);
      const unset = await stu.api.patch(`${USERS}me/`, { json: { current_assignment: null } });
      assert.equal(unset.body.current_assignment, null);
      assert.equal(unset.body.current_assignment__exercise_name, null);
    });

    it('refuses bad values on PATCH me', async () => {
      const res = await studentA.api.patch(`${USERS}me/`, { json: { status: 'Asleep', confirmed: 'perhaps', current_assignment: 'x', hostname: 'h'.repeat(256) } });
      assert.equal(res.status, 400);
      assert.deepEqual(errors(res), [['confirmed', 'invalid'], ['current_assignment', 'invalid'], ['hostname', 'max_length'], ['status', 'invalid_choice']]);
    });

    it('changes the password only with the current one', async () => {
      const user = await actorClient(server, 2);
      const missing = await user.api.patch(`${USERS}me/`, { json: { password: 'new-password-1' } });
      assert.equal(missing.status, 400);
      assert.deepEqual(missing.body.errors, [{ code: 'required', detail: 'This field is required.', attr: 'current_password' }]);
      const wrong = await user.api.patch(`${USERS}me/`, { json: { password: 'new-password-1', current_password: 'nope' } });
      assert.equal(wrong.status, 400);
      assert.deepEqual(wrong.body.errors, [{ code: 'invalid', detail: 'Current password is incorrect.', attr: 'current_password' }]);
      await login(server, user.username, PASSWORD);
      const ok = await user.api.patch(`${USERS}me/`, { json: { password: 'new-password-1', current_password: PASSWORD } });
      assert.equal(ok.status, 200, ok.text);
      assert.ok(!('password' in ok.body) && !('current_password' in ok.body));
      await login(server, user.username, 'new-password-1');
      const old = await client(server.app).post('/api/core/token/', { json: { username: user.username, password: PASSWORD } });
      assert.equal(old.status, 401);
    });
  });

  describe('check_in', () => {
    it('records one attendance row per day and answers {}', async () => {
      const user = await actorClient(server, 1);
      await db().updateTable('users').set({ status: 'Home' }).where('id', '=', user.id).execute();
      const first = await user.api.put(`${USERS}check_in/`);
      assert.equal(first.status, 200);
      assert.deepEqual(first.body, {});
      clock.advance(60_000);
      const second = await user.api.put(`${USERS}check_in/`, { json: {} });
      assert.equal(second.status, 200);
      const rows = await server.services.users.attendance(user.id);
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.day, clock.now().slice(0, 10));
      const me = await user.api.get(`${USERS}me/`);
      assert.equal(me.body.status, 'Present');
    });

    it('records a new row on the next day', async () => {
      const user = await actorClient(server, 2);
      await user.api.put(`${USERS}check_in/`);
      const saved = clock.now();
      clock.advance(24 * 3600 * 1000);
      // The access token expired overnight: log in again.
      const api = client(server.app, await login(server, user.username));
      assert.equal((await api.put(`${USERS}check_in/`)).status, 200);
      const days = (await server.services.users.attendance(user.id)).map((r) => r.day);
      assert.equal(days.length, 2);
      assert.equal(days[0], saved.slice(0, 10));
      // Refresh the shared clients' tokens for the tests that follow.
      clock.set(saved);
    });
  });

  describe('routing and order of checks', () => {
    it('never lets me/ or check_in/ fall through to the id routes', async () => {
      assert.equal((await staff.get(`${USERS}check_in/`)).status, 405);
      assert.equal((await staff.delete(`${USERS}me/`)).status, 405);
      assert.equal((await staff.put(`${USERS}me/`, { json: {} })).status, 405);
      assert.equal((await staff.post(`${USERS}me/`, { json: {} })).status, 405);
      assert.equal((await staff.get(`${USERS}me/avatar/`)).status, 404);
      assert.equal((await staff.get(`${USERS}abc/`)).status, 404);
      assert.equal((await staff.get(`${USERS}999999/avatar/`)).status, 404);
      assert.equal((await staff.put(USERS, { json: {} })).status, 405);
      // Slashless paths work too.
      assert.equal((await staff.get('/api/core/management/users/me')).status, 200);
    });

    it('authenticates, then checks clearance, then looks up, then reads the body', async () => {
      const anon = client(server.app);
      const res = await anon.get(`${USERS}me/`);
      assert.equal(res.status, 401);
      assert.equal(res.headers['www-authenticate'], 'Bearer realm="api"');
      assert.equal((await anon.put(`${USERS}check_in/`)).status, 401);
      const broken = { raw: '{', headers: { 'content-type': 'application/json' } };
      assert.equal((await studentA.api.patch(`${USERS}999999/`, broken)).status, 403);
      assert.equal((await checker.post(USERS, broken)).status, 403);
      assert.equal((await staff.patch(`${USERS}999999/`, broken)).status, 404);
      const adminUser = await makeUser(server, 5);
      assert.equal((await staff.patch(`${USERS}${adminUser.id}/`, broken)).status, 403);
      const parse = await staff.patch(`${USERS}${studentA.id}/`, broken);
      assert.equal(parse.status, 400);
      assert.equal(parse.body.errors[0].code, 'parse_error');
    });
  });

  describe('permissions', () => {
    it('shows students only themselves', async () => {
      const res = await studentA.api.get(USERS);
      assert.deepEqual(ids(res), [studentA.id]);
      assert.equal(res.body[0].username, studentA.username);
      assert.deepEqual(ids(await studentA.api.get(USERS, { query: { program__id__in: String(programA) } })), [studentA.id]);
      assert.equal((await studentA.api.get(`${USERS}${studentB.id}/`)).status, 404);
      assert.equal((await studentA.api.get(`${USERS}${staffId}/`)).status, 404);
    });

    it('shows checkers everyone but the students of programs they do not check', async () => {
      const seen = ids(await checker.get(USERS));
      assert.ok(seen.includes(studentA.id));
      assert.ok(!seen.includes(studentB.id));
      assert.ok(seen.includes(staffId));
      const all = (await admin.get(USERS)).body as { id: number; clearance: number; program: number | null }[];
      const expected = all.filter((u) => u.clearance > 1 || u.program === programA).map((u) => u.id);
      assert.deepEqual(seen, expected);
    });

    it('lets only admins create, change or delete admins', async () => {
      const body = { username: uname('boss'), clearance: 5, gender: 'Male', status: 'Present', mentees: [] };
      const denied = await staff.post(USERS, { json: body });
      assert.equal(denied.status, 403);
      assert.equal(denied.body.errors[0].code, 'permission_denied');
      const made = await admin.post(USERS, { json: body });
      assert.equal(made.status, 201);
      assert.equal((await staff.patch(`${USERS}${made.body.id}/`, { json: { first_name: 'x' } })).status, 403);
      assert.equal((await staff.delete(`${USERS}${made.body.id}/`)).status, 403);
      const promote = await staff.patch(`${USERS}${staffId}/`, { json: { clearance: 5 } });
      assert.equal(promote.status, 403);
      assert.equal((await staff.get(`${USERS}${staffId}/`)).body.clearance, 3);
      assert.equal((await admin.patch(`${USERS}${made.body.id}/`, { json: { first_name: 'Big' } })).body.first_name, 'Big');
      assert.equal((await admin.delete(`${USERS}${made.body.id}/`)).status, 204);
    });

    /**
     * Every users route for each clearance. The actor is fresh for every cell; targets: a student of
     * program A (which the checker checks), a student of program B, a staff user, an admin.
     */
    it('answers each route with the expected status for each clearance', async () => {
      const studentWithAvatar = await createStudent(programA);
      const form = new FormData();
      form.set('avatar', new Blob([Buffer.from('img')]), 'a.png');
      assert.equal((await admin.patch(`${USERS}${studentWithAvatar.id}/`, { multipart: form })).status, 200);
      const adminTarget = await makeUser(server, 5);
      type Cell = (api: Client, self: number) => Promise<Reply>;
      const freshChecker = async () => (await makeUser(server, 2)).id;
      const freshAdmin = async () => (await makeUser(server, 5)).id;
      const checkerBody = (username: string) => ({ username, clearance: 2, gender: 'Male', status: 'Present', mentees: [] });
      const rows: [string, Cell, [number, number, number, number]][] = [
        ['GET list', (api) => api.get(USERS), [200, 200, 200, 200]],
        ['POST checker', (api) => api.post(USERS, { json: checkerBody(uname('new')) }), [403, 403, 201, 201]],
        ['POST admin', (api) => api.post(USERS, { json: { ...checkerBody(uname('newadm')), clearance: 5 } }), [403, 403, 403, 201]],
        ['GET self', (api, self) => api.get(`${USERS}${self}/`), [200, 200, 200, 200]],
        ['GET student of checked program', (api) => api.get(`${USERS}${studentWithAvatar.id}/`), [404, 200, 200, 200]],
        ['GET student of other program', (api) => api.get(`${USERS}${studentB.id}/`), [404, 404, 200, 200]],
        ['GET staff', (api) => api.get(`${USERS}${staffId}/`), [404, 200, 200, 200]],
        ['GET missing', (api) => api.get(`${USERS}999999/`), [404, 404, 404, 404]],
        ['PUT checker', async (api) => {
          const id = await freshChecker();
          const row = await db().selectFrom('users').select('username').where('id', '=', id).executeTakeFirstOrThrow();
          return api.put(`${USERS}${id}/`, { json: checkerBody(row.username) });
        }, [403, 403, 200, 200]],
        ['PATCH checker', async (api) => api.patch(`${USERS}${await freshChecker()}/`, { json: { first_name: 'P' } }), [403, 403, 200, 200]],
        ['PATCH admin', (api) => api.patch(`${USERS}${adminTarget.id}/`, { json: { checkers_brief: 'b' } }), [403, 403, 403, 200]],
        ['PATCH self', (api, self) => api.patch(`${USERS}${self}/`, { json: { checkers_brief: 'mine' } }), [403, 403, 200, 200]],
        ['DELETE checker', async (api) => api.delete(`${USERS}${await freshChecker()}/`), [403, 403, 204, 204]],
        ['DELETE admin', async (api) => api.delete(`${USERS}${await freshAdmin()}/`), [403, 403, 403, 204]],
        ['DELETE missing', (api) => api.delete(`${USERS}999999/`), [403, 403, 404, 404]],
        ['GET avatar of checked student', (api) => api.get(`${USERS}${studentWithAvatar.id}/avatar/`), [404, 200, 200, 200]],
        ['GET own avatar (none)', (api, self) => api.get(`${USERS}${self}/avatar/`), [404, 404, 404, 404]],
        ['PUT check_in', (api) => api.put(`${USERS}check_in/`), [200, 200, 200, 200]],
        ['GET me', (api) => api.get(`${USERS}me/`), [200, 200, 200, 200]],
        ['PATCH me', (api) => api.patch(`${USERS}me/`, { json: { status: 'Work Talk' } }), [200, 200, 200, 200]],
        ['POST me', (api) => api.post(`${USERS}me/`, { json: {} }), [405, 405, 405, 405]],
      ];
      const failures: string[] = [];
      for (const [index, clearance] of ([1, 2, 3, 5] as const).entries()) {
        for (const [name, cell, expected] of rows) {
          // The checker of program A for clearance 2, so "checked program" means something.
          const actor = clearance === 2 ? { id: checkerId, api: checker } : clearance === 1 ? studentA : await actorClient(server, clearance);
          const res = await cell(actor.api, actor.id);
          if (res.status !== expected[index]) failures.push(`${name} as clearance ${clearance}: ${res.status} (expected ${expected[index]}) ${res.text}`);
        }
      }
      assert.deepEqual(failures, []);
    });
  });
});
