import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { collectGarbage } from '../../src/blobs/gc.ts';
import { Clearance } from '../../src/core/actor.ts';
import { DEFAULT_GRADER_LIMITS, GRADER_LIMIT_RANGE } from '../../src/core/grading/graders.service.ts';
import { startTestServer } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';
import { adminActor, login, makeCourseTree, makeExercise, makeStudent, makeUser, makeCast } from '../helpers/fixtures.ts';
import type { Client } from '../helpers/http.ts';
import { client } from '../helpers/http.ts';

type Tree = Awaited<ReturnType<typeof makeCourseTree>>;

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const sha256 = (b: string) => crypto.createHash('sha256').update(b).digest('hex');
const md5 = (b: string) => crypto.createHash('md5').update(b).digest('hex');
const errs = (res: { body: { errors: { attr: string | null; code: string }[] } }) => res.body.errors.map((e) => [e.attr, e.code]);

function upload(files: Record<string, string>): FormData {
  const fd = new FormData();
  for (const [path, content] of Object.entries(files)) fd.append('file', new Blob([content]), path);
  return fd;
}

describe('assay /exercises/{id}/grader/', () => {
  let server: TestServer;
  let A: Tree;
  let staff: Client;
  let admin: Client;
  let instructor: Client;
  let checkerA: Client;
  let studentA: Client;
  let studentB: Client;
  let exerciseId: number;
  let bareExerciseId: number;
  const grader = (id = exerciseId) => `/api/assay/v1/exercises/${id}/grader/`;
  const files = (id = exerciseId) => `/api/assay/v1/exercises/${id}/grader/files/`;
  const minimal = { convention: 'native', command: ['python3', 'run.py'] };

  before(async () => {
    server = await startTestServer();
    ({ A, staff, admin, checkerA, instructor, studentA, studentB } = await makeCast(server, 'Graded Program', 'Other Program'));
    exerciseId = (await makeExercise(server, A.module.id, { name: 'Autograded' })).id;
    bareExerciseId = (await makeExercise(server, A.module.id, { name: 'Not graded' })).id;
  });
  after(() => server.close());

  it('answers 404 while the exercise has no grader', async () => {
    assert.equal((await staff.get(grader())).status, 404);
    assert.equal((await staff.delete(grader())).status, 404);
    assert.equal((await staff.get(files())).status, 404);
    assert.equal((await staff.delete(files())).status, 404);
    const put = await staff.put(files(), { multipart: upload({ 'run.py': 'x' }) });
    assert.equal(put.status, 404);
    assert.deepEqual(put.body, { type: 'client_error', errors: [{ code: 'not_found', detail: 'Not found.', attr: null }] });
    assert.equal(await server.services.graders.configFor(exerciseId), null);
  });

  it('creates a grader with default limits, then replaces it whole', async () => {
    const created = await staff.put(grader(), { json: minimal });
    assert.equal(created.status, 200, created.text);
    assert.deepEqual(Object.keys(created.body).sort(), ['check_solution', 'command', 'convention', 'harness', 'limits', 'updated_at']);
    assert.equal(created.body.convention, 'native');
    assert.deepEqual(created.body.command, ['python3', 'run.py']);
    assert.deepEqual(created.body.limits, { wall_seconds: 60, cpu_seconds: 30, memory_mb: 512, processes: 64, output_bytes: 1048576, file_size_mb: 16 });
    assert.equal(created.body.check_solution, false);
    assert.deepEqual(created.body.harness, []);
    assert.match(created.body.updated_at, TIMESTAMP);
    assert.deepEqual((await staff.get(grader())).body, created.body);

    const full = {
      convention: 'inginious',
      command: ['sh', '-c', 'run --flag "x y"'],
      limits: { wall_seconds: 3600, cpu_seconds: 1, memory_mb: 16, processes: 1024, output_bytes: 1, file_size_mb: 4096 },
      check_solution: true,
    };
    const replaced = await instructor.put(grader(), { json: { ...full, harness: [{ path: 'ignored' }], updated_at: 'ignored' } });
    assert.equal(replaced.status, 200, replaced.text);
    assert.deepEqual({ ...replaced.body, updated_at: undefined, harness: undefined }, { ...full, updated_at: undefined, harness: undefined });
    assert.ok(replaced.body.updated_at > created.body.updated_at);

    // A PUT is a whole replacement: limits left out go back to their defaults.
    const partial = await admin.put(grader(), { json: { ...minimal, convention: 'autolab', limits: { memory_mb: 1024 } } });
    assert.equal(partial.status, 200, partial.text);
    assert.deepEqual(partial.body.limits, { ...DEFAULT_GRADER_LIMITS, memory_mb: 1024 });
    assert.equal(partial.body.check_solution, false);

    // The same settings again change nothing, not even updated_at.
    const again = await admin.put(grader(), { json: { ...minimal, convention: 'autolab', limits: { memory_mb: 1024 } } });
    assert.equal(again.body.updated_at, partial.body.updated_at);

    // Form bodies work too (repeated keys make the command).
    const form = await staff.put(grader(), { form: { convention: 'hive', command: ['make', 'test'], check_solution: 'true' } });
    assert.equal(form.status, 200, form.text);
    assert.deepEqual([form.body.convention, form.body.command, form.body.check_solution], ['hive', ['make', 'test'], true]);
  });

  it('uploads, keeps, lists and clears the harness', async () => {
    const harness = { 'run.py': 'print("grading")\n', 'tests/test_one.py': 'def test(): pass\n' };
    const put = await staff.put(files(), { multipart: upload(harness) });
    assert.equal(put.status, 200, put.text);
    const listing = Object.entries(harness).map(([path, c]) => ({ path, size: Buffer.byteLength(c), sha256: sha256(c), md5: md5(c) }));
    assert.deepEqual(put.body, listing);
    assert.deepEqual((await staff.get(files())).body, listing);
    assert.deepEqual((await staff.get(grader())).body.harness, listing);

    // New settings keep the harness; a new upload replaces all of it.
    const settings = await staff.put(grader(), { json: { ...minimal, check_solution: true } });
    assert.deepEqual(settings.body.harness, listing);
    const second = await staff.put(files(), { multipart: upload({ 'grade.sh': 'echo hi\n' }) });
    assert.deepEqual(second.body.map((e: { path: string }) => e.path), ['grade.sh']);

    // gc keeps the harness the grader points at (and drops the one it replaced).
    const gc = await collectGarbage(server.services, 0);
    assert.ok(gc.trees >= 1, `replaced harness collected: ${JSON.stringify(gc)}`);
    const after = (await staff.get(files())).body;
    assert.deepEqual(after.map((e: { path: string }) => e.path), ['grade.sh']);
    assert.equal((await server.services.files.read(after[0].sha256)).toString(), 'echo hi\n');

    const del = await staff.delete(files());
    assert.equal(del.status, 204);
    assert.deepEqual((await staff.get(files())).body, []);
    assert.equal((await staff.get(grader())).status, 200);
  });

  it('gives the engine its configuration, with the reference solution and the limits in sandbox units', async () => {
    await staff.put(grader(), { json: { ...minimal, limits: { wall_seconds: 20, memory_mb: 256, file_size_mb: 2 }, check_solution: true } });
    await staff.put(files(), { multipart: upload({ 'run.py': 'pass\n' }) });
    await staff.put(`/api/assay/v1/exercises/${exerciseId}/files/solution/`, { multipart: upload({ 'solution.py': 'x = 1\n' }) });
    const config = await server.services.graders.configFor(exerciseId);
    assert.ok(config);
    const exercise = await server.services.exercises.get(await adminActor(server), exerciseId);
    const row = await server.services.db.selectFrom('graders').select('harness_tree_id').where('exercise_id', '=', exerciseId).executeTakeFirstOrThrow();
    assert.deepEqual(
      { ...config, updatedAt: undefined },
      {
        exerciseId,
        courseId: A.program.id,
        convention: 'native',
        command: ['python3', 'run.py'],
        limits: { ...DEFAULT_GRADER_LIMITS, wall_seconds: 20, memory_mb: 256, file_size_mb: 2 },
        check_solution: true,
        harnessTreeId: row.harness_tree_id,
        solutionTreeId: exercise.solution_tree_id,
        sandboxLimits: { wallMs: 20_000, cpuSeconds: 30, memoryBytes: 256 * 1024 * 1024, processes: 64, outputBytes: 1024 * 1024, fileSizeBytes: 2 * 1024 * 1024 },
        updatedAt: undefined,
      },
    );
    assert.ok(config.solutionTreeId !== null && config.harnessTreeId !== null);
    assert.match(config.updatedAt, TIMESTAMP);
    assert.equal(await server.services.graders.configFor(bareExerciseId), null);
    assert.equal(await server.services.graders.configFor(999999), null);
    assert.equal(await server.services.graders.configFor(-1), null);
  });

  it('refuses bad settings with every problem at once, changing nothing', async () => {
    const before = (await staff.get(grader())).body;
    const cases: [unknown, [string | null, string][]][] = [
      [{}, [['convention', 'required'], ['command', 'required']]],
      [{ convention: 'gradescope', command: ['x'] }, [['convention', 'invalid_choice']]],
      [{ convention: 'native', command: 'python3 run.py' }, [['command', 'not_a_list']]],
      [{ convention: 'native', command: [] }, [['command', 'empty']]],
      [{ convention: 'native', command: ['python3', ''] }, [['command.1', 'blank']]],
      [{ convention: 'native', command: ['a\u0000b'] }, [['command.0', 'null_characters_not_allowed']]],
      [{ convention: 'native', command: [{ a: 1 }] }, [['command.0', 'invalid']]],
      [{ convention: 'native', command: ['x'.repeat(4097)] }, [['command.0', 'max_length']]],
      [{ convention: 'native', command: Array.from({ length: 65 }, () => 'x') }, [['command', 'max_length']]],
      [{ ...minimal, limits: [] }, [['limits', 'invalid']]],
      [{ ...minimal, limits: 'big' }, [['limits', 'invalid']]],
      [{ ...minimal, limits: { wall_seconds: 0 } }, [['limits.wall_seconds', 'min_value']]],
      [{ ...minimal, limits: { wall_seconds: 3601 } }, [['limits.wall_seconds', 'max_value']]],
      [{ ...minimal, limits: { cpu_seconds: -5 } }, [['limits.cpu_seconds', 'min_value']]],
      [{ ...minimal, limits: { memory_mb: 15 } }, [['limits.memory_mb', 'min_value']]],
      [{ ...minimal, limits: { memory_mb: 16385 } }, [['limits.memory_mb', 'max_value']]],
      [{ ...minimal, limits: { processes: 1025 } }, [['limits.processes', 'max_value']]],
      [{ ...minimal, limits: { output_bytes: 64 * 1024 * 1024 + 1 } }, [['limits.output_bytes', 'max_value']]],
      [{ ...minimal, limits: { file_size_mb: 0 } }, [['limits.file_size_mb', 'min_value']]],
      [{ ...minimal, limits: { wall_seconds: 1.5, memory_mb: 'lots' } }, [['limits.wall_seconds', 'invalid'], ['limits.memory_mb', 'invalid']]],
      [{ ...minimal, check_solution: 'maybe' }, [['check_solution', 'invalid']]],
      [{ convention: 'bad', command: 'x', limits: { processes: 0 }, check_solution: 3 }, [['convention', 'invalid_choice'], ['command', 'not_a_list'], ['limits.processes', 'min_value'], ['check_solution', 'invalid']]],
      [[1, 2], [['non_field_errors', 'invalid']]],
    ];
    for (const [body, expected] of cases) {
      const res = await staff.put(grader(), { json: body });
      assert.equal(res.status, 400, `${JSON.stringify(body).slice(0, 80)}: ${res.text}`);
      assert.equal(res.body.type, 'validation_error');
      assert.deepEqual(errs(res), expected, JSON.stringify(body).slice(0, 80));
    }
    const broken = await staff.put(grader(), { raw: '{"convention": ', headers: { 'content-type': 'application/json' } });
    assert.equal(broken.status, 400);
    assert.equal(broken.body.errors[0].code, 'parse_error');
    assert.deepEqual((await staff.get(grader())).body, before);
    // The bounds are the documented ones.
    assert.deepEqual(GRADER_LIMIT_RANGE.wall_seconds, { min: 1, max: 3600 });
    assert.deepEqual(GRADER_LIMIT_RANGE.memory_mb, { min: 16, max: 16384 });
  });

  it('refuses bad harness uploads, keeping the old harness', async () => {
    await staff.put(files(), { multipart: upload({ 'keep.py': 'kept' }) });
    for (const bad of ['../x', '/abs', 'a/./b', 'a/', '.']) {
      const res = await staff.put(files(), { multipart: upload({ 'ok.py': 'fine', [bad]: 'evil' }) });
      assert.equal(res.status, 400, `${bad}: ${res.text}`);
      assert.deepEqual(errs(res), [['files.1.path', 'invalid_path']], bad);
    }
    const dup = upload({ 'x.py': '1' });
    dup.append('file', new Blob(['2']), 'x.py');
    assert.deepEqual(errs(await staff.put(files(), { multipart: dup })), [['files.1.path', 'unique']]);
    assert.deepEqual(errs(await staff.put(files(), { multipart: upload({ lib: 'f', 'lib/a.py': 'g' }) })), [['files.0.path', 'invalid_path']]);
    const none = new FormData();
    none.append('note', 'no files');
    const empty = await staff.put(files(), { multipart: none });
    assert.equal(empty.status, 400);
    assert.deepEqual(empty.body.errors, [{ code: 'required', detail: 'No file was submitted.', attr: 'file' }]);
    const json = await staff.put(files(), { json: { file: 'x' } });
    assert.equal(json.status, 415);
    assert.deepEqual((await staff.get(files())).body.map((e: { path: string }) => e.path), ['keep.py']);
  });

  it('answers 404 for unknown exercises and 405 for other methods', async () => {
    for (const url of [grader(999999), files(999999), '/api/assay/v1/exercises/abc/grader/', '/api/assay/v1/exercises/99999999999/grader/']) {
      assert.equal((await staff.get(url)).status, 404, url);
      assert.equal((await staff.delete(url)).status, 404, url);
    }
    // The lookup comes before the body is read: a broken body on an unknown exercise is still 404.
    assert.equal((await staff.put(grader(999999), { raw: '{', headers: { 'content-type': 'application/json' } })).status, 404);
    assert.equal((await staff.put(files(999999), { multipart: upload({ 'a.py': 'a' }) })).status, 404);
    assert.equal((await staff.post(grader(), { json: minimal })).status, 405);
    assert.equal((await staff.patch(files(), { json: {} })).status, 405);
  });

  it('lets only staff, admins and the course instructors near the grader', async () => {
    for (const [who, api] of [['staff', staff], ['admin', admin], ['instructor', instructor]] as const) {
      assert.equal((await api.put(grader(), { json: minimal })).status, 200, who);
      assert.equal((await api.get(grader())).status, 200, who);
      assert.equal((await api.put(files(), { multipart: upload({ [`${who}.py`]: who }) })).status, 200, who);
      assert.equal((await api.get(files())).status, 200, who);
    }
    // Those who see the exercise but may not manage it: 403 everywhere, before the body is read,
    // and also where there is no grader (students cannot tell whether an exercise is autograded).
    for (const [who, api] of [['student', studentA], ['checker', checkerA]] as const) {
      for (const id of [exerciseId, bareExerciseId]) {
        assert.equal((await api.get(grader(id))).status, 403, `${who} GET ${id}`);
        assert.equal((await api.put(grader(id), { raw: '{garbage', headers: { 'content-type': 'application/json' } })).status, 403, `${who} PUT ${id}`);
        assert.equal((await api.delete(grader(id))).status, 403, `${who} DELETE ${id}`);
        assert.equal((await api.get(files(id))).status, 403, `${who} GET files ${id}`);
        assert.equal((await api.put(files(id), { raw: 'garbage', headers: { 'content-type': 'multipart/form-data; boundary=x' } })).status, 403, `${who} PUT files`);
        assert.equal((await api.delete(files(id))).status, 403, `${who} DELETE files ${id}`);
      }
    }
    // A checker of another course and a student of another course cannot see it: 404.
    const otherChecker = client(server.app, await login(server, (await makeUser(server, Clearance.checker)).username));
    for (const api of [studentB, otherChecker]) {
      assert.equal((await api.get(grader())).status, 404);
      assert.equal((await api.put(grader(), { json: minimal })).status, 404);
      assert.equal((await api.delete(grader())).status, 404);
      assert.equal((await api.put(files(), { multipart: upload({ 'x.py': 'x' }) })).status, 404);
    }
    assert.equal((await client(server.app).get(grader())).status, 401);
    assert.equal((await client(server.app).put(grader(), { json: minimal })).status, 401);
    // Nobody but the managers changed anything.
    assert.deepEqual((await staff.get(files())).body.map((e: { path: string }) => e.path), ['instructor.py']);
    assert.equal((await instructor.delete(grader())).status, 204);
    assert.equal((await staff.get(grader())).status, 404);
    assert.equal(await server.services.graders.configFor(exerciseId), null);
  });

  it('goes away with its exercise', async () => {
    const id = (await makeExercise(server, A.module.id, { name: 'Short-lived' })).id;
    assert.equal((await staff.put(grader(id), { json: minimal })).status, 200);
    assert.equal((await staff.delete(`/api/core/course/exercises/${id}/`)).status, 204);
    const rows = await server.services.db.selectFrom('graders').select('id').where('exercise_id', '=', id).execute();
    assert.deepEqual(rows, []);
  });
});

