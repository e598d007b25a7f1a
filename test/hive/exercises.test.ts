import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';
import type { makeCourseTree } from '../helpers/fixtures.ts';
import { adminActor, makeExercise, makeStudent, makeCast } from '../helpers/fixtures.ts';
import type { Client } from '../helpers/http.ts';
import { client } from '../helpers/http.ts';
import { unzip } from '../helpers/zip.ts';

const EXERCISE_KEYS = [
  'autocheck_tag', 'autodone', 'download', 'expected_duration', 'id', 'is_lecture', 'name', 'on_creation_data', 'order', 'parent_module',
  'parent_module_name', 'parent_module_order', 'parent_subject', 'parent_subject_color', 'parent_subject_name', 'parent_subject_symbol', 'patbas',
  'patbas_download', 'patbas_preview', 'preview', 'segel_brief', 'segel_path', 'style', 'sync_message', 'sync_status', 'tags',
].sort();

type Tree = Awaited<ReturnType<typeof makeCourseTree>>;
const errs = (res: { body: { errors: { attr: string | null; code: string }[] } }) => res.body.errors.map((e) => [e.attr, e.code]).sort();
const ids = (res: { body: { id: number }[] }) => res.body.map((e) => e.id);

describe('hive /course/exercises/', () => {
  let server: TestServer;
  let A: Tree;
  let B: Tree;
  let staff: Client;
  let admin: Client;
  let checkerA: Client;
  let otherChecker: Client;
  let instructor: Client;
  let studentA: Client;
  let studentB: Client;
  const base = '/api/core/course/exercises/';
  const body = (moduleId: number, extra: Record<string, unknown> = {}) => ({
    name: 'Hello',
    parent_module: moduleId,
    download: true,
    preview: 'PDF',
    order: '1',
    tags: [],
    patbas: 'Never',
    ...extra,
  });

  before(async () => {
    server = await startTestServer();
    ({ A, B, staff, admin, checkerA, otherChecker, instructor, studentA, studentB } = await makeCast(server, 'Program A', 'Program B'));
    for (const name of ['loops', 'recursion', 'io']) await staff.post('/api/core/tags/', { json: { name, color: '' } });
  });
  after(() => server.close());

  it('creates, reads, replaces, patches and deletes an exercise with every key of the schema', async () => {
    const created = await staff.post(base, {
      json: body(A.module.id, {
        name: 'Fizz Buzz',
        order: '2.1',
        tags: ['recursion', 'loops'],
        patbas: 'On Done',
        patbas_preview: 'Markdown',
        patbas_download: true,
        is_lecture: true,
        style: 'fancy',
        on_creation_data: { seed: [1, 2], nested: { a: null } },
        autocheck_tag: 'py3',
        autodone: true,
        expected_duration: '00:45:00',
        segel_brief: 'brief',
        sync_status: 'Error',
        segel_path: 'ignored',
      }),
    });
    assert.equal(created.status, 201, created.text);
    assert.deepEqual(Object.keys(created.body).sort(), EXERCISE_KEYS);
    const id = created.body.id;
    assert.deepEqual(created.body, {
      id,
      name: 'Fizz Buzz',
      parent_module: A.module.id,
      parent_subject: A.subject.id,
      parent_module_name: 'Loops',
      parent_subject_symbol: 'S1',
      parent_subject_color: '#112233',
      download: true,
      preview: 'PDF',
      patbas_preview: 'Markdown',
      patbas_download: true,
      is_lecture: true,
      style: 'fancy',
      parent_subject_name: 'Basics',
      parent_module_order: '1',
      order: '2.1',
      tags: ['loops', 'recursion'],
      patbas: 'On Done',
      on_creation_data: { seed: [1, 2], nested: { a: null } },
      autocheck_tag: 'py3',
      autodone: true,
      expected_duration: '00:45:00',
      sync_status: 'Normal',
      sync_message: null,
      segel_path: 'Program A/S1/Loops/Fizz Buzz',
      segel_brief: 'brief',
    });
    assert.equal(typeof created.body.order, 'string');
    assert.deepEqual((await studentA.get(`${base}${id}/`)).body, created.body);

    const put = await staff.put(`${base}${id}/`, { json: body(A.module.id, { name: 'Fizz', tags: ['io'] }) });
    assert.equal(put.status, 200, put.text);
    assert.equal(put.body.name, 'Fizz');
    assert.deepEqual(put.body.tags, ['io']);
    // PUT leaves optional keys it was not given as they were.
    assert.equal(put.body.patbas_preview, 'Markdown');
    assert.equal(put.body.patbas, 'Never');

    const patch = await staff.patch(`${base}${id}`, { json: { style: null, on_creation_data: null, tags: [] } });
    assert.equal(patch.status, 200, patch.text);
    assert.equal(patch.body.style, null);
    assert.equal(patch.body.on_creation_data, null);
    assert.deepEqual(patch.body.tags, []);
    assert.equal(patch.body.name, 'Fizz');

    const del = await staff.delete(`${base}${id}/`);
    assert.equal(del.status, 204);
    assert.equal(del.text, '');
    assert.equal((await staff.get(`${base}${id}/`)).status, 404);
  });

  it('accepts urlencoded and multipart bodies (repeated keys for tags, text booleans)', async () => {
    const form = await staff.post(base, {
      form: { name: 'Form', parent_module: String(A.module.id), download: 'false', preview: 'Disabled', order: '7', tags: ['loops', 'io'], patbas: 'Always', autodone: 'on' },
    });
    assert.equal(form.status, 201, form.text);
    assert.equal(form.body.download, false);
    assert.equal(form.body.autodone, true);
    assert.deepEqual(form.body.tags, ['loops', 'io']);
    assert.equal(form.body.order, '7');

    const fd = new FormData();
    for (const [k, v] of Object.entries({ name: 'Multi', parent_module: String(A.module.id), download: 'true', preview: 'PDF', order: '8', patbas: 'Never' })) fd.append(k, v);
    fd.append('tags', 'recursion');
    fd.append('on_creation_data', '{"x": 1}');
    const multi = await staff.post(base, { multipart: fd });
    assert.equal(multi.status, 201, multi.text);
    assert.deepEqual(multi.body.tags, ['recursion']);
    assert.deepEqual(multi.body.on_creation_data, { x: 1 });

    const patch = await staff.patch(`${base}${form.body.id}/`, { form: { tags: '' } });
    assert.equal(patch.status, 200, patch.text);
    assert.deepEqual(patch.body.tags, []);
  });

  it('reports every missing and malformed key at once', async () => {
    const missing = await staff.post(base, { json: {} });
    assert.equal(missing.status, 400);
    assert.deepEqual(errs(missing), [
      ['download', 'required'], ['name', 'required'], ['order', 'required'], ['parent_module', 'required'], ['patbas', 'required'], ['preview', 'required'], ['tags', 'required'],
    ]);
    const bad = await staff.post(base, {
      json: {
        name: 'x'.repeat(101),
        parent_module: 'abc',
        download: 'maybe',
        preview: 'HTML',
        patbas_preview: 'pdf',
        order: '1'.repeat(101),
        tags: 'loops',
        patbas: 'Sometimes',
        style: 's'.repeat(101),
        autocheck_tag: 'a'.repeat(21),
        expected_duration: 'd'.repeat(33),
        is_lecture: 'nah',
        segel_brief: { a: 1 },
      },
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.type, 'validation_error');
    assert.deepEqual(errs(bad), [
      ['autocheck_tag', 'max_length'], ['download', 'invalid'], ['expected_duration', 'max_length'], ['is_lecture', 'invalid'], ['name', 'max_length'],
      ['order', 'max_length'], ['parent_module', 'invalid'], ['patbas', 'invalid_choice'], ['patbas_preview', 'invalid_choice'], ['preview', 'invalid_choice'],
      ['segel_brief', 'invalid'], ['style', 'max_length'], ['tags', 'not_a_list'],
    ]);
    const detail = bad.body.errors.find((e: { attr: string }) => e.attr === 'preview').detail;
    assert.equal(detail, '"HTML" is not a valid choice.');
    const blank = await staff.post(base, { json: body(A.module.id, { name: '  ', download: null }) });
    assert.deepEqual(errs(blank), [['download', 'null'], ['name', 'blank']]);
  });

  it('refuses unknown modules and unknown tag names with does_not_exist', async () => {
    const res = await staff.post(base, { json: body(999999, { tags: ['loops', 'nope', 'nada'] }) });
    assert.equal(res.status, 400);
    assert.deepEqual(res.body.errors, [
      { code: 'does_not_exist', detail: 'Invalid pk "999999" - object does not exist.', attr: 'parent_module' },
      { code: 'does_not_exist', detail: 'Object with name=nope does not exist.', attr: 'tags' },
      { code: 'does_not_exist', detail: 'Object with name=nada does not exist.', attr: 'tags' },
    ]);
    // Ids no integer column can hold are unknown too, never a server error.
    const huge = await staff.post(base, { json: body(99999999999) });
    assert.equal(huge.status, 400);
    assert.deepEqual(errs(huge), [['parent_module', 'does_not_exist']]);
    assert.equal((await staff.get(`${base}99999999999/`)).status, 404);
    assert.equal((await staff.get(base, { query: { parent_module__id: '99999999999' } })).body.length, 0);
    const ex = await makeExercise(server, A.module.id);
    const patch = await staff.patch(`${base}${ex.id}/`, { json: { tags: ['ghost'] } });
    assert.equal(patch.status, 400);
    assert.deepEqual(patch.body.errors, [{ code: 'does_not_exist', detail: 'Object with name=ghost does not exist.', attr: 'tags' }]);
  });

  it('moves an exercise to another program with its module and keeps slugs unique per program', async () => {
    const one = await makeExercise(server, A.module.id, { name: 'Same Name' });
    const two = await makeExercise(server, B.module.id, { name: 'Same Name' });
    assert.equal(one.slug, two.slug);
    const moved = await staff.patch(`${base}${one.id}/`, { json: { parent_module: B.module.id } });
    assert.equal(moved.status, 200, moved.text);
    assert.equal(moved.body.parent_subject, B.subject.id);
    assert.equal(moved.body.segel_path, 'Program B/S1/Loops/Same Name');
    const row = await server.services.db.selectFrom('exercises').select(['course_id', 'slug']).where('id', '=', one.id).executeTakeFirstOrThrow();
    assert.equal(row.course_id, B.program.id);
    assert.notEqual(row.slug, two.slug);
    // A student of A no longer sees it; one of B does.
    assert.equal((await studentA.get(`${base}${one.id}/`)).status, 404);
    assert.equal((await studentB.get(`${base}${one.id}/`)).status, 200);
  });

  describe('filters', () => {
    let tagIds: Record<string, number>;
    let a1: number, a2: number, a3: number, b1: number;
    let otherModule: { id: number; subject_id: number };
    let otherSubjectModule: { id: number };

    before(async () => {
      const admin = await adminActor(server);
      const tags = await server.services.tags.list();
      tagIds = Object.fromEntries(tags.map((t) => [t.name, t.id]));
      otherModule = await server.services.modules.create(admin, { subject_id: A.subject.id, name: 'Functions', order: '2' });
      const subject2 = await server.services.subjects.create(admin, { course_id: A.program.id, symbol: 'S2', name: 'Advanced', color: '#000000' });
      otherSubjectModule = await server.services.modules.create(admin, { subject_id: subject2.id, name: 'Graphs', order: '1' });
      a1 = (await makeExercise(server, otherModule.id, { name: 'F1', tags: ['loops'] })).id;
      a2 = (await makeExercise(server, otherModule.id, { name: 'F2', tags: ['io', 'recursion'] })).id;
      a3 = (await makeExercise(server, otherSubjectModule.id, { name: 'G1', tags: ['recursion'] })).id;
      const bModule = await server.services.modules.create(admin, { subject_id: B.subject.id, name: 'B only', order: '1' });
      b1 = (await makeExercise(server, bModule.id, { name: 'B1', tags: ['loops'] })).id;
    });

    it('filters by id, module, subject and program', async () => {
      assert.deepEqual(ids(await staff.get(base, { query: { id: String(a2) } })), [a2]);
      assert.deepEqual(ids(await staff.get(base, { query: { parent_module__id: String(otherModule.id) } })), [a1, a2]);
      assert.deepEqual(ids(await staff.get(base, { query: { parent_module__parent_subject__id: String(otherModule.subject_id) } })).filter((i) => [a1, a2, a3].includes(i)), [a1, a2]);
      const both = ids(await staff.get(base, { query: { parent_module__parent_subject__parent_program__id__in: `${A.program.id},${B.program.id}` } }));
      assert.ok([a1, a2, a3, b1].every((i) => both.includes(i)));
      const onlyB = ids(await staff.get(base, { query: { parent_module__parent_subject__parent_program__id__in: String(B.program.id) } }));
      assert.ok(onlyB.includes(b1) && !onlyB.includes(a1));
      // Repeated parameters combine.
      const repeated = await staff.get(`${base}?parent_module__parent_subject__parent_program__id__in=${A.program.id}&parent_module__parent_subject__parent_program__id__in=${B.program.id}`);
      assert.ok([a1, b1].every((i) => ids(repeated).includes(i)));
      assert.deepEqual(ids(await staff.get(base, { query: { id: String(a1), parent_module__id: String(otherSubjectModule.id) } })), []);
    });

    it('filters by tag ids (any of them)', async () => {
      const withRecursion = ids(await staff.get(base, { query: { tags__id__in: String(tagIds.recursion) } }));
      assert.ok(withRecursion.includes(a2) && withRecursion.includes(a3) && !withRecursion.includes(a1));
      const loopsOrIo = ids(await staff.get(base, { query: { tags__id__in: `${tagIds.loops},${tagIds.io}`, parent_module__id: String(otherModule.id) } }));
      assert.deepEqual(loopsOrIo, [a1, a2]);
    });

    it('filters by queue: exercise items and module items, limited by the item tags', async () => {
      const { db, clock } = server.services;
      const q = await db.insertInto('queues').values({ name: 'Q', module_id: otherModule.id, created_at: clock.now() }).returning('id').executeTakeFirstOrThrow();
      const empty = await db.insertInto('queues').values({ name: 'Empty', module_id: otherModule.id, created_at: clock.now() }).returning('id').executeTakeFirstOrThrow();
      await db.insertInto('queue_items').values({ queue_id: q.id, order: 1, exercise_id: b1, queue_rule: 'Choose' }).execute();
      const moduleItem = await db
        .insertInto('queue_items')
        .values({ queue_id: q.id, order: 2, module_id: otherModule.id, queue_rule: 'Wait For Done' })
        .returning('id')
        .executeTakeFirstOrThrow();
      // A module item with no tags brings the whole module.
      assert.deepEqual(ids(await staff.get(base, { query: { queue__id: String(q.id) } })), [a1, a2, b1]);
      // The same filter written as a decimal number.
      assert.deepEqual(ids(await staff.get(base, { query: { queue__id: `${q.id}.0` } })), [a1, a2, b1]);
      await db.insertInto('queue_item_tags').values({ item_id: moduleItem.id, tag_id: tagIds.io! }).execute();
      assert.deepEqual(ids(await staff.get(base, { query: { queue__id: String(q.id) } })), [a2, b1]);
      const tagged = await db
        .insertInto('queue_items')
        .values({ queue_id: q.id, order: 3, module_id: otherSubjectModule.id, queue_rule: 'Choose' })
        .returning('id')
        .executeTakeFirstOrThrow();
      await db.insertInto('queue_item_tags').values({ item_id: tagged.id, tag_id: tagIds.loops! }).execute();
      assert.deepEqual(ids(await staff.get(base, { query: { queue__id: String(q.id) } })), [a2, b1]);
      assert.deepEqual(ids(await staff.get(base, { query: { queue__id: String(empty.id) } })), []);
      assert.deepEqual(ids(await staff.get(base, { query: { queue__id: `${q.id}.5` } })), []);
      assert.deepEqual(ids(await staff.get(base, { query: { queue__id: '987654' } })), []);
      // Visibility still applies: a student of A does not see B's exercise through the queue.
      assert.deepEqual(ids(await studentA.get(base, { query: { queue__id: String(q.id) } })), [a2]);
    });

    it('answers 400 for malformed filter values, and ignores unknown parameters', async () => {
      for (const [name, value] of [
        ['id', 'abc'],
        ['parent_module__id', '1.5'],
        ['parent_module__parent_subject__id', 'x'],
        ['parent_module__parent_subject__parent_program__id__in', '1,x'],
        ['queue__id', 'three'],
        ['tags__id__in', 'a'],
      ]) {
        const res = await staff.get(base, { query: { [name!]: value! } });
        assert.equal(res.status, 400, `${name}=${value}`);
        assert.deepEqual(res.body.errors, [{ code: 'invalid', detail: 'Enter a number.', attr: name }]);
      }
      const all = await staff.get(base, { query: { colour: 'red' } });
      assert.equal(all.status, 200);
      assert.ok(all.body.length >= 4);
    });
  });

  describe('downloads', () => {
    type Viewer = { name: string; api: Client; staffSide: boolean };
    let viewers: Viewer[];
    let learner: { id: number; api: Client };
    const pdf = Buffer.from('%PDF-1.4\n\x00\xff binary preview\n', 'latin1');

    /** An exercise of program A with all four trees filled through the core. */
    async function exerciseWithFiles(input: Record<string, unknown>) {
      const { services } = server;
      const adminUser = await adminActor(server);
      const ex = await makeExercise(server, A.module.id, input);
      const store = async (files: Record<string, string | Buffer>) =>
        Promise.all(Object.entries(files).map(async ([path, content]) => ({ path, blob: await services.files.store(Buffer.from(content)) })));
      await services.exercises.replaceTree(adminUser, ex.id, 'handout', await store({ 'main.py': 'print(1)\n' }));
      await services.exercises.replaceTree(adminUser, ex.id, 'solution', await store({ 'main.py': 'print(42)\n', 'tests/t.py': 'assert True\n' }));
      await services.exercises.replaceTree(adminUser, ex.id, 'preview', await store({ 'cover.pdf': 'cover', 'preview.pdf': pdf, 'img/fig 1.png': 'png!' }));
      await services.exercises.replaceTree(adminUser, ex.id, 'patbas_preview', await store({ 'solution.pdf': 'solution preview' }));
      return ex.id;
    }

    async function setAssignment(exerciseId: number, userId: number, status: string) {
      const { db, clock } = server.services;
      const now = clock.now();
      await db
        .insertInto('assignments')
        .values({ exercise_id: exerciseId, user_id: userId, status, last_staff_updated: now, created_at: now, updated_at: now })
        .onConflict((oc) => oc.columns(['user_id', 'exercise_id']).doUpdateSet({ status }))
        .execute();
    }

    before(async () => {
      learner = await makeStudent(server, A.program.id);
      viewers = [
        { name: 'checker', api: checkerA, staffSide: true },
        { name: 'instructor', api: instructor, staffSide: true },
        { name: 'staff', api: staff, staffSide: true },
        { name: 'admin', api: admin, staffSide: true },
      ];
    });

    it('serves the handout zip and the previews with their headers', async () => {
      const id = await exerciseWithFiles({ name: 'Tour', preview: 'PDF' });
      const zip = await learner.api.get(`${base}${id}/student_files/`, { headers: { accept: 'application/zip' } });
      assert.equal(zip.status, 200);
      assert.equal(zip.headers['content-disposition'], `attachment; filename="Tour.zip"; filename*=UTF-8''Tour.zip`);
      assert.deepEqual([...(await unzip(zip.raw)).entries()].map(([k, v]) => [k, v.toString()]), [['main.py', 'print(1)\n']]);

      const main = await learner.api.get(`${base}${id}/preview/`);
      assert.equal(main.status, 200);
      assert.equal(main.headers['content-type'], 'application/pdf');
      assert.equal(main.headers['content-disposition'], `attachment; filename="preview.pdf"; filename*=UTF-8''preview.pdf`);
      assert.ok(main.raw.equals(pdf));
      const asset = await learner.api.get(`${base}${id}/preview/`, { query: { asset: 'img/fig 1.png' } });
      assert.equal(asset.status, 200);
      assert.equal(asset.text, 'png!');
      assert.equal(asset.headers['content-type'], 'image/png');
      assert.equal(asset.headers['content-disposition'], `attachment; filename="fig 1.png"; filename*=UTF-8''fig%201.png`);
      assert.equal((await learner.api.get(`${base}${id}/preview/`, { query: { asset: 'cover.pdf' } })).text, 'cover');
      assert.equal((await learner.api.get(`${base}${id}/preview/`, { query: { asset: 'missing.pdf' } })).status, 404);
      assert.equal((await learner.api.get(`${base}${id}/preview/`, { query: { asset: '../preview.pdf' } })).status, 404);

      // Without a preview.pdf the first entry is the main preview.
      const adminUser = await adminActor(server);
      const blob = await server.services.files.store(Buffer.from('first'));
      const second = await server.services.files.store(Buffer.from('second'));
      await server.services.exercises.replaceTree(adminUser, id, 'preview', [{ path: 'a.pdf', blob }, { path: 'b.pdf', blob: second }]);
      assert.equal((await learner.api.get(`${base}${id}/preview/`)).text, 'first');
    });

    it('answers 404 when there is nothing, when the preview is Disabled, or when the caller cannot see the exercise', async () => {
      const bare = (await makeExercise(server, A.module.id, { preview: 'PDF', patbas_preview: 'PDF', patbas: 'Always', patbas_download: true })).id;
      for (const route of ['student_files', 'patbas_files', 'preview', 'patbas_preview']) {
        assert.equal((await staff.get(`${base}${bare}/${route}/`)).status, 404, route);
        assert.equal((await learner.api.get(`${base}${bare}/${route}/`)).status, 404, route);
      }
      const disabled = await exerciseWithFiles({ preview: 'Disabled', patbas_preview: 'Disabled', patbas: 'Always' });
      assert.equal((await staff.get(`${base}${disabled}/preview/`)).status, 404);
      assert.equal((await staff.get(`${base}${disabled}/patbas_preview/`)).status, 404);
      assert.equal((await staff.get(`${base}${disabled}/preview/`, { query: { asset: 'cover.pdf' } })).status, 404);
      const markdown = await exerciseWithFiles({ preview: 'Markdown' });
      assert.equal((await staff.get(`${base}${markdown}/preview/`)).status, 200);
      for (const route of ['student_files', 'patbas_files', 'preview', 'patbas_preview']) {
        assert.equal((await studentB.get(`${base}${disabled}/${route}/`)).status, 404, route);
        assert.equal((await otherChecker.get(`${base}${disabled}/${route}/`)).status, 404, route);
        assert.equal((await client(server.app).get(`${base}${disabled}/${route}/`)).status, 401, route);
        assert.equal((await staff.get(`${base}999999/${route}/`)).status, 404, route);
      }
    });

    it('keeps the handout from students when download is off, never from the grading side', async () => {
      const id = await exerciseWithFiles({ download: false, preview: 'PDF' });
      const denied = await learner.api.get(`${base}${id}/student_files/`);
      assert.equal(denied.status, 403);
      assert.equal(denied.body.errors[0].code, 'permission_denied');
      // The preview is not a download.
      assert.equal((await learner.api.get(`${base}${id}/preview/`)).status, 200);
      for (const v of viewers) assert.equal((await v.api.get(`${base}${id}/student_files/`)).status, 200, v.name);
    });

    it('follows the Patbas policy for the solution and its preview', async () => {
      const expected: Record<string, { before: number; after: number }> = {
        Never: { before: 403, after: 403 },
        'Staff Only': { before: 403, after: 403 },
        'On Done': { before: 403, after: 200 },
        Always: { before: 200, after: 200 },
      };
      for (const [policy, want] of Object.entries(expected)) {
        const id = await exerciseWithFiles({ patbas: policy, patbas_download: true, patbas_preview: 'PDF' });
        for (const status of ['New', 'Submitted', 'Redo']) {
          await setAssignment(id, learner.id, status);
          for (const route of ['patbas_files', 'patbas_preview']) {
            assert.equal((await learner.api.get(`${base}${id}/${route}/`)).status, want.before, `${policy} ${status} ${route}`);
          }
        }
        await setAssignment(id, learner.id, 'Done');
        const files = await learner.api.get(`${base}${id}/patbas_files/`);
        assert.equal(files.status, want.after, `${policy} Done patbas_files`);
        if (files.status === 200) {
              assert.deepEqual([...(await unzip(files.raw)).keys()], ['main.py', 'tests/t.py']);
        } else {
          assert.equal(files.body.errors[0].code, 'permission_denied');
        }
        assert.equal((await learner.api.get(`${base}${id}/patbas_preview/`)).status, want.after, `${policy} Done patbas_preview`);
        // Another student's Done assignment does not count for this one.
        assert.equal((await studentA.get(`${base}${id}/patbas_files/`)).status, want.before, `${policy} other student`);
        for (const v of viewers) {
          assert.equal((await v.api.get(`${base}${id}/patbas_files/`)).status, 200, `${policy} ${v.name}`);
          const preview = await v.api.get(`${base}${id}/patbas_preview/`);
          assert.equal(preview.status, 200, `${policy} ${v.name} preview`);
          assert.equal(preview.text, 'solution preview');
        }
      }
    });

    it('keeps the solution files from students when patbas_download is off', async () => {
      const id = await exerciseWithFiles({ patbas: 'Always', patbas_download: false, patbas_preview: 'PDF' });
      assert.equal((await learner.api.get(`${base}${id}/patbas_files/`)).status, 403);
      assert.equal((await learner.api.get(`${base}${id}/patbas_preview/`)).status, 200);
      for (const v of viewers) assert.equal((await v.api.get(`${base}${id}/patbas_files/`)).status, 200, v.name);
      // Policy is checked before existence: a student without access learns nothing about the files.
      const none = (await makeExercise(server, A.module.id, { patbas: 'Never', patbas_preview: 'PDF' })).id;
      assert.equal((await learner.api.get(`${base}${none}/patbas_files/`)).status, 403);
      assert.equal((await staff.get(`${base}${none}/patbas_files/`)).status, 404);
    });
  });

  describe('permissions', () => {
    let exA: number;
    let exB: number;
    before(async () => {
      exA = (await makeExercise(server, A.module.id, { name: 'Perm A' })).id;
      exB = (await makeExercise(server, B.module.id, { name: 'Perm B' })).id;
    });

    it('lets students and checkers read only the exercises of their programs', async () => {
      const seenBy = async (c: Client) => ids(await c.get(base));
      const sa = await seenBy(studentA);
      assert.ok(sa.includes(exA) && !sa.includes(exB));
      const sb = await seenBy(studentB);
      assert.ok(sb.includes(exB) && !sb.includes(exA));
      const ca = await seenBy(checkerA);
      assert.ok(ca.includes(exA) && !ca.includes(exB));
      assert.deepEqual(await seenBy(otherChecker), []);
      for (const c of [staff, admin]) {
        const all = await seenBy(c);
        assert.ok(all.includes(exA) && all.includes(exB));
      }
      assert.equal((await studentA.get(`${base}${exB}/`)).status, 404);
      assert.equal((await otherChecker.get(`${base}${exA}/`)).status, 404);
      assert.equal((await checkerA.get(`${base}${exA}/`)).status, 200);
      assert.equal((await client(server.app).get(base)).status, 401);
    });

    it('keeps writes to staff, admins and the program instructors', async () => {
      const item = `${base}${exA}/`;
      // Students are refused before their body is even parsed.
      for (const method of ['post', 'put', 'patch'] as const) {
        const url = method === 'post' ? base : item;
        assert.equal((await studentA[method](url, { raw: '{', headers: { 'content-type': 'application/json' } })).status, 403);
      }
      assert.equal((await studentA.delete(item)).status, 403);
      assert.equal((await studentB.delete(`${base}${exA}/`)).status, 403);
      // Checkers see A's exercise but may not change it; malformed bodies do not get past that.
      assert.equal((await checkerA.post(base, { json: body(A.module.id) })).status, 403);
      assert.equal((await checkerA.put(item, { raw: '{', headers: { 'content-type': 'application/json' } })).status, 403);
      assert.equal((await checkerA.patch(item, { json: { name: 'x' } })).status, 403);
      assert.equal((await checkerA.delete(item)).status, 403);
      // A checker who cannot see the exercise gets 404.
      assert.equal((await otherChecker.patch(item, { json: { name: 'x' } })).status, 404);
      assert.equal((await otherChecker.delete(item)).status, 404);
      // The instructor of A manages A, not B.
      const made = await instructor.post(base, { json: body(A.module.id, { name: 'By instructor' }) });
      assert.equal(made.status, 201, made.text);
      assert.equal((await instructor.patch(`${base}${made.body.id}/`, { json: { order: '9' } })).body.order, '9');
      assert.equal((await instructor.post(base, { json: body(B.module.id) })).status, 403);
      assert.equal((await instructor.patch(`${base}${made.body.id}/`, { json: { parent_module: B.module.id } })).status, 403);
      assert.equal((await instructor.get(`${base}${exB}/`)).status, 404);
      assert.equal((await instructor.delete(`${base}${made.body.id}/`)).status, 204);
      // Staff and admins write everywhere.
      assert.equal((await staff.patch(`${base}${exB}/`, { json: { order: '3' } })).status, 200);
      assert.equal((await admin.patch(item, { json: { order: '4' } })).status, 200);
      // Lookup comes before parsing: an unknown id with a malformed body is 404.
      assert.equal((await staff.put(`${base}999999/`, { raw: '{', headers: { 'content-type': 'application/json' } })).status, 404);
      assert.equal((await staff.put(`${base}abc/`, { json: {} })).status, 404);
      assert.equal((await staff.post(`${base}${exA}/`, { json: {} })).status, 405);
    });

    it('notify_students posts one response on every assignment of the exercise', async () => {
      const url = `${base}${exA}/notify_students/`;
      const students = [await makeStudent(server, A.program.id), await makeStudent(server, A.program.id)];
      const assignments = [];
      for (const s of students) {
        const made = await checkerA.post('/api/core/assignments/', { json: { user: s.id, exercise: exA, assignment_status: 'New' } });
        assert.equal(made.status, 201, made.text);
        assignments.push(made.body.id as number);
      }
      const sent = await staff.post(url, { json: { contents: [], response_type: 'Comment', dear_student: true } });
      assert.equal(sent.status, 200, sent.text);
      assert.equal(sent.text, '');
      for (const [i, id] of assignments.entries()) {
        const responses = (await students[i]!.api.get(`/api/core/assignments/${id}/responses/`)).body;
        assert.deepEqual(responses.map((r: { response_type: string }) => r.response_type), ['Comment']);
        const notified = await server.services.db.selectFrom('notifications').select('id').where('for_user_id', '=', students[i]!.id).where('assignment_id', '=', id).execute();
        assert.equal(notified.length, 1);
      }
      // A checker of the course may send one too; a verdict moves every assignment.
      assert.equal((await checkerA.post(url, { form: { contents: '[]', response_type: 'Redo' } })).status, 200);
      for (const id of assignments) assert.equal((await staff.get(`/api/core/assignments/${id}/`)).body.assignment_status, 'Redo');
      // Bad input: nothing is written anywhere.
      const bad = await staff.post(url, { json: { contents: [], response_type: 'Submission' } });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.errors[0].attr, 'response_type');
      assert.equal((await staff.post(url, { json: { response_type: 'Comment' } })).status, 400);
      assert.equal((await staff.post(url, { json: { contents: [{ field: 999999, content: 'x' }], response_type: 'Comment' } })).status, 400);
      assert.equal((await staff.get(`/api/core/assignments/${assignments[0]}/responses/`)).body.length, 2);
      assert.equal((await studentA.post(url, { json: {} })).status, 403);
      assert.equal((await otherChecker.post(url, { json: {} })).status, 404);
      assert.equal((await staff.post(`${base}999999/notify_students/`, { json: {} })).status, 404);
      assert.equal((await client(server.app).post(url, { json: {} })).status, 401);
      assert.equal((await staff.get(url)).status, 405);
    });
  });
});
