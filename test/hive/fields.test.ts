import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';
import type { makeCourseTree } from '../helpers/fixtures.ts';
import { makeExercise, makeStudent, makeCast } from '../helpers/fixtures.ts';
import type { Client } from '../helpers/http.ts';
import { client } from '../helpers/http.ts';

const FIELD_KEYS = [
  'choices', 'description', 'groups', 'has_value', 'hanich_responses', 'id', 'lower_limit', 'metadata', 'name', 'order', 'required', 'segel_only',
  'staff_responses', 'type', 'upper_limit',
].sort();

type Tree = Awaited<ReturnType<typeof makeCourseTree>>;
const errs = (res: { body: { errors: { attr: string | null; code: string }[] } }) => res.body.errors.map((e) => [e.attr, e.code]).sort();

describe('hive /course/exercises/{parentId}/fields/', () => {
  let server: TestServer;
  let A: Tree;
  let staff: Client;
  let admin: Client;
  let checkerA: Client;
  let otherChecker: Client;
  let instructor: Client;
  let studentA: Client;
  let studentB: Client;
  let exerciseId: number;
  let otherExerciseId: number;
  let classIds: number[];
  const fields = (ex = exerciseId) => `/api/core/course/exercises/${ex}/fields/`;
  const body = (extra: Record<string, unknown> = {}) => ({
    name: 'Answer',
    type: 'text',
    order: 1,
    required: true,
    staff_responses: false,
    hanich_responses: true,
    has_value: true,
    segel_only: false,
    ...extra,
  });

  before(async () => {
    server = await startTestServer();
    ({ A, staff, admin, checkerA, otherChecker, instructor, studentA, studentB } = await makeCast(server, 'Fields Program', 'Elsewhere'));
    exerciseId = (await makeExercise(server, A.module.id, { name: 'Quiz' })).id;
    otherExerciseId = (await makeExercise(server, A.module.id, { name: 'Other quiz' })).id;
    const { db, clock } = server.services;
    classIds = [];
    for (const name of ['Room 1', 'Group 2']) {
      classIds.push((await db.insertInto('classes').values({ course_id: A.program.id, name, created_at: clock.now() }).returning('id').executeTakeFirstOrThrow()).id);
    }
  });
  after(() => server.close());

  it('creates, reads, replaces, patches and deletes a field with every key of the schema', async () => {
    const created = await staff.post(fields(), {
      json: body({
        name: 'Grade',
        description: 'From 0 to 100',
        type: 'number',
        order: 3,
        lower_limit: 0,
        upper_limit: 100,
        metadata: { widget: 'slider', steps: [0, 50, 100] },
        groups: [classIds[1], classIds[0]],
        id: 12345,
        top_responses: ['ignored'],
      }),
    });
    assert.equal(created.status, 201, created.text);
    assert.deepEqual(Object.keys(created.body).sort(), FIELD_KEYS);
    const id = created.body.id;
    assert.notEqual(id, 12345);
    assert.deepEqual(created.body, {
      id,
      name: 'Grade',
      description: 'From 0 to 100',
      type: 'number',
      order: 3,
      required: true,
      staff_responses: false,
      hanich_responses: true,
      has_value: true,
      lower_limit: 0,
      upper_limit: 100,
      choices: null,
      segel_only: false,
      metadata: { widget: 'slider', steps: [0, 50, 100] },
      groups: [...classIds].sort((a, b) => a - b),
    });
    assert.deepEqual((await studentA.get(`${fields()}${id}/`)).body, created.body);

    const put = await staff.put(`${fields()}${id}/`, { json: body({ name: 'Pick', type: 'multiple', choices: ['a', 'b', 'c'], order: 4 }) });
    assert.equal(put.status, 200, put.text);
    assert.equal(put.body.type, 'multiple');
    assert.deepEqual(put.body.choices, ['a', 'b', 'c']);
    assert.equal(put.body.order, 4);
    // Keys PUT did not send stay as they were.
    assert.equal(put.body.upper_limit, 100);
    assert.equal(put.body.groups.length, 2);

    const patch = await staff.patch(`${fields()}${id}`, { json: { choices: null, groups: [], metadata: 'plain text', lower_limit: null } });
    assert.equal(patch.status, 200, patch.text);
    assert.equal(patch.body.choices, null);
    assert.deepEqual(patch.body.groups, []);
    assert.equal(patch.body.metadata, 'plain text');
    assert.equal(patch.body.lower_limit, null);
    assert.equal(patch.body.name, 'Pick');

    const list = await staff.get(fields());
    assert.deepEqual(list.body.map((f: { id: number }) => f.id), [id]);
    const del = await staff.delete(`${fields()}${id}/`);
    assert.equal(del.status, 204);
    assert.equal(del.text, '');
    assert.equal((await staff.get(`${fields()}${id}/`)).status, 404);
  });

  it('accepts urlencoded and multipart bodies (repeated keys for choices and groups, JSON text for metadata)', async () => {
    const form = await staff.post(fields(), {
      form: {
        name: 'Colour',
        type: 'multiResponse',
        order: '2',
        required: 'false',
        staff_responses: 'yes',
        hanich_responses: '1',
        has_value: 'on',
        segel_only: 'off',
        choices: ['red', 'green'],
        groups: [String(classIds[0])],
        metadata: '{"max": 2}',
      },
    });
    assert.equal(form.status, 201, form.text);
    assert.equal(form.body.required, false);
    assert.equal(form.body.staff_responses, true);
    assert.equal(form.body.order, 2);
    assert.deepEqual(form.body.choices, ['red', 'green']);
    assert.deepEqual(form.body.groups, [classIds[0]]);
    assert.deepEqual(form.body.metadata, { max: 2 });

    const fd = new FormData();
    for (const [k, v] of Object.entries({ name: 'Note', type: 'text', order: '0', required: 'true', staff_responses: 'false', hanich_responses: 'false', has_value: 'false', segel_only: 'true' })) {
      fd.append(k, v);
    }
    const multi = await staff.post(fields(), { multipart: fd });
    assert.equal(multi.status, 201, multi.text);
    assert.equal(multi.body.has_value, false);
    assert.equal(multi.body.segel_only, true);
    assert.deepEqual(multi.body.groups, []);
    assert.equal(multi.body.metadata, null);
  });

  it('reports every missing and malformed key at once', async () => {
    const missing = await staff.post(fields(), { json: {} });
    assert.equal(missing.status, 400);
    assert.deepEqual(errs(missing), [
      ['hanich_responses', 'required'], ['has_value', 'required'], ['name', 'required'], ['order', 'required'], ['required', 'required'], ['segel_only', 'required'],
      ['staff_responses', 'required'], ['type', 'required'],
    ]);
    const bad = await staff.post(fields(), {
      json: body({ name: '', type: 'Text', order: 'first', required: 'perhaps', lower_limit: 1.5, upper_limit: 2147483648, choices: 'a,b', groups: 'all', description: ['x'] }),
    });
    assert.equal(bad.status, 400);
    assert.deepEqual(errs(bad), [
      ['choices', 'not_a_list'], ['description', 'invalid'], ['groups', 'not_a_list'], ['lower_limit', 'invalid'], ['name', 'blank'], ['order', 'invalid'],
      ['required', 'invalid'], ['type', 'invalid_choice'], ['upper_limit', 'max_value'],
    ]);
    const detail = (attr: string) => bad.body.errors.find((e: { attr: string }) => e.attr === attr).detail;
    assert.equal(detail('type'), '"Text" is not a valid choice.');
    assert.equal(detail('upper_limit'), 'Ensure this value is less than or equal to 2147483647.');
    const items = await staff.post(fields(), { json: body({ choices: ['ok', { no: 1 }], groups: [classIds[0], 'x'] }) });
    assert.deepEqual(errs(items), [['choices.1', 'invalid'], ['groups.1', 'invalid']]);
    const nulls = await staff.post(fields(), { json: body({ order: null, groups: null }) });
    assert.deepEqual(errs(nulls), [['groups', 'null'], ['order', 'null']]);
  });

  it('refuses unknown class ids in groups', async () => {
    const res = await staff.post(fields(), { json: body({ groups: [classIds[0], 999999, 99999999999] }) });
    assert.equal(res.status, 400);
    assert.deepEqual(res.body.errors, [
      { code: 'does_not_exist', detail: 'Invalid pk "999999" - object does not exist.', attr: 'groups' },
      { code: 'does_not_exist', detail: 'Invalid pk "99999999999" - object does not exist.', attr: 'groups' },
    ]);
    const created = await staff.post(fields(), { json: body({ name: 'Grouped' }) });
    const patch = await staff.patch(`${fields()}${created.body.id}/`, { json: { groups: [424242] } });
    assert.equal(patch.status, 400);
    assert.deepEqual(errs(patch), [['groups', 'does_not_exist']]);
  });

  it('answers 404 for a field of another exercise and for unknown ids', async () => {
    const theirs = await staff.post(fields(otherExerciseId), { json: body({ name: 'Theirs' }) });
    assert.equal(theirs.status, 201);
    const wrong = `${fields()}${theirs.body.id}/`;
    assert.equal((await staff.get(wrong)).status, 404);
    assert.equal((await staff.put(wrong, { json: body() })).status, 404);
    assert.equal((await staff.patch(wrong, { raw: '{', headers: { 'content-type': 'application/json' } })).status, 404);
    assert.equal((await staff.delete(wrong)).status, 404);
    assert.equal((await staff.post(`${wrong}duplicate/`, { json: { name: 'copy' } })).status, 404);
    assert.equal((await staff.get(`${fields(otherExerciseId)}${theirs.body.id}/`)).status, 200);
    for (const url of [fields(999999), `${fields(999999)}${theirs.body.id}/`, `${fields()}999999/`, `${fields()}99999999999/`, `${fields()}abc/`, fields(99999999999)]) {
      assert.equal((await staff.get(url)).status, 404, url);
    }
    assert.equal((await staff.post(fields(999999), { json: body() })).status, 404);
    assert.equal((await staff.get(`${fields(999999)}list_with_top_results/`)).status, 404);
    assert.equal((await staff.post(fields(), { json: body() })).status, 201);
    assert.equal((await staff.put(fields(), { json: body() })).status, 405);
  });

  it('duplicates a field with a new name on the same exercise (200)', async () => {
    const source = await staff.post(fields(), { json: body({ name: 'Original', type: 'multiple', choices: ['x', 'y'], metadata: { k: [1] }, groups: [classIds[1]], order: 7 }) });
    const copy = await staff.post(`${fields()}${source.body.id}/duplicate/`, { json: { name: 'Copy' } });
    assert.equal(copy.status, 200, copy.text);
    assert.notEqual(copy.body.id, source.body.id);
    assert.deepEqual({ ...copy.body, id: 0 }, { ...source.body, id: 0, name: 'Copy' });
    assert.equal((await staff.get(`${fields()}${copy.body.id}/`)).status, 200);
    const form = await staff.post(`${fields()}${source.body.id}/duplicate/`, { form: { name: 'Form copy' } });
    assert.equal(form.status, 200);
    assert.equal(form.body.name, 'Form copy');
    const missing = await staff.post(`${fields()}${source.body.id}/duplicate/`, { json: {} });
    assert.equal(missing.status, 400);
    assert.deepEqual(errs(missing), [['name', 'required']]);
    assert.deepEqual(errs(await staff.post(`${fields()}${source.body.id}/duplicate/`, { json: { name: '' } })), [['name', 'blank']]);
    assert.equal((await staff.post(`${fields()}999999/duplicate/`, { json: { name: 'x' } })).status, 404);
  });

  it('lists fields with exercise and top responses, most frequent first, at most ten', async () => {
    const ex = (await makeExercise(server, A.module.id, { name: 'Survey' })).id;
    const text = await staff.post(fields(ex), { json: body({ name: 'Why' }) });
    const pick = await staff.post(fields(ex), { json: body({ name: 'Pick', type: 'multiple', choices: ['a', 'b'] }) });
    const empty = await staff.get(`${fields(ex)}list_with_top_results/`);
    assert.equal(empty.status, 200);
    assert.deepEqual(empty.body, [
      { ...text.body, exercise: ex, top_responses: [] },
      { ...pick.body, exercise: ex, top_responses: [] },
    ]);
    assert.deepEqual(Object.keys(empty.body[0]).sort(), [...FIELD_KEYS, 'exercise', 'top_responses'].sort());

    // Answers recorded on responses: twelve distinct values with different frequencies.
    const { db, clock } = server.services;
    const student = await makeStudent(server, A.program.id);
    const now = clock.now();
    const assignment = await db
      .insertInto('assignments')
      .values({ exercise_id: ex, user_id: student.id, last_staff_updated: now, created_at: now, updated_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    const answers: string[] = [];
    for (let v = 0; v < 12; v++) for (let n = 0; n <= v % 6; n++) answers.push(`v${v}`);
    answers.push('', '', '', '', '', '', '', '');
    for (const [i, content] of answers.entries()) {
      const response = await db
        .insertInto('responses')
        .values({ assignment_id: assignment.id, user_id: student.id, response_type: 'Submission', created_at: now, updated_at: now })
        .returning('id')
        .executeTakeFirstOrThrow();
      await db.insertInto('response_contents').values({ response_id: response.id, position: 0, field_id: text.body.id, content }).execute();
      if (i % 3 === 0) await db.insertInto('response_contents').values({ response_id: response.id, position: 1, field_id: pick.body.id, content: 'b' }).execute();
    }
    const res = await checkerA.get(`${fields(ex)}list_with_top_results/`);
    assert.equal(res.status, 200, res.text);
    // v5 and v11 six times, v4 and v10 five times, ...; ties by value; empty answers are not answers.
    assert.deepEqual(res.body[0].top_responses, ['v11', 'v5', 'v10', 'v4', 'v3', 'v9', 'v2', 'v8', 'v1', 'v7']);
    assert.deepEqual(res.body[1].top_responses, ['b']);
  });

  it('hides segel_only fields from students and keeps writes to managers', async () => {
    const ex = (await makeExercise(server, A.module.id, { name: 'Permissions' })).id;
    const open = (await staff.post(fields(ex), { json: body({ name: 'Open' }) })).body.id;
    const hidden = (await staff.post(fields(ex), { json: body({ name: 'Staff', segel_only: true }) })).body.id;
    assert.deepEqual((await studentA.get(fields(ex))).body.map((f: { id: number }) => f.id), [open]);
    assert.equal((await studentA.get(`${fields(ex)}${hidden}/`)).status, 404);
    for (const c of [checkerA, instructor, staff, admin]) {
      assert.deepEqual((await c.get(fields(ex))).body.map((f: { id: number }) => f.id), [open, hidden]);
      assert.equal((await c.get(`${fields(ex)}${hidden}/`)).status, 200);
    }
    // Students and checkers outside the program see nothing.
    for (const c of [studentB, otherChecker]) {
      assert.equal((await c.get(fields(ex))).status, 404);
      assert.equal((await c.get(`${fields(ex)}${open}/`)).status, 404);
    }
    // Students: 403 on every write and on the top results, before the body is read.
    const malformed = { raw: '{', headers: { 'content-type': 'application/json' } };
    assert.equal((await studentA.post(fields(ex), malformed)).status, 403);
    assert.equal((await studentA.put(`${fields(ex)}${open}/`, malformed)).status, 403);
    assert.equal((await studentA.patch(`${fields(ex)}${open}/`, malformed)).status, 403);
    assert.equal((await studentA.delete(`${fields(ex)}${open}/`)).status, 403);
    assert.equal((await studentA.post(`${fields(ex)}${open}/duplicate/`, malformed)).status, 403);
    assert.equal((await studentA.get(`${fields(ex)}list_with_top_results/`)).status, 403);
    // Checkers read (including the top results) but do not write.
    assert.equal((await checkerA.get(`${fields(ex)}list_with_top_results/`)).status, 200);
    assert.equal((await checkerA.post(fields(ex), { json: body() })).status, 403);
    assert.equal((await checkerA.put(`${fields(ex)}${open}/`, malformed)).status, 403);
    assert.equal((await checkerA.patch(`${fields(ex)}${open}/`, { json: { name: 'x' } })).status, 403);
    assert.equal((await checkerA.delete(`${fields(ex)}${open}/`)).status, 403);
    assert.equal((await checkerA.post(`${fields(ex)}${open}/duplicate/`, { json: { name: 'x' } })).status, 403);
    assert.equal((await otherChecker.post(fields(ex), { json: body() })).status, 404);
    assert.equal((await otherChecker.get(`${fields(ex)}list_with_top_results/`)).status, 404);
    // Instructors, staff and admins write.
    for (const c of [instructor, staff, admin]) {
      const made = await c.post(fields(ex), { json: body({ name: 'by writer' }) });
      assert.equal(made.status, 201);
      assert.equal((await c.patch(`${fields(ex)}${made.body.id}/`, { json: { order: 5 } })).body.order, 5);
      assert.equal((await c.post(`${fields(ex)}${made.body.id}/duplicate/`, { json: { name: 'dup' } })).status, 200);
      assert.equal((await c.delete(`${fields(ex)}${made.body.id}/`)).status, 204);
    }
    assert.equal((await client(server.app).get(fields(ex))).status, 401);
  });
});