describe('core ProblemsService', () => {
  let server: TestServer;
  let A: Tree;
  let exerciseId: number;

  before(async () => {
    server = await startTestServer();
    A = await makeCourseTree(server, 'Problem Program');
    exerciseId = (await makeExercise(server, A.module.id, { name: 'Scored' })).id;
  });
  after(() => server.close());

  it('replaces the list by name, keeping ids of kept problems, and checks its input', async () => {
    const admin = await adminActor(server);
    const problems = server.services.problems;
    const first = await problems.replace(admin, exerciseId, [{ name: 'a', max_score: 10 }, { name: 'b', max_score: 5.5, optional: true, description: 'bonus' }]);
    assert.deepEqual(first.map((p) => [p.name, p.max_score, p.optional, p.description, p.order]), [['a', 10, false, '', 0], ['b', 5.5, true, 'bonus', 1]]);
    const second = await problems.replace(admin, exerciseId, [{ name: 'c', max_score: 1 }, { name: 'a', max_score: 20 }]);
    assert.deepEqual(second.map((p) => [p.name, p.max_score, p.order]), [['c', 1, 0], ['a', 20, 1]]);
    assert.equal(second.find((p) => p.name === 'a')!.id, first.find((p) => p.name === 'a')!.id);
    const counts = await server.services.db.transaction().execute((tx) => problems.replaceTrusted(tx, exerciseId, [{ name: 'c', max_score: 1 }, { name: 'a', max_score: 20 }]));
    assert.deepEqual(counts, { created: 0, updated: 0, unchanged: 2, deleted: 0 });
    await assert.rejects(problems.replace(admin, exerciseId, [{ name: 'x' }, { name: 'x', max_score: -1 }, { name: ' ' }]), (err: { kind: string; details: { fields: { field: string; code: string }[] } }) => {
      assert.equal(err.kind, 'invalid');
      assert.deepEqual(err.details.fields.map((f) => [f.field, f.code]), [['problems.1.name', 'unique'], ['problems.1.max_score', 'min_value'], ['problems.2.name', 'blank']]);
      return true;
    });
    assert.deepEqual((await problems.listTrusted(exerciseId)).map((p) => p.name), ['c', 'a']);
  });

  it('lets those who see the exercise read, and only managers replace', async () => {
    const student = await makeStudent(server, A.program.id);
    const studentActor = { id: student.id, username: student.username, clearance: 1 as const };
    const stranger = await makeUser(server, 1);
    const strangerActor = { id: stranger.id, username: stranger.username, clearance: 1 as const };
    assert.deepEqual((await server.services.problems.list(studentActor, exerciseId)).map((p) => p.name), ['c', 'a']);
    await assert.rejects(server.services.problems.replace(studentActor, exerciseId, []), { kind: 'forbidden' });
    await assert.rejects(server.services.problems.list(strangerActor, exerciseId), { kind: 'not_found' });
    await assert.rejects(server.services.problems.replace(strangerActor, exerciseId, []), { kind: 'not_found' });
    assert.equal((await server.services.problems.listTrusted(exerciseId)).length, 2);
  });
});
