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

describe('hive /management/seating/', () => {
  let server: TestServer;
  let staff: Client;
  let checkerA: Client;
  let studentApi: Client;
  let studentId: number;
  let roomA: number;
  let roomB: number;
  let y = 0;
  /** A free position in room A for each test. */
  const row = () => ++y;

  before(async () => {
    server = await startTestServer();
    const A = await makeCourseTree(server);
    const B = await makeCourseTree(server);
    staff = (await actorClient(server, 3)).api;
    checkerA = client(server.app, await login(server, A.checker.username));
    const student = await makeStudent(server, A.program.id);
    studentId = student.id;
    studentApi = student.api;
    roomA = (await staff.post(CLASSES, { json: { name: 'Lab A', program: A.program.id, users: [studentId] } })).body.id;
    roomB = (await staff.post(CLASSES, { json: { name: 'Lab B', program: B.program.id, users: [] } })).body.id;
  });
  after(() => server.close());

  it('creates a seat with every key of Seating, reads, updates, patches and deletes it', async () => {
    const at = row();
    const created = await staff.post(SEATING, { json: { classroom: roomA, x: 3, y: at, hostname: 'pc-03', hanich: studentId } });
    assert.equal(created.status, 201, created.text);
    const id = created.body.id;
    assert.deepEqual(created.body, { id, hostname: 'pc-03', hanich: studentId, classroom: roomA, x: 3, y: at });
    assert.deepEqual((await staff.get(`${SEATING}${id}/`)).body, created.body);
    const put = await staff.put(`${SEATING}${id}/`, { form: { classroom: String(roomA), x: '4', y: String(at), hostname: '', hanich: '' } });
    assert.equal(put.status, 200, put.text);
    // An empty form value of a nullable field is null.
    assert.deepEqual(put.body, { id, hostname: null, hanich: null, classroom: roomA, x: 4, y: at });
    const patch = await staff.patch(`${SEATING}${id}/`, { json: { hostname: 'pc-04' } });
    assert.equal(patch.status, 200);
    assert.equal(patch.body.hostname, 'pc-04');
    assert.equal(patch.body.x, 4);
    const del = await staff.delete(`${SEATING}${id}/`);
    assert.equal(del.status, 204);
    assert.equal(del.text, '');
    assert.equal((await staff.get(`${SEATING}${id}/`)).status, 404);
  });

  it('defaults hostname and hanich to null', async () => {
    const created = await staff.post(SEATING, { json: { classroom: roomA, x: 0, y: row() } });
    assert.equal(created.status, 201);
    assert.equal(created.body.hostname, null);
    assert.equal(created.body.hanich, null);
  });

  it('filters by classroom__id, in ascending id order', async () => {
    const a = (await staff.post(SEATING, { json: { classroom: roomA, x: 0, y: row() } })).body.id;
    const b = (await staff.post(SEATING, { json: { classroom: roomB, x: 0, y: 0 } })).body.id;
    const inA = (await staff.get(SEATING, { query: { classroom__id: String(roomA) } })).body.map((s: { id: number }) => s.id);
    assert.ok(inA.includes(a) && !inA.includes(b));
    assert.deepEqual(inA, [...inA].sort((p: number, q: number) => p - q));
    assert.deepEqual((await staff.get(SEATING, { query: { classroom__id: String(roomB) } })).body.map((s: { id: number }) => s.id), [b]);
    const bad = await staff.get(SEATING, { query: { classroom__id: 'x' } });
    assert.equal(bad.status, 400);
    assert.deepEqual(problems(bad.body), [['classroom__id', 'invalid']]);
  });

  it('reports bad input: required keys, types, unknown references, taken positions, a student seated twice', async () => {
    const missing = await staff.post(SEATING, { json: {} });
    assert.deepEqual(problems(missing.body), [['classroom', 'required'], ['x', 'required'], ['y', 'required']]);
    const types = await staff.post(SEATING, { json: { classroom: 'a', x: 1.5, y: 'b', hostname: 'h'.repeat(256), hanich: 'me' } });
    assert.deepEqual(problems(types.body), [['classroom', 'invalid'], ['hanich', 'invalid'], ['hostname', 'max_length'], ['x', 'invalid'], ['y', 'invalid']]);
    const refs = await staff.post(SEATING, { json: { classroom: 999999, x: 0, y: 0, hanich: 888888 } });
    assert.deepEqual(problems(refs.body), [['classroom', 'does_not_exist'], ['hanich', 'does_not_exist']]);
    const huge = await staff.post(SEATING, { json: { classroom: roomA, x: 2 ** 40, y: 0 } });
    assert.deepEqual(problems(huge.body), [['x', 'max_value']]);
    const at = row();
    const first = (await staff.post(SEATING, { json: { classroom: roomA, x: 0, y: at, hanich: studentId } })).body.id;
    const clash = await staff.post(SEATING, { json: { classroom: roomA, x: 0, y: at } });
    assert.equal(clash.status, 400);
    assert.deepEqual(problems(clash.body), [['non_field_errors', 'unique']]);
    const twice = await staff.post(SEATING, { json: { classroom: roomA, x: 1, y: at, hanich: studentId } });
    assert.deepEqual(problems(twice.body), [['hanich', 'unique']]);
    // The same student may sit in another room, and a seat may be patched in place.
    assert.equal((await staff.post(SEATING, { json: { classroom: roomB, x: 9, y: 9, hanich: studentId } })).status, 201);
    assert.equal((await staff.patch(`${SEATING}${first}/`, { json: { x: 0, y: at, hanich: studentId } })).status, 200);
    await staff.delete(`${SEATING}${first}/`);
  });

  it('lets checkers read the seats of their programs only; staff alone write', async () => {
    const a = (await staff.post(SEATING, { json: { classroom: roomA, x: 0, y: row() } })).body.id;
    const b = (await staff.post(SEATING, { json: { classroom: roomB, x: 1, y: row() } })).body.id;
    const seen = (await checkerA.get(SEATING)).body.map((s: { id: number }) => s.id);
    assert.ok(seen.includes(a) && !seen.includes(b));
    assert.equal((await checkerA.get(`${SEATING}${a}/`)).status, 200);
    assert.equal((await checkerA.get(`${SEATING}${b}/`)).status, 404);
    assert.equal((await checkerA.post(SEATING, { json: { classroom: roomA, x: 7, y: 7 } })).status, 403);
    assert.equal((await checkerA.patch(`${SEATING}${a}/`, { json: { x: 8 } })).status, 403);
    assert.equal((await checkerA.delete(`${SEATING}${a}/`)).status, 403);
    assert.equal((await studentApi.get(SEATING)).status, 403);
    assert.equal((await studentApi.get(`${SEATING}${a}/`)).status, 403);
    assert.equal((await client(server.app).get(SEATING)).status, 401);
    assert.equal((await staff.get(`${SEATING}999999/`)).status, 404);
    assert.equal((await staff.patch(`${SEATING}999999/`, { json: { x: 1 } })).status, 404);
  });
});
