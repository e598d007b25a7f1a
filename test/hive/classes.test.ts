import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';
import { actorClient, login, makeCourseTree, makeStudent } from '../helpers/fixtures.ts';
import type { Client } from '../helpers/http.ts';
import { client } from '../helpers/http.ts';

const CLASSES = '/api/core/management/classes/';
const SEATING = '/api/core/management/seating/';

type Problem = { attr: string | null; code: string };
const problems = (body: { errors: Problem[] }) => body.errors.map((e) => [e.attr, e.code]).sort();

describe('hive /management/classes/', () => {
  let server: TestServer;
  let staff: Client;
  let checkerA: Client;
  let otherChecker: Client;
  let studentApi: Client;
  let A: Awaited<ReturnType<typeof makeCourseTree>>;
  let B: Awaited<ReturnType<typeof makeCourseTree>>;
  let s1: number;
  let s2: number;
  let s3: number;
  let checkerMember: number;
  let counter = 0;
  const name = (prefix = 'Class') => `${prefix} ${++counter}`;

  const makeClass = async (body: Record<string, unknown> = {}) => {
    const res = await staff.post(CLASSES, { json: { name: name(), program: A.program.id, users: [], ...body } });
    assert.equal(res.status, 201, res.text);
    return res.body as { id: number; users: number[] };
  };
  const makeQueue = async () =>
    (await server.services.db.insertInto('queues').values({ name: 'q', module_id: A.module.id, created_at: server.services.clock.now() }).returning('id').executeTakeFirstOrThrow()).id;
  const user = (id: number) => server.services.db.selectFrom('users').select(['queue_id', 'override_queue_id']).where('id', '=', id).executeTakeFirstOrThrow();

  before(async () => {
    server = await startTestServer();
    A = await makeCourseTree(server);
    B = await makeCourseTree(server);
    staff = (await actorClient(server, 3)).api;
    checkerA = client(server.app, await login(server, A.checker.username));
    otherChecker = (await actorClient(server, 2)).api;
    // Student numbers decide the auto_seat order: s2 first, then s3, then s1.
    const first = await makeStudent(server, A.program.id, 30);
    s1 = first.id;
    studentApi = first.api;
    s2 = (await makeStudent(server, A.program.id, 10)).id;
    s3 = (await makeStudent(server, A.program.id, 20)).id;
    checkerMember = (await actorClient(server, 2)).id;
  });
  after(() => server.close());

  it('creates a class with every key of Class and reads it back', async () => {
    const res = await staff.post(CLASSES, {
      json: { name: 'Room 101', program: A.program.id, users: [s2, s1], email: 'room101@example.org', type: 'Room', description: 'ground floor' },
    });
    assert.equal(res.status, 201, res.text);
    const expected = {
      id: res.body.id,
      name: 'Room 101',
      display_name: 'Room 101',
      program: A.program.id,
      users: [s1, s2].sort((a, b) => a - b),
      email: 'room101@example.org',
      type: 'Room',
      program__name: A.program.name,
      description: 'ground floor',
    };
    assert.deepEqual(res.body, expected);
    assert.deepEqual((await staff.get(`${CLASSES}${res.body.id}/`)).body, expected);
    // Membership is visible from the user's side too.
    assert.ok((await staff.get(`/api/core/management/users/${s1}/`)).body.classes.includes(res.body.id));
  });

  it('defaults type to Room, email to "" and description to null; accepts a form body', async () => {
    const res = await staff.post(CLASSES, { form: { name: name('Form'), program: String(A.program.id), users: [String(s1), String(s3)], type: 'Student Group' } });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.type, 'Student Group');
    assert.deepEqual(res.body.users, [s1, s3].sort((a, b) => a - b));
    const plain = await makeClass();
    const got = (await staff.get(`${CLASSES}${plain.id}/`)).body;
    assert.equal(got.type, 'Room');
    assert.equal(got.email, '');
    assert.equal(got.description, null);
  });

  it('copies the members of other classes with the write-only `classes`', async () => {
    const one = await makeClass({ users: [s1] });
    const two = await makeClass({ users: [s2] });
    const merged = await staff.post(CLASSES, { json: { name: name('Merged'), program: A.program.id, users: [s3], classes: [one.id, two.id] } });
    assert.equal(merged.status, 201);
    assert.deepEqual(merged.body.users, [s1, s2, s3].sort((a, b) => a - b));
    assert.equal('classes' in merged.body, false);
    // PATCH with only `classes` adds to the current members.
    const target = await makeClass({ users: [s3] });
    const patched = await staff.patch(`${CLASSES}${target.id}/`, { json: { classes: [one.id] } });
    assert.deepEqual(patched.body.users, [s1, s3].sort((a, b) => a - b));
  });

  it('updates with PUT (every required key) and PATCH (any key), and deletes with 204', async () => {
    const c = await makeClass({ users: [s1] });
    const missing = await staff.put(`${CLASSES}${c.id}/`, { json: { name: name() } });
    assert.equal(missing.status, 400);
    assert.deepEqual(problems(missing.body), [['program', 'required'], ['users', 'required']]);
    const put = await staff.put(`${CLASSES}${c.id}/`, { json: { name: 'Renamed', program: B.program.id, users: [s2], type: 'Student Group' } });
    assert.equal(put.status, 200, put.text);
    assert.equal(put.body.program, B.program.id);
    assert.equal(put.body.program__name, B.program.name);
    assert.deepEqual(put.body.users, [s2]);
    const patch = await staff.patch(`${CLASSES}${c.id}/`, { json: { description: null, email: 'x@y.io' } });
    assert.equal(patch.status, 200);
    assert.equal(patch.body.name, 'Renamed');
    assert.equal(patch.body.email, 'x@y.io');
    assert.deepEqual(patch.body.users, [s2]);
    await staff.post(SEATING, { json: { classroom: c.id, x: 0, y: 0, hanich: s2 } });
    const del = await staff.delete(`${CLASSES}${c.id}/`);
    assert.equal(del.status, 204);
    assert.equal(del.text, '');
    assert.equal((await staff.get(`${CLASSES}${c.id}/`)).status, 404);
    assert.deepEqual((await staff.get(SEATING, { query: { classroom__id: String(c.id) } })).body, []);
  });

  it('filters by id__in, name, program__id__in and type', async () => {
    const room = await makeClass({ type: 'Room' });
    const group = await makeClass({ type: 'Student Group' });
    const other = (await staff.post(CLASSES, { json: { name: name('B'), program: B.program.id, users: [] } })).body;
    const ids = async (query: Record<string, string>) => {
      const res = await staff.get(CLASSES, { query });
      assert.equal(res.status, 200, res.text);
      return (res.body as { id: number }[]).map((c) => c.id);
    };
    assert.deepEqual(await ids({ id__in: `${room.id},${group.id}` }), [room.id, group.id]);
    assert.deepEqual(await ids({ name: (await staff.get(`${CLASSES}${group.id}/`)).body.name }), [group.id]);
    const inB = await ids({ program__id__in: String(B.program.id) });
    assert.deepEqual(inB, [other.id]);
    const groups = await ids({ type: 'Student Group' });
    assert.ok(groups.includes(group.id) && !groups.includes(room.id));
    const all = await ids({});
    assert.deepEqual(all, [...all].sort((a, b) => a - b));
  });

  it('rejects bad filters with 400', async () => {
    const bad = await staff.get(CLASSES, { query: { type: 'Kitchen', id__in: '1,x' } });
    assert.equal(bad.status, 400);
    assert.deepEqual(problems(bad.body), [['id__in', 'invalid'], ['type', 'invalid']]);
  });

  it('reports every validation problem at once', async () => {
    const taken = await makeClass();
    const takenName = (await staff.get(`${CLASSES}${taken.id}/`)).body.name;
    const res = await staff.post(CLASSES, { json: { name: takenName, program: 999999, users: [s1, 888888], email: 'not-an-email', classes: [777777] } });
    assert.equal(res.status, 400);
    assert.equal(res.body.type, 'validation_error');
    assert.deepEqual(problems(res.body), [
      ['classes', 'does_not_exist'],
      ['email', 'invalid'],
      ['name', 'unique'],
      ['program', 'does_not_exist'],
      ['users', 'does_not_exist'],
    ]);
    const shapes = await staff.post(CLASSES, { json: { name: '', program: 'x', users: 'nope', type: 'Hall', description: 'd'.repeat(101) } });
    assert.deepEqual(problems(shapes.body), [
      ['description', 'max_length'],
      ['name', 'blank'],
      ['program', 'invalid'],
      ['type', 'invalid_choice'],
      ['users', 'not_a_list'],
    ]);
    const rename = await staff.patch(`${CLASSES}${(await makeClass()).id}/`, { json: { name: takenName } });
    assert.deepEqual(problems(rename.body), [['name', 'unique']]);
    assert.equal((await staff.post(CLASSES, { raw: '{"name":', headers: { 'content-type': 'application/json' } })).body.errors[0].code, 'parse_error');
  });

  it('lets checkers read the classes of their programs only; students and writers below staff are refused', async () => {
    const a = await makeClass();
    const b = (await staff.post(CLASSES, { json: { name: name('B'), program: B.program.id, users: [] } })).body;
    const seen = (await checkerA.get(CLASSES)).body.map((c: { id: number }) => c.id);
    assert.ok(seen.includes(a.id) && !seen.includes(b.id));
    assert.equal((await checkerA.get(`${CLASSES}${a.id}/`)).status, 200);
    assert.equal((await checkerA.get(`${CLASSES}${b.id}/`)).status, 404);
    assert.deepEqual((await otherChecker.get(CLASSES)).body, []);
    assert.equal((await checkerA.patch(`${CLASSES}${a.id}/`, { json: { name: 'mine' } })).status, 403);
    assert.equal((await checkerA.post(CLASSES, { json: { name: 'x', program: A.program.id, users: [] } })).status, 403);
    assert.equal((await checkerA.delete(`${CLASSES}${a.id}/`)).status, 403);
    const student = await studentApi.get(CLASSES);
    assert.equal(student.status, 403);
    assert.equal(student.body.errors[0].code, 'permission_denied');
    assert.equal((await studentApi.get(`${CLASSES}${a.id}/`)).status, 403);
    assert.equal((await client(server.app).get(CLASSES)).status, 401);
    assert.equal((await staff.get(`${CLASSES}99999999/`)).status, 404);
    assert.equal((await staff.get(`${CLASSES}abc/`)).status, 404);
  });

  describe('actions', () => {
    it('queue: sets one queue for every student of the class (not other members), null clears it', async () => {
      const c = await makeClass({ users: [s1, s2, checkerMember] });
      const queue = await makeQueue();
      const res = await staff.post(`${CLASSES}${c.id}/queue/`, { json: { queue } });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.text, '');
      assert.equal((await user(s1)).queue_id, queue);
      assert.equal((await user(s2)).queue_id, queue);
      assert.equal((await user(checkerMember)).queue_id, null);
      assert.equal((await staff.get(`/api/core/management/users/${s1}/`)).body.queue, queue);
      assert.equal((await staff.post(`${CLASSES}${c.id}/queue/`, { form: { queue: '' } })).status, 200);
      assert.equal((await user(s1)).queue_id, null);
    });

    it('queue: bad input, unknown class and permissions', async () => {
      const c = await makeClass({ users: [s1] });
      assert.deepEqual(problems((await staff.post(`${CLASSES}${c.id}/queue/`, { json: {} })).body), [['queue', 'required']]);
      assert.deepEqual(problems((await staff.post(`${CLASSES}${c.id}/queue/`, { json: { queue: 'q' } })).body), [['queue', 'invalid']]);
      const missing = await staff.post(`${CLASSES}${c.id}/queue/`, { json: { queue: 999999 } });
      assert.equal(missing.status, 400);
      assert.deepEqual(problems(missing.body), [['queue', 'does_not_exist']]);
      assert.equal((await staff.post(`${CLASSES}999999/queue/`, { json: { queue: null } })).status, 404);
      assert.equal((await checkerA.post(`${CLASSES}${c.id}/queue/`, { json: { queue: null } })).status, 403);
      assert.equal((await studentApi.post(`${CLASSES}${c.id}/queue/`, { json: { queue: null } })).status, 403);
      assert.equal((await staff.get(`${CLASSES}${c.id}/queue/`)).status, 405);
    });

    it('unassign_override_queues: clears the override queue of the class students only', async () => {
      const c = await makeClass({ users: [s1, s2] });
      const queue = await makeQueue();
      await server.services.db.updateTable('users').set({ override_queue_id: queue }).where('id', 'in', [s1, s2, s3]).execute();
      const res = await staff.post(`${CLASSES}${c.id}/unassign_override_queues/`, { json: {} });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.text, '');
      assert.equal((await user(s1)).override_queue_id, null);
      assert.equal((await user(s2)).override_queue_id, null);
      assert.equal((await user(s3)).override_queue_id, queue);
      assert.equal((await checkerA.post(`${CLASSES}${c.id}/unassign_override_queues/`)).status, 403);
      assert.equal((await staff.post(`${CLASSES}999999/unassign_override_queues/`)).status, 404);
      await server.services.db.updateTable('users').set({ override_queue_id: null }).where('id', '=', s3).execute();
    });

    it("lesson: applies a lesson's rules as override queues (a group rule beats the class rule); null clears them", async () => {
      const c = await makeClass({ users: [s1, s2] });
      const group = await makeClass({ users: [s2], type: 'Student Group' });
      const [q1, q2] = [await makeQueue(), await makeQueue()];
      const db = server.services.db;
      const lesson = (await db.insertInto('lessons').values({ name: 'L', module_id: A.module.id }).returning('id').executeTakeFirstOrThrow()).id;
      await db.insertInto('lesson_rules').values({ lesson_id: lesson, queue_id: q1 }).execute();
      const groupRule = (await db.insertInto('lesson_rules').values({ lesson_id: lesson, queue_id: q2 }).returning('id').executeTakeFirstOrThrow()).id;
      await db.insertInto('lesson_rule_groups').values({ rule_id: groupRule, class_id: group.id }).execute();
      const res = await staff.post(`${CLASSES}${c.id}/lesson/`, { json: { lesson } });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.text, '');
      assert.equal((await user(s1)).override_queue_id, q1);
      assert.equal((await user(s2)).override_queue_id, q2);
      assert.equal((await user(s3)).override_queue_id, null);
      assert.equal((await staff.post(`${CLASSES}${c.id}/lesson/`, { json: { lesson: null } })).status, 200);
      assert.equal((await user(s1)).override_queue_id, null);
      assert.equal((await user(s2)).override_queue_id, null);
    });

    it('lesson: bad input, unknown class or lesson, permissions', async () => {
      const c = await makeClass({ users: [s1] });
      assert.deepEqual(problems((await staff.post(`${CLASSES}${c.id}/lesson/`, { json: {} })).body), [['lesson', 'required']]);
      assert.deepEqual(problems((await staff.post(`${CLASSES}${c.id}/lesson/`, { json: { lesson: 'x' } })).body), [['lesson', 'invalid']]);
      const missing = await staff.post(`${CLASSES}${c.id}/lesson/`, { json: { lesson: 999999 } });
      assert.equal(missing.status, 400);
      assert.deepEqual(problems(missing.body), [['lesson', 'does_not_exist']]);
      assert.equal((await staff.post(`${CLASSES}999999/lesson/`, { json: { lesson: null } })).status, 404);
      assert.equal((await checkerA.post(`${CLASSES}${c.id}/lesson/`, { json: { lesson: null } })).status, 403);
      assert.equal((await studentApi.post(`${CLASSES}${c.id}/lesson/`, { json: { lesson: null } })).status, 403);
    });

    it('auto_seat: keeps seated students, seats the others by number on free seats row by row', async () => {
      const room = await makeClass({ users: [s1, s2, s3, checkerMember] });
      const seat = async (x: number, y: number, hanich: number | null = null) =>
        (await staff.post(SEATING, { json: { classroom: room.id, x, y, hanich } })).body.id as number;
      const rowOneRight = await seat(1, 0);
      const rowTwo = await seat(0, 1);
      const rowOneLeft = await seat(0, 0);
      const taken = await seat(5, 5, s3);
      const spare = await seat(2, 1);
      const res = await staff.post(`${CLASSES}${room.id}/auto_seat/`, { json: {} });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.text, '');
      const seats = new Map((await staff.get(SEATING, { query: { classroom__id: String(room.id) } })).body.map((s: { id: number; hanich: number | null }) => [s.id, s.hanich]));
      // s3 keeps its seat; s2 (number 10) takes (0,0), s1 (number 30) takes (1,0); the checker is not seated.
      assert.deepEqual(Object.fromEntries(seats), { [rowOneRight]: s1, [rowTwo]: null, [rowOneLeft]: s2, [taken]: s3, [spare]: null });
      // Running it again changes nothing.
      await staff.post(`${CLASSES}${room.id}/auto_seat/`);
      const again = new Map((await staff.get(SEATING, { query: { classroom__id: String(room.id) } })).body.map((s: { id: number; hanich: number | null }) => [s.id, s.hanich]));
      assert.deepEqual(again, seats);
    });

    it('auto_seat: refuses (and changes nothing) when the free seats do not suffice', async () => {
      const room = await makeClass({ users: [s1, s2] });
      const only = (await staff.post(SEATING, { json: { classroom: room.id, x: 0, y: 0 } })).body.id;
      const res = await staff.post(`${CLASSES}${room.id}/auto_seat/`);
      assert.equal(res.status, 400);
      assert.deepEqual(problems(res.body), [['non_field_errors', 'invalid']]);
      assert.equal((await staff.get(`${SEATING}${only}/`)).body.hanich, null);
      assert.equal((await checkerA.post(`${CLASSES}${room.id}/auto_seat/`)).status, 403);
      assert.equal((await studentApi.post(`${CLASSES}${room.id}/auto_seat/`)).status, 403);
      assert.equal((await staff.post(`${CLASSES}999999/auto_seat/`)).status, 404);
    });
  });
});
