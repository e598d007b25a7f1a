import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';
import { actorClient, adminActor, login, makeCourseTree, makeStudent, makeUser } from '../helpers/fixtures.ts';
import type { Client } from '../helpers/http.ts';
import { client } from '../helpers/http.ts';

const PROGRAM_KEYS = [
  'auto_room', 'auto_schedule', 'auto_toilet', 'auto_toilet_count', 'checker', 'default_class', 'hanich_classes_only', 'hanich_day_only',
  'hanich_raise_hand', 'hanich_schedule', 'hanich_work_name', 'id', 'name', 'sync_message', 'sync_status',
];

describe('hive course tree: programs, subjects, modules', () => {
  let server: TestServer;
  let staff: Client;
  let staffId: number;

  before(async () => {
    server = await startTestServer();
    const s = await actorClient(server, 3);
    staff = s.api;
    staffId = s.id;
  });
  after(() => server.close());

  it('walks a program, subject and module through their whole lifecycle', async () => {
    const program = await staff.post('/api/core/course/programs/', { json: { name: 'Cyber 2026', checker: staffId, auto_toilet_count: 2 } });
    assert.equal(program.status, 201, program.text);
    assert.deepEqual(Object.keys(program.body).sort(), PROGRAM_KEYS);
    assert.equal(program.body.sync_status, 'Normal');
    assert.equal(program.body.sync_message, null);
    assert.equal(program.body.auto_toilet_count, 2);
    assert.equal(program.body.hanich_schedule, false);

    const subject = await staff.post('/api/core/course/subjects/', { form: { symbol: 'PY', parent_program: String(program.body.id), color: '#abcdef', name: 'Python' } });
    assert.equal(subject.status, 201, subject.text);
    assert.equal(subject.body.parent_program_name, 'Cyber 2026');
    assert.equal(subject.body.segel_path, 'Cyber 2026/PY');

    const module = await staff.post('/api/core/course/modules/', { json: { name: 'Loops', parent_subject: subject.body.id, order: 3 } });
    assert.equal(module.status, 201, module.text);
    assert.equal(module.body.order, '3', 'order is a string on the wire');
    assert.equal(module.body.parent_subject_symbol, 'PY');
    assert.equal(module.body.parent_subject_name, 'Python');
    assert.equal(module.body.parent_program_name, 'Cyber 2026');

    const patched = await staff.patch(`/api/core/course/modules/${module.body.id}/`, { json: { order: '2.1' } });
    assert.equal(patched.body.order, '2.1');
    assert.equal(patched.body.name, 'Loops');
    const put = await staff.put(`/api/core/course/subjects/${subject.body.id}/`, { json: { symbol: 'PY2', parent_program: program.body.id, color: '#000000', name: 'Python 2' } });
    assert.equal(put.status, 200);
    assert.equal(put.body.symbol, 'PY2');
    const renamed = await staff.patch(`/api/core/course/programs/${program.body.id}/`, { json: { name: 'Cyber 2027', hanich_schedule: 'true' } });
    assert.equal(renamed.body.name, 'Cyber 2027');
    assert.equal(renamed.body.hanich_schedule, true);
    assert.equal((await staff.get(`/api/core/course/modules/${module.body.id}/`)).body.parent_program_name, 'Cyber 2027');

    assert.equal((await staff.delete(`/api/core/course/programs/${program.body.id}/`)).status, 204);
    assert.equal((await staff.get(`/api/core/course/subjects/${subject.body.id}/`)).status, 404, 'subjects go with their program');
    assert.equal((await staff.get(`/api/core/course/modules/${module.body.id}/`)).status, 404, 'modules go with their subject');
  });

  it("a subject carries segel_brief (PyHiveLMS reads it): \"\" by default, written by staff, kept by PUT without it", async () => {
    const world = await makeCourseTree(server);
    const url = `/api/core/course/subjects/${world.subject.id}/`;
    const read = await staff.get(url);
    assert.deepEqual(Object.keys(read.body).sort(), ['color', 'id', 'name', 'parent_program', 'parent_program_name', 'segel_brief', 'segel_path', 'symbol', 'sync_message', 'sync_status']);
    assert.equal(read.body.segel_brief, '');
    const made = await staff.post('/api/core/course/subjects/', { json: { symbol: 'SB', parent_program: world.program.id, color: '#123456', name: 'Briefed', segel_brief: 'Start with the slides.' } });
    assert.equal(made.status, 201, made.text);
    assert.equal(made.body.segel_brief, 'Start with the slides.');
    const patched = await staff.patch(url, { json: { segel_brief: 'Notes for staff' } });
    assert.equal(patched.status, 200, patched.text);
    assert.equal(patched.body.segel_brief, 'Notes for staff');
    const put = await staff.put(url, { json: { symbol: 'S1', parent_program: world.program.id, color: '#112233', name: 'Basics' } });
    assert.equal(put.body.segel_brief, 'Notes for staff');
    assert.equal((await staff.patch(url, { json: { segel_brief: ['x'] } })).status, 400);
    const listed = (await staff.get(`/api/core/course/subjects/?parent_program__id__in=${world.program.id}`)).body;
    assert.deepEqual(listed.map((s: { segel_brief: string }) => s.segel_brief), ['Notes for staff', 'Start with the slides.']);
    assert.equal((await client(server.app, await login(server, world.checker.username)).patch(url, { json: { segel_brief: 'x' } })).status, 403);
  });

  it('filters every list as documented', async () => {
    const a = await makeCourseTree(server);
    const b = await makeCourseTree(server);
    const progs = await staff.get(`/api/core/course/programs/?id__in=${a.program.id},${b.program.id}`);
    assert.deepEqual(progs.body.map((p: { id: number }) => p.id), [a.program.id, b.program.id]);
    const repeated = await staff.get(`/api/core/course/programs/?id__in=${a.program.id}&id__in=${b.program.id}`);
    assert.equal(repeated.body.length, 2);
    const subjects = await staff.get(`/api/core/course/subjects/?parent_program__id__in=${b.program.id}`);
    assert.deepEqual(subjects.body.map((s: { id: number }) => s.id), [b.subject.id]);
    const bySubject = await staff.get(`/api/core/course/modules/?parent_subject__id=${a.subject.id}`);
    assert.deepEqual(bySubject.body.map((m: { id: number }) => m.id), [a.module.id]);
    const byProgram = await staff.get(`/api/core/course/modules/?parent_subject__parent_program__id__in=${b.program.id}`);
    assert.deepEqual(byProgram.body.map((m: { id: number }) => m.id), [b.module.id]);
    const bad = await staff.get('/api/core/course/modules/?parent_subject__id=abc&parent_subject__parent_program__id__in=1,x');
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body.errors.map((e: { attr: string }) => e.attr).sort(), ['parent_subject__id', 'parent_subject__parent_program__id__in']);
    assert.equal(bad.body.errors[0].detail, 'Enter a number.');
    const ignored = await staff.get('/api/core/course/programs/?no_such_filter=1');
    assert.equal(ignored.status, 200);
  });

  it('rejects bad input with DRF codes and writes nothing', async () => {
    const missing = await staff.post('/api/core/course/programs/', { json: {} });
    assert.equal(missing.status, 400);
    assert.deepEqual(missing.body.errors.map((e: { attr: string; code: string }) => `${e.attr}:${e.code}`).sort(), ['checker:required', 'name:required']);
    const types = await staff.post('/api/core/course/programs/', { json: { name: 'x'.repeat(101), checker: 'abc', auto_toilet: 'maybe', auto_toilet_count: -1 } });
    assert.deepEqual(
      types.body.errors.map((e: { attr: string; code: string }) => `${e.attr}:${e.code}`).sort(),
      ['auto_toilet:invalid', 'auto_toilet_count:min_value', 'checker:invalid', 'name:max_length'],
    );
    const ghost = await staff.post('/api/core/course/programs/', { json: { name: 'Ghost', checker: 999999 } });
    assert.equal(ghost.status, 400);
    assert.deepEqual(ghost.body.errors[0], { code: 'does_not_exist', detail: 'Invalid pk "999999" - object does not exist.', attr: 'checker' });
    const orphan = await staff.post('/api/core/course/subjects/', { json: { symbol: 'X', parent_program: 999999, color: '#000000', name: 'X' } });
    assert.equal(orphan.body.errors[0].attr, 'parent_program');
    const noSubject = await staff.post('/api/core/course/modules/', { json: { name: 'X', parent_subject: 999999, order: '1' } });
    assert.equal(noSubject.body.errors[0].attr, 'parent_subject');
    const nullName = await staff.post('/api/core/course/modules/', { json: { name: null, parent_subject: 1, order: '1' } });
    assert.equal(nullName.body.errors.find((e: { attr: string }) => e.attr === 'name').code, 'null');
    const blank = await staff.post('/api/core/course/subjects/', { json: { symbol: ' ', parent_program: 1, color: '', name: 'n' } });
    assert.equal(blank.body.errors.find((e: { attr: string }) => e.attr === 'symbol').code, 'blank');
    const list = await staff.post('/api/core/course/programs/', { raw: '[1,2]', headers: { 'content-type': 'application/json' } });
    assert.equal(list.status, 400);
    const names = (await staff.get('/api/core/course/programs/')).body.map((p: { name: string }) => p.name);
    assert.ok(!names.includes('Ghost'));
    assert.equal((await staff.get('/api/core/course/programs/999999/')).status, 404);
    assert.equal((await staff.patch('/api/core/course/programs/999999/', { raw: '{', headers: { 'content-type': 'application/json' } })).status, 404, 'lookup before parse');
  });

  it('lets each clearance see and change only what it should', async () => {
    const mine = await makeCourseTree(server);
    const other = await makeCourseTree(server);
    const student = await makeStudent(server, mine.program.id);
    const checkerApi = client(server.app, await login(server, mine.checker.username));
    const stranger = (await actorClient(server, 2)).api;

    const seen = (await student.api.get('/api/core/course/programs/')).body.map((p: { id: number }) => p.id);
    assert.deepEqual(seen, [mine.program.id]);
    assert.equal((await student.api.get(`/api/core/course/programs/${other.program.id}/`)).status, 404);
    assert.equal((await student.api.get(`/api/core/course/subjects/${other.subject.id}/`)).status, 404);
    assert.equal((await student.api.get(`/api/core/course/modules/${other.module.id}/`)).status, 404);
    assert.equal((await student.api.get(`/api/core/course/modules/${mine.module.id}/`)).status, 200);
    assert.equal((await student.api.patch(`/api/core/course/programs/${mine.program.id}/`, { json: { name: 'hacked' } })).status, 403);
    assert.equal((await student.api.post('/api/core/course/modules/', { json: { name: 'x', parent_subject: mine.subject.id, order: '1' } })).status, 403);

    // The program's checker reads it but, without an instructor enrolment, may not change it.
    assert.deepEqual((await checkerApi.get('/api/core/course/programs/')).body.map((p: { id: number }) => p.id), [mine.program.id]);
    assert.equal((await checkerApi.patch(`/api/core/course/programs/${mine.program.id}/`, { json: { name: 'n' } })).status, 403);
    const malformed = { raw: '{', headers: { 'content-type': 'application/json' } };
    assert.equal((await checkerApi.patch(`/api/core/course/modules/${mine.module.id}/`, malformed)).status, 403, 'permission before parsing');
    assert.equal((await checkerApi.delete(`/api/core/course/subjects/${mine.subject.id}/`)).status, 403);
    assert.equal((await staff.get('/api/core/course/programs/99999999999/')).status, 404);
    assert.deepEqual((await staff.get('/api/core/course/modules/?parent_subject__id=99999999999')).body, []);
    const huge = await staff.post('/api/core/course/subjects/', { json: { symbol: 'H', parent_program: 99999999999, color: '', name: 'H' } });
    assert.equal(huge.body.errors[0].code, 'does_not_exist');
    assert.equal((await checkerApi.patch(`/api/core/course/programs/${other.program.id}/`, { json: { name: 'n' } })).status, 404);
    assert.equal((await checkerApi.post('/api/core/course/programs/', { json: { name: 'n', checker: mine.checker.id } })).status, 403);
    assert.deepEqual((await stranger.get('/api/core/course/subjects/')).body, []);

    // An instructor enrolment makes a checker manage that course.
    const admin = await adminActor(server);
    await server.services.programs.enroll(admin, mine.program.id, mine.checker.id, 'instructor');
    assert.equal((await checkerApi.patch(`/api/core/course/modules/${mine.module.id}/`, { json: { name: 'Renamed' } })).status, 200);
    assert.equal((await checkerApi.post('/api/core/course/subjects/', { json: { symbol: 'Z', parent_program: other.program.id, color: '', name: 'Z' } })).status, 403);

    const anon = client(server.app);
    assert.equal((await anon.get('/api/core/course/programs/')).status, 401);
    const admins = client(server.app, await login(server, (await makeUser(server, 5)).username));
    assert.ok((await admins.get('/api/core/course/programs/')).body.length >= 2);
  });
});
