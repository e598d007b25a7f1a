import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';
import type { makeCourseTree } from '../helpers/fixtures.ts';
import { adminActor, makeCast, makeExercise, makeStudent } from '../helpers/fixtures.ts';
import type { Client, Reply } from '../helpers/http.ts';

const QUEUE_KEYS = [
  'description', 'id', 'module', 'module_id', 'module_name', 'module_order', 'name', 'program_id', 'program_name', 'subject_color', 'subject_id', 'subject_name',
  'subject_symbol', 'user', 'user_id', 'user_name',
].sort();
const ITEM_KEYS = ['continue_on_redo', 'enabled', 'exercise', 'id', 'nested_queue', 'order', 'queue_rule'].sort();
const ONE_TARGET = 'A queue must target exactly one of module or user.';

type Tree = Awaited<ReturnType<typeof makeCourseTree>>;
const problems = (res: Reply) => (res.body.errors as { attr: string; code: string }[]).map((e) => [e.attr, e.code]);

describe('hive /queues/ and /queues/{parentId}/items/', () => {
  let server: TestServer;
  let A: Tree;
  let B: Tree;
  let staff: Client;
  let admin: Client;
  let checkerA: Client;
  let otherChecker: Client;
  let studentA: Client;
  let student: { id: number; api: Client };
  let ex: number[];
  let tagged: number;
  let tagId: number;
  const item = (extra: Record<string, unknown> = {}) => ({
    order: 0,
    set_exercise_id: null,
    set_nested_queue_id: null,
    set_module_id: null,
    queue_rule: 'Wait For Submitted',
    continue_on_redo: false,
    enabled: true,
    set_tags_id: [],
    ...extra,
  });
  const items = (q: number) => `/api/core/queues/${q}/items/`;
  const newQueue = async (name: string, target: Record<string, unknown> = { module: A.module.id }) => {
    const res = await staff.post('/api/core/queues/', { json: { name, ...target } });
    assert.equal(res.status, 201, res.text);
    return res.body.id as number;
  };
  const addItem = async (q: number, extra: Record<string, unknown>) => {
    const res = await staff.post(items(q), { json: item(extra) });
    assert.equal(res.status, 201, res.text);
    return res.body as { id: number; order: number };
  };
  const listOrder = async (q: number) => ((await staff.get(items(q))).body as { exercise: { id: number } | null; nested_queue: { id: number } | null; order: number }[]).map((i) => [i.order, i.exercise?.id ?? (i.nested_queue ? `q${i.nested_queue.id}` : 'module')]);

  before(async () => {
    server = await startTestServer();
    ({ A, B, staff, admin, checkerA, otherChecker, studentA } = await makeCast(server, 'Queue Program', 'Other Program'));
    student = await makeStudent(server, A.program.id);
    const adminUser = await adminActor(server);
    tagId = (await server.services.tags.create(adminUser, { name: 'queue-tag', color: '#000000' })).id;
    ex = [];
    for (const [i, name] of ['One', 'Two', 'Three', 'Four'].entries()) ex.push((await makeExercise(server, A.module.id, { name, order: String(i + 1) })).id);
    tagged = (await makeExercise(server, A.module.id, { name: 'Tagged', order: '9', tags: ['queue-tag'] })).id;
  });
  after(() => server.close());

  it('creates, reads, replaces, patches and deletes module and user queues', async () => {
    const created = await staff.post('/api/core/queues/', { json: { name: 'Loops queue', description: 'First steps', module: A.module.id, id: 999, program_id: 5 } });
    assert.equal(created.status, 201, created.text);
    assert.deepEqual(Object.keys(created.body).sort(), QUEUE_KEYS);
    const id = created.body.id;
    assert.deepEqual(created.body, {
      id,
      name: 'Loops queue',
      description: 'First steps',
      module: A.module.id,
      user: null,
      user_id: null,
      user_name: null,
      subject_id: A.subject.id,
      subject_name: 'Basics',
      subject_color: '#112233',
      subject_symbol: 'S1',
      module_id: A.module.id,
      module_name: 'Loops',
      module_order: '1',
      program_id: A.program.id,
      program_name: 'Queue Program',
    });
    assert.deepEqual((await staff.get(`/api/core/queues/${id}/`)).body, created.body);

    const userQueue = await staff.post('/api/core/queues/', { form: { name: 'Personal', user: String(student.id) } });
    assert.equal(userQueue.status, 201, userQueue.text);
    assert.equal(userQueue.body.user_id, student.id);
    assert.equal(userQueue.body.user_name, 'Stu Dent');
    assert.equal(userQueue.body.module_id, null);
    assert.equal(userQueue.body.subject_id, null);
    assert.equal(userQueue.body.program_id, A.program.id);
    assert.equal(userQueue.body.description, null);

    const put = await staff.put(`/api/core/queues/${id}/`, { json: { name: 'Renamed', description: null, module: A.module.id } });
    assert.equal(put.status, 200, put.text);
    assert.equal(put.body.name, 'Renamed');
    assert.equal(put.body.description, null);
    const patch = await staff.patch(`/api/core/queues/${id}/`, { json: { module: null, user: student.id } });
    assert.equal(patch.status, 200, patch.text);
    assert.equal(patch.body.user, student.id);
    assert.equal(patch.body.module, null);
    assert.equal(patch.body.name, 'Renamed');

    await server.services.db.updateTable('users').set({ queue_id: id }).where('id', '=', student.id).execute();
    assert.equal((await staff.delete(`/api/core/queues/${id}/`)).status, 204);
    assert.equal((await staff.get(`/api/core/queues/${id}/`)).status, 404);
    const user = await staff.get(`/api/core/management/users/${student.id}/`);
    assert.equal(user.body.queue, null, 'followers of a deleted queue follow nothing');
    assert.equal((await staff.delete(`/api/core/queues/${userQueue.body.id}/`)).status, 204);
  });

  it('enforces exactly one target and valid references', async () => {
    const bad = async (body: Record<string, unknown>) => {
      const res = await staff.post('/api/core/queues/', { json: body });
      assert.equal(res.status, 400, res.text);
      assert.equal(res.body.type, 'validation_error');
      return res;
    };
    const two = await bad({ name: 'Both', module: A.module.id, user: student.id });
    assert.deepEqual(two.body.errors, [{ code: 'invalid', detail: ONE_TARGET, attr: 'non_field_errors' }]);
    const none = await bad({ name: 'Neither' });
    assert.deepEqual(none.body.errors, [{ code: 'invalid', detail: ONE_TARGET, attr: 'non_field_errors' }]);
    assert.deepEqual(problems(await bad({ name: 'Nulls', module: null, user: null })), [['non_field_errors', 'invalid']]);
    assert.deepEqual(problems(await bad({ name: 'Ghost', module: 999999 })), [['module', 'does_not_exist']]);
    assert.deepEqual(problems(await bad({ name: 'Ghost', user: 999999 })), [['user', 'does_not_exist']]);
    assert.deepEqual(problems(await bad({ module: A.module.id })), [['name', 'required']]);
    assert.deepEqual(problems(await bad({ name: 'x'.repeat(101), module: A.module.id })), [['name', 'max_length']]);
    assert.deepEqual(problems(await bad({ name: 'Text', module: 'one' })), [['module', 'invalid']]);
    const q = await newQueue('Patch target');
    const patched = await staff.patch(`/api/core/queues/${q}/`, { json: { user: student.id } });
    assert.equal(patched.status, 400, 'adding a user to a module queue gives two targets');
    assert.deepEqual(patched.body.errors, [{ code: 'invalid', detail: ONE_TARGET, attr: 'non_field_errors' }]);
  });

  it('filters queues', async () => {
    const mq = await newQueue('Filter module');
    const uq = await newQueue('Filter user', { user: student.id });
    const bq = await newQueue('Filter B', { module: B.module.id });
    const ids = async (qs: string) => ((await staff.get(`/api/core/queues/?${qs}`)).body as { id: number }[]).map((q) => q.id).filter((id) => [mq, uq, bq].includes(id));
    assert.deepEqual(await ids(''), [mq, uq, bq]);
    assert.deepEqual(await ids(`module=${A.module.id}`), [mq]);
    assert.deepEqual(await ids('module__isnull=true'), [uq]);
    assert.deepEqual(await ids('module__isnull=false'), [mq, bq]);
    assert.deepEqual(await ids(`user=${student.id}`), [uq]);
    assert.deepEqual(await ids('user__isnull=true'), [mq, bq]);
    assert.deepEqual(await ids(`program__id__in=${B.program.id}`), [bq]);
    assert.deepEqual(await ids(`program__id__in=${A.program.id},${B.program.id}`), [mq, uq, bq]);
    const { db, clock } = server.services;
    const classId = (await db.insertInto('classes').values({ course_id: A.program.id, name: 'Queue class', created_at: clock.now() }).returning('id').executeTakeFirstOrThrow()).id;
    await db.insertInto('class_members').values({ class_id: classId, user_id: student.id }).execute();
    assert.deepEqual(await ids(`class__id=${classId}`), [uq], "a class's queues: its members' user queues");
    await db.updateTable('users').set({ queue_id: bq }).where('id', '=', student.id).execute();
    assert.deepEqual(await ids(`class__id=${classId}`), [uq, bq], '… and the queues they follow');
    const mentor = (await server.services.users.createTrusted({ username: 'queue_mentor', password: 'pw-pw-pw-pw', clearance: 3 })).id;
    assert.deepEqual(await ids(`mentor__id=${mentor}`), []);
    await db.updateTable('users').set({ mentor_id: mentor }).where('id', '=', student.id).execute();
    assert.deepEqual(await ids(`mentor__id=${mentor}`), [uq, bq]);
    await db.updateTable('users').set({ queue_id: null, mentor_id: null }).where('id', '=', student.id).execute();
    assert.equal((await staff.get('/api/core/queues/?module__isnull=maybe')).status, 400);
  });

  it('manages items: create, order, read, replace, patch, move, delete', async () => {
    const q = await newQueue('Items');
    const nested = await newQueue('Nested');
    const first = await staff.post(items(q), { json: item({ set_exercise_id: ex[0], queue_rule: 'Wait For Done', continue_on_redo: true, id: 5 }) });
    assert.equal(first.status, 201, first.text);
    assert.deepEqual(Object.keys(first.body).sort(), ITEM_KEYS);
    assert.equal(first.body.order, 0);
    assert.equal(first.body.exercise.id, ex[0]);
    assert.equal(first.body.exercise.name, 'One');
    assert.equal(first.body.nested_queue, null);
    assert.equal(first.body.queue_rule, 'Wait For Done');
    assert.equal(first.body.continue_on_redo, true);
    assert.equal(first.body.enabled, true);
    const nestedItem = await addItem(q, { order: 1, set_nested_queue_id: nested });
    const moduleItem = await addItem(q, { order: 0, set_module_id: A.module.id, set_tags_id: [tagId], queue_rule: 'Choose' });
    assert.deepEqual(await listOrder(q), [[0, 'module'], [1, ex[0]], [2, `q${nested}`]]);
    const got = await staff.get(`${items(q)}${nestedItem.id}/`);
    assert.equal(got.status, 200);
    assert.equal(got.body.nested_queue.id, nested);
    assert.equal(got.body.nested_queue.name, 'Nested');
    assert.equal(got.body.exercise, null);
    const mod = (await staff.get(`${items(q)}${moduleItem.id}/`)).body;
    assert.deepEqual([mod.exercise, mod.nested_queue, mod.queue_rule], [null, null, 'Choose']);

    const put = await staff.put(`${items(q)}${first.body.id}/`, { json: item({ order: 2, set_exercise_id: ex[1], queue_rule: 'Wait For AutoChecks', enabled: false }) });
    assert.equal(put.status, 200, put.text);
    assert.deepEqual([put.body.order, put.body.exercise.id, put.body.queue_rule, put.body.enabled, put.body.continue_on_redo], [2, ex[1], 'Wait For AutoChecks', false, false]);
    assert.deepEqual(await listOrder(q), [[0, 'module'], [1, `q${nested}`], [2, ex[1]]]);
    const patch = await staff.patch(`${items(q)}${first.body.id}/`, { json: { enabled: true } });
    assert.equal(patch.status, 200, patch.text);
    assert.deepEqual([patch.body.enabled, patch.body.exercise.id, patch.body.order], [true, ex[1], 2]);

    const moved = await staff.post(`${items(q)}${first.body.id}/move/`, { json: { new_order: 0 } });
    assert.equal(moved.status, 200, moved.text);
    assert.equal(moved.body.order, 0);
    assert.deepEqual(await listOrder(q), [[0, ex[1]], [1, 'module'], [2, `q${nested}`]]);
    for (const new_order of [3, -1, 99]) {
      const out = await staff.post(`${items(q)}${first.body.id}/move/`, { json: { new_order } });
      assert.equal(out.status, 400, `new_order ${new_order}`);
      assert.deepEqual(problems(out), [['new_order', 'invalid']]);
    }
    assert.deepEqual(problems(await staff.post(`${items(q)}${first.body.id}/move/`, { json: {} })), [['new_order', 'required']]);
    assert.equal((await staff.post(`${items(q)}${first.body.id}/move/`, { form: { new_order: '2' } })).body.order, 2, 'form bodies too');

    assert.equal((await staff.delete(`${items(q)}${moduleItem.id}/`)).status, 204);
    assert.deepEqual(await listOrder(q), [[0, `q${nested}`], [1, ex[1]]]);
    assert.equal((await staff.get(`${items(q)}${moduleItem.id}/`)).status, 404);
    assert.equal((await staff.get(`/api/core/queues/${nested}/items/${nestedItem.id}/`)).status, 404, 'an item is addressed under its own queue');
    assert.equal((await staff.get(items(999999))).status, 404);
  });

  it('refuses bad items', async () => {
    const q = await newQueue('Bad items');
    const bad = async (extra: Record<string, unknown>) => {
      const res = await staff.post(items(q), { json: item(extra) });
      assert.equal(res.status, 400, res.text);
      assert.equal(res.body.type, 'validation_error');
      return problems(res);
    };
    assert.deepEqual(await bad({}), [['non_field_errors', 'invalid']]);
    assert.deepEqual(await bad({ set_exercise_id: ex[0], set_module_id: A.module.id }), [['non_field_errors', 'invalid']]);
    assert.deepEqual(await bad({ set_exercise_id: 999999 }), [['set_exercise_id', 'does_not_exist']]);
    assert.deepEqual(await bad({ set_module_id: 999999 }), [['set_module_id', 'does_not_exist']]);
    assert.deepEqual(await bad({ set_nested_queue_id: 999999 }), [['set_nested_queue_id', 'does_not_exist']]);
    assert.deepEqual(await bad({ set_nested_queue_id: q }), [['set_nested_queue_id', 'invalid']]);
    assert.deepEqual(await bad({ set_exercise_id: ex[0], set_tags_id: [tagId] }), [['set_tags_id', 'invalid']]);
    assert.deepEqual(await bad({ set_module_id: A.module.id, set_tags_id: [999999] }), [['set_tags_id', 'does_not_exist']]);
    assert.deepEqual(await bad({ set_exercise_id: ex[0], queue_rule: 'Wait' }), [['queue_rule', 'invalid_choice']]);
    assert.deepEqual(await bad({ set_exercise_id: ex[0], order: 5 }), [['order', 'invalid']]);
    assert.deepEqual(await bad({ set_exercise_id: ex[0], order: -1 }), [['order', 'invalid']]);
    const partial = await staff.post(items(q), { json: { set_exercise_id: ex[0] } });
    assert.equal(partial.status, 400);
    assert.deepEqual(problems(partial).map((p) => p[0]).sort(), ['enabled', 'order', 'queue_rule', 'set_module_id', 'set_nested_queue_id', 'set_tags_id']);

    // A cycle through a nested queue, and items pointing at deleted rows.
    const outer = await newQueue('Outer');
    await addItem(outer, { set_nested_queue_id: q });
    assert.deepEqual(await bad({ set_nested_queue_id: outer }), [['set_nested_queue_id', 'invalid']]);
    const doomed = (await makeExercise(server, A.module.id, { name: 'Doomed', order: '50' })).id;
    const doomedItem = await addItem(q, { set_exercise_id: doomed });
    await server.services.exercises.delete(await adminActor(server), doomed);
    assert.equal((await staff.get(`${items(q)}${doomedItem.id}/`)).status, 404, 'items of a deleted exercise go with it');
    assert.deepEqual(await bad({ set_exercise_id: doomed }), [['set_exercise_id', 'does_not_exist']]);
    assert.equal((await staff.delete(`/api/core/queues/${q}/`)).status, 204);
    assert.deepEqual(await listOrder(outer), [], 'items nesting a deleted queue go with it');
    const res = await staff.post(items(outer), { json: item({ set_nested_queue_id: q }) });
    assert.deepEqual(problems(res), [['set_nested_queue_id', 'does_not_exist']]);
  });

  it('expands nested-queue and module items in place', async () => {
    const inner = await newQueue('Inner');
    const innermost = await newQueue('Innermost');
    await addItem(innermost, { set_exercise_id: ex[3], queue_rule: 'Wait For Done' });
    await addItem(inner, { set_exercise_id: ex[1], queue_rule: 'Choose' });
    await addItem(inner, { order: 1, set_nested_queue_id: innermost });
    await addItem(inner, { order: 2, set_exercise_id: ex[2], enabled: false });
    const q = await newQueue('Expand');
    await addItem(q, { set_exercise_id: ex[0] });
    const nestedItem = await addItem(q, { order: 1, set_nested_queue_id: inner, queue_rule: 'Wait For Done' });
    const moduleItem = await addItem(q, { order: 2, set_module_id: A.module.id, set_tags_id: [tagId], queue_rule: 'Wait For AutoChecks', continue_on_redo: true });
    const last = await addItem(q, { order: 3, set_exercise_id: ex[2] });

    const expanded = await staff.post(`${items(q)}${nestedItem.id}/expand/`);
    assert.equal(expanded.status, 200, expanded.text);
    assert.equal(expanded.text, '');
    const after = (await staff.get(items(q))).body as { order: number; exercise: { id: number } | null; queue_rule: string; id: number }[];
    assert.deepEqual(after.map((i) => [i.order, i.exercise?.id ?? null, i.queue_rule]), [
      [0, ex[0], 'Wait For Submitted'],
      [1, ex[1], 'Choose'],
      [2, ex[3], 'Wait For Done'],
      [3, null, 'Wait For AutoChecks'],
      [4, ex[2], 'Wait For Submitted'],
    ]);
    assert.equal((await staff.post(`${items(q)}${moduleItem.id}/expand/`)).status, 200);
    const final = (await staff.get(items(q))).body as { order: number; exercise: { id: number } | null; queue_rule: string; continue_on_redo: boolean; id: number }[];
    assert.deepEqual(final.map((i) => [i.order, i.exercise?.id ?? null]), [[0, ex[0]], [1, ex[1]], [2, ex[3]], [3, tagged], [4, ex[2]]]);
    assert.deepEqual([final[3]!.queue_rule, final[3]!.continue_on_redo], ['Wait For AutoChecks', true]);
    const notNested = await staff.post(`${items(q)}${last.id}/expand/`);
    assert.equal(notNested.status, 400);
    assert.deepEqual(problems(notNested), [['non_field_errors', 'invalid']]);
    assert.equal((await staff.get(items(inner))).body.length, 3, 'the nested queue itself is untouched');
  });

  it('duplicates a queue with its items', async () => {
    const q = await newQueue('Original');
    await staff.patch(`/api/core/queues/${q}/`, { json: { description: 'kept' } });
    await addItem(q, { set_exercise_id: ex[0], queue_rule: 'Choose' });
    await addItem(q, { order: 1, set_module_id: A.module.id, set_tags_id: [tagId] });
    const copy = await staff.post(`/api/core/queues/${q}/duplicate/`, { json: { name: 'Copy' } });
    assert.equal(copy.status, 200, copy.text);
    assert.deepEqual(Object.keys(copy.body).sort(), QUEUE_KEYS);
    assert.notEqual(copy.body.id, q);
    assert.deepEqual([copy.body.name, copy.body.description, copy.body.module], ['Copy', 'kept', A.module.id]);
    const original = (await staff.get(items(q))).body as { id: number; order: number; queue_rule: string }[];
    const copied = (await staff.get(items(copy.body.id))).body as { id: number; order: number; queue_rule: string }[];
    assert.deepEqual(copied.map((i) => [i.order, i.queue_rule]), original.map((i) => [i.order, i.queue_rule]));
    assert.notDeepEqual(copied.map((i) => i.id), original.map((i) => i.id));
    const exercisesOf = async (id: number) => ((await staff.get(`/api/core/course/exercises/?queue__id=${id}`)).body as { id: number }[]).map((e) => e.id);
    assert.deepEqual(await exercisesOf(copy.body.id), await exercisesOf(q), 'module tags are copied too');
    const forUser = await staff.post(`/api/core/queues/${q}/duplicate/`, { json: { name: 'For a student', user: student.id } });
    assert.equal(forUser.status, 200, forUser.text);
    assert.deepEqual([forUser.body.user, forUser.body.module], [student.id, null]);
    const two = await staff.post(`/api/core/queues/${q}/duplicate/`, { json: { name: 'Both', user: student.id, module: A.module.id } });
    assert.deepEqual(two.body.errors, [{ code: 'invalid', detail: ONE_TARGET, attr: 'non_field_errors' }]);
    assert.deepEqual(problems(await staff.post(`/api/core/queues/${q}/duplicate/`, { json: {} })), [['name', 'required']]);
    assert.equal((await staff.post('/api/core/queues/999999/duplicate/', { json: { name: 'x' } })).status, 404);
  });

  it('gives reads to checkers of the program, writes to staff, and nothing to students', async () => {
    const q = await newQueue('Permissions');
    const it1 = await addItem(q, { set_exercise_id: ex[0] });
    for (const who of [studentA, student.api]) {
      assert.equal((await who.get('/api/core/queues/')).status, 403);
      assert.equal((await who.get(`/api/core/queues/${q}/`)).status, 403);
      assert.equal((await who.get(items(q))).status, 403);
      assert.equal((await who.post('/api/core/queues/', { json: { name: 'Mine', user: student.id } })).status, 403);
    }
    assert.equal((await checkerA.get(`/api/core/queues/${q}/`)).status, 200);
    assert.equal((await checkerA.get(`${items(q)}${it1.id}/`)).status, 200);
    assert.ok(((await checkerA.get('/api/core/queues/')).body as { id: number }[]).some((x) => x.id === q));
    assert.equal((await checkerA.patch(`/api/core/queues/${q}/`, { json: { name: 'No' } })).status, 403);
    assert.equal((await checkerA.post(`${items(q)}${it1.id}/move/`, { json: { new_order: 0 } })).status, 403);
    assert.equal((await checkerA.delete(`${items(q)}${it1.id}/`)).status, 403);
    assert.equal((await otherChecker.get(`/api/core/queues/${q}/`)).status, 404, 'another program is invisible');
    assert.ok(!((await otherChecker.get('/api/core/queues/')).body as { id: number }[]).some((x) => x.id === q));
    assert.equal((await admin.patch(`/api/core/queues/${q}/`, { json: { name: 'Admin too' } })).status, 200);
  });

  it("walks a student's path: assignments appear as reached, submitting moves on per the rule", async () => {
    const s = await makeStudent(server, A.program.id);
    const q = await newQueue('Path');
    await addItem(q, { set_exercise_id: ex[0], queue_rule: 'Wait For Submitted' });
    await addItem(q, { order: 1, set_exercise_id: ex[1], queue_rule: 'Wait For Done' });
    await addItem(q, { order: 2, set_exercise_id: ex[2], queue_rule: 'Choose' });
    await addItem(q, { order: 3, set_exercise_id: ex[3], queue_rule: 'Choose' });
    const mine = async () => ((await staff.get(`/api/core/assignments/?user__id__in=${s.id}`)).body as { id: number; exercise: number }[]).map((a) => a.exercise);
    const me = async () => {
      const res = await s.api.get('/api/core/management/users/me/');
      assert.equal(res.status, 200, res.text);
      return res.body;
    };
    let m = await me();
    assert.deepEqual([m.current_assignment, m.current_assignment_options], [null, []], 'no queue, no path');
    assert.deepEqual(await mine(), []);

    assert.equal((await staff.patch(`/api/core/management/users/${s.id}/`, { json: { queue: q } })).status, 200);
    m = await me();
    assert.deepEqual(await mine(), [ex[0]], 'the first item is reached and gets its assignment');
    const a0 = m.current_assignment;
    assert.equal(typeof a0, 'number');
    assert.deepEqual(m.current_assignment_options, [{
      id: a0, exercise: ex[0], exercise_name: 'One', parent_module: A.module.id, parent_subject: A.subject.id, parent_module_name: 'Loops',
      parent_subject_symbol: 'S1', parent_subject_color: '#112233', assignment_status: 'New',
    }]);
    assert.deepEqual([m.current_assignment__exercise_id, m.current_assignment__exercise_name, m.current_assignment__module_id, m.current_assignment__subject_id], [ex[0], 'One', A.module.id, A.subject.id]);
    const asUser = (await staff.get(`/api/core/management/users/${s.id}/`)).body;
    assert.deepEqual([asUser.current_assignment, asUser.current_assignment_options], [a0, [a0]]);
    // The staff list only glances: the same path, and nothing written for students who never read theirs.
    const other = await makeStudent(server, A.program.id);
    await server.services.db.updateTable('users').set({ queue_id: q }).where('id', '=', other.id).execute();
    const listed = (await staff.get(`/api/core/management/users/?id__in=${s.id},${other.id}`)).body as { id: number; current_assignment: number | null; current_assignment_options: number[] }[];
    assert.deepEqual(listed.map((u) => [u.id, u.current_assignment, u.current_assignment_options]), [[s.id, a0, [a0]], [other.id, null, []]]);
    assert.deepEqual(await server.services.db.selectFrom('assignments').select('id').where('user_id', '=', other.id).execute(), []);

    const submit = async (assignment: number, who: Client = s.api, type = 'Submission') => {
      const res = await who.post(`/api/core/assignments/${assignment}/responses/`, { json: { response_type: type, contents: [] } });
      assert.equal(res.status, 201, res.text);
    };
    await submit(a0, s.api, 'Work In Progress');
    assert.equal((await me()).current_assignment, a0, 'work in progress does not move on');
    await submit(a0);
    m = await me();
    assert.deepEqual(await mine(), [ex[0], ex[1]], 'Wait For Submitted: the submission opens the next item');
    const a1 = m.current_assignment;
    assert.notEqual(a1, a0);
    assert.deepEqual(m.current_assignment_options.map((o: { exercise: number }) => o.exercise), [ex[1]]);

    await submit(a1);
    assert.equal((await me()).current_assignment, a1, 'Wait For Done holds after a submission');
    await submit(a1, checkerA, 'Redo');
    assert.equal((await me()).current_assignment, a1, 'a Redo holds without continue_on_redo');
    assert.deepEqual(await mine(), [ex[0], ex[1]]);
    await submit(a1, checkerA, 'Done');
    m = await me();
    assert.deepEqual(await mine(), [ex[0], ex[1], ex[2], ex[3]], 'the Choose run opens together');
    const options = m.current_assignment_options as { id: number; exercise: number; assignment_status: string }[];
    assert.deepEqual(options.map((o) => [o.exercise, o.assignment_status]), [[ex[2], 'New'], [ex[3], 'New']]);
    assert.equal(m.current_assignment, options[0]!.id);

    const picked = await s.api.patch('/api/core/management/users/me/', { json: { current_assignment: options[1]!.id } });
    assert.equal(picked.status, 200, picked.text);
    assert.equal(picked.body.current_assignment, options[1]!.id, 'the student picks among the options');
    assert.equal((await me()).current_assignment, options[1]!.id, 'and the pick stays');
    await submit(options[1]!.id);
    m = await me();
    assert.deepEqual([m.current_assignment, m.current_assignment_options.map((o: { id: number }) => o.id)], [options[0]!.id, [options[0]!.id]]);
    await submit(options[0]!.id);
    m = await me();
    assert.deepEqual(m.current_assignment_options, [], 'the queue is finished');
    assert.equal(m.current_assignment, options[0]!.id, 'the last assignment stays current');

    // An override queue wins; disabling the queue leaves the student without a path.
    const override = await newQueue('Override', { user: s.id });
    await addItem(override, { set_module_id: A.module.id, set_tags_id: [tagId], queue_rule: 'Wait For AutoChecks', continue_on_redo: true });
    await staff.patch(`/api/core/management/users/${s.id}/`, { json: { override_queue: override } });
    m = await me();
    assert.deepEqual(m.current_assignment_options.map((o: { exercise: number }) => o.exercise), [tagged]);
    await submit(m.current_assignment, checkerA, 'Redo');
    assert.deepEqual((await me()).current_assignment_options, [], 'continue_on_redo: a Redo counts as reached');
  });

  it('follows the override, else the user queue, else the queue, each unless disabled', async () => {
    const s = await makeStudent(server, A.program.id);
    const queueOf = async (name: string, exercise: number, target: Record<string, unknown> = { module: A.module.id }) => {
      const q = await newQueue(name, target);
      await addItem(q, { set_exercise_id: exercise });
      return q;
    };
    const classQueue = await queueOf('Class queue', ex[0]!);
    const userQueue = await queueOf('User queue', ex[1]!, { user: s.id });
    const overrideQueue = await queueOf('Override queue', ex[2]!);
    const open = async () => {
      const me = (await s.api.get('/api/core/management/users/me/')).body;
      return (me.current_assignment_options as { exercise: number }[]).map((o) => o.exercise);
    };
    const set = async (json: Record<string, unknown>) => assert.equal((await staff.patch(`/api/core/management/users/${s.id}/`, { json })).status, 200);
    await set({ queue: classQueue });
    assert.deepEqual(await open(), [ex[0]]);
    await set({ user_queue: userQueue });
    assert.deepEqual(await open(), [ex[1]]);
    await set({ override_queue: overrideQueue, disable_queue: true, disable_user_queue: true });
    assert.deepEqual(await open(), [ex[2]], 'the override has no switch');
    await set({ override_queue: null });
    assert.deepEqual(await open(), [], 'both disabled: no path');
    await set({ disable_queue: false });
    assert.deepEqual(await open(), [ex[0]]);
    await set({ disable_user_queue: false });
    assert.deepEqual(await open(), [ex[1]]);
    const listed = ((await staff.get(`/api/core/management/users/?id__in=${s.id}`)).body as { current_assignment: number; current_assignment_options: number[] }[])[0]!;
    assert.equal(listed.current_assignment_options.length, 1);
    assert.deepEqual(listed.current_assignment_options, [listed.current_assignment], 'the user list shows the path as assignment ids');
    assert.equal((await s.api.get(`/api/core/management/users/${student.id}/`)).status, 404, "another student's path is not theirs to read");
  });

  it('delete_new removes the queue assignments still New and nothing else', async () => {
    const s = await makeStudent(server, A.program.id);
    const q = await newQueue('Cleanup');
    await addItem(q, { set_exercise_id: ex[0], queue_rule: 'Choose' });
    await addItem(q, { order: 1, set_exercise_id: ex[1], queue_rule: 'Choose' });
    await addItem(q, { order: 2, set_exercise_id: ex[2], queue_rule: 'Choose' });
    await staff.patch(`/api/core/management/users/${s.id}/`, { json: { user_queue: q } });
    const m = (await s.api.get('/api/core/management/users/me/')).body;
    const [o0, o1, o2] = m.current_assignment_options as { id: number }[];
    await s.api.post(`/api/core/assignments/${o0!.id}/responses/`, { json: { response_type: 'Submission', contents: [] } });
    await s.api.post(`/api/core/assignments/${o1!.id}/responses/`, { json: { response_type: 'Comment', contents: [] } });
    const other = await makeStudent(server, A.program.id);
    const unrelated = await server.services.assignments.create(await adminActor(server), { user: other.id, exercise: ex[2]! });
    assert.equal((await checkerA.post(`/api/core/queues/${q}/delete_new/`)).status, 403);
    const res = await staff.post(`/api/core/queues/${q}/delete_new/`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.text, '');
    const left = ((await staff.get('/api/core/assignments/')).body as { id: number }[]).map((a) => a.id);
    assert.ok(left.includes(o0!.id), 'submitted work stays');
    assert.ok(left.includes(o1!.id), 'a New assignment with a comment stays');
    assert.ok(!left.includes(o2!.id), 'an untouched New assignment goes');
    assert.ok(left.includes(unrelated.id), 'students not served by the queue keep theirs');
    assert.equal((await staff.post('/api/core/queues/999999/delete_new/')).status, 404);
  });
});
