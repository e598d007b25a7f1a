import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import yazl from 'yazl';
import { syncCourseDirectory } from '../../src/core/courses/course-sync.ts';
import { createSandboxRunner } from '../../src/grading/engine/runner.ts';
import { startWorkerPool } from '../../src/grading/queue/index.ts';
import type { WorkerPool } from '../../src/grading/queue/index.ts';
import { RUN_FAILED } from '../../src/grading/queue/worker-pool.ts';
import { startTestServer } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';
import { adminActor, login, makeCourseTree, makeExercise, makeStudent, makeUser, PASSWORD } from '../helpers/fixtures.ts';
import { call, client } from '../helpers/http.ts';

// Attacks through uploads, referenced by the sandbox security suite: each test states what the
// server must refuse and fails when that protection is taken away.

const MiB = 1024 * 1024;

async function zipOf(entries: { name: string; data: Buffer }[], compressionLevel = 6): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const e of entries) zip.addBuffer(e.data, e.name, { compressionLevel });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const c of zip.outputStream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** The bomb, 10 × 100 MiB of zeros (deflated fast: 4.5 MB rather than the 1 MB, the same attack). */
let bomb: Buffer | null = null;
async function zipBomb(): Promise<Buffer> {
  const zeros = Buffer.alloc(100 * MiB);
  bomb ??= await zipOf(Array.from({ length: 10 }, (_, i) => ({ name: `zeros-${i}.bin`, data: zeros })), 1);
  return bomb;
}

const sha256 = (data: Buffer) => crypto.createHash('sha256').update(data).digest('hex');

/** A Hive multipart body of one response with an uploaded file. */
function responseForm(responseType: string, file: { name: string; data: Buffer }): FormData {
  const form = new FormData();
  form.append('response_type', responseType);
  form.append('contents', '[]');
  form.append('file', new Blob([new Uint8Array(file.data)]), file.name);
  return form;
}

/** A server, a course with an exercise, a student with an assignment on it (Hive's way to hand in). */
async function handInSetup(env: Record<string, string>) {
  const server = await startTestServer({ env });
  const tree = await makeCourseTree(server);
  const exercise = await makeExercise(server, tree.module.id);
  const checker = client(server.app, await login(server, tree.checker.username));
  const newHiveAssignment = async () => {
    const student = await makeStudent(server, tree.program.id);
    const res = await checker.post('/api/core/assignments/', { json: { user: student.id, exercise: exercise.id, assignment_status: 'New' } });
    assert.equal(res.status, 201, res.text);
    return { student, url: `/api/core/assignments/${res.body.id}/responses/`, assignmentId: res.body.id as number };
  };
  /** Rows a refused hand-in must not leave behind (its upload's own blob row aside, which `assay gc` collects). */
  const counts = async () => {
    const count = async (table: 'responses' | 'submissions' | 'grading_jobs' | 'tree_entries') =>
      Number((await server.services.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    return { responses: await count('responses'), submissions: await count('submissions'), jobs: await count('grading_jobs'), entries: await count('tree_entries') };
  };
  const blobRecorded = async (sha: string) => (await server.services.db.selectFrom('blobs').select('sha256').where('sha256', '=', sha).executeTakeFirst()) !== undefined;
  const blobOnDisk = (sha: string) => fs.existsSync(path.join(server.config.blobDir, sha.slice(0, 2), sha.slice(2, 4), sha));
  return { server, exercise, newHiveAssignment, counts, blobRecorded, blobOnDisk };
}

describe('upload attacks: zip archives', () => {
  describe('with the default unzip limits', () => {
    let setup: Awaited<ReturnType<typeof handInSetup>>;
    before(async () => {
      setup = await handInSetup({});
    });
    after(() => setup.server.close());

    it('refuses the 10 × 100 MiB zip bomb sent as a Hive Submission with a 413, quickly, recording nothing it unpacked', async () => {
      const data = await zipBomb();
      const { student, url } = await setup.newHiveAssignment();
      const before = await setup.counts();
      const started = Date.now();
      const res = await student.api.post(url, { multipart: responseForm('Submission', { name: 'bomb.zip', data }) });
      assert.equal(res.status, 413, res.text);
      assert.equal(res.body.type, 'client_error');
      assert.equal(res.body.errors[0].code, 'max_size');
      assert.equal(res.body.errors[0].attr, 'file');
      assert.match(res.body.errors[0].detail, /zip archive unpacks to more than/);
      assert.ok(Date.now() - started < 10_000, `refused in ${Date.now() - started} ms: the declared sizes are enough, nothing is inflated`);
      assert.deepEqual(await setup.counts(), before, 'no response, submission, job or tree');
      const entrySha = sha256(Buffer.alloc(100 * MiB));
      assert.equal(await setup.blobRecorded(entrySha), false);
      assert.equal(setup.blobOnDisk(entrySha), false, 'not one entry was written');
    });

    it('refuses an archive past the compression ratio even when its total is under the byte limit', async () => {
      // 8 MiB of zeros zip to about 8 KB: a ratio near 1000, the default limit being 100.
      const data = await zipOf([{ name: 'zeros.bin', data: Buffer.alloc(8 * MiB) }]);
      const { student, url } = await setup.newHiveAssignment();
      const before = await setup.counts();
      const res = await student.api.post(url, { multipart: responseForm('Submission', { name: 'dense.zip', data }) });
      assert.equal(res.status, 413, res.text);
      assert.equal(res.body.errors[0].attr, 'file');
      assert.match(res.body.errors[0].detail, /more than 100 times its own size/);
      assert.deepEqual(await setup.counts(), before);
    });

    it("keeps a zip sent to Assay's own submission API as the one file it is: nothing is unpacked", async () => {
      const data = await zipBomb();
      const { student } = await setup.newHiveAssignment();
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(data)]), 'bomb.zip');
      const res = await student.api.post(`/api/assay/v1/exercises/${setup.exercise.id}/submissions/`, { multipart: form });
      assert.equal(res.status, 201, res.text);
      assert.deepEqual(res.body.files.map((f: { path: string; size: number }) => [f.path, f.size]), [['bomb.zip', data.length]]);
      assert.equal(setup.blobOnDisk(sha256(Buffer.alloc(100 * MiB))), false);
    });
  });

  describe('with tight unzip limits', () => {
    let setup: Awaited<ReturnType<typeof handInSetup>>;
    before(async () => {
      setup = await handInSetup({ ASSAY_UNZIP_MAX_ENTRIES: '20', ASSAY_UNZIP_MAX_BYTES: String(300 * MiB), ASSAY_UNZIP_MAX_RATIO: '0' });
    });
    after(() => setup.server.close());

    it('refuses an archive of more files than ASSAY_UNZIP_MAX_ENTRIES with a 413, recording none of them', async () => {
      const entries = Array.from({ length: 21 }, (_, i) => ({ name: `f${i}.txt`, data: Buffer.from(`file ${i} ${crypto.randomUUID()}`) }));
      const { student, url } = await setup.newHiveAssignment();
      const before = await setup.counts();
      const res = await student.api.post(url, { multipart: responseForm('Submission', { name: 'many.zip', data: await zipOf(entries) }) });
      assert.equal(res.status, 413, res.text);
      assert.match(res.body.errors[0].detail, /holds more than 20 files/);
      assert.deepEqual(await setup.counts(), before);
      for (const e of entries.slice(0, 20)) assert.equal(await setup.blobRecorded(sha256(e.data)), false, `${e.name} is not recorded`);
    });

    it('refuses the zip bomb past ASSAY_UNZIP_MAX_BYTES with a 413', async () => {
      const { student, url } = await setup.newHiveAssignment();
      const res = await student.api.post(url, { multipart: responseForm('Submission', { name: 'bomb.zip', data: await zipBomb() }) });
      assert.equal(res.status, 413, res.text);
      assert.match(res.body.errors[0].detail, new RegExp(`unpacks to more than ${300 * MiB} bytes`));
    });

    it('unpacks an archive within the limits as a stream: a 128 MiB entry never sits in memory whole', async () => {
      const big = Buffer.alloc(128 * MiB, 7);
      const data = await zipOf([{ name: 'big.bin', data: big }, { name: 'src/a.py', data: Buffer.from('print(1)\n') }]);
      const bigSha = sha256(big);
      const { student, url } = await setup.newHiveAssignment();
      global.gc?.();
      const baseline = process.memoryUsage().rss;
      let peak = baseline;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
      let res;
      try {
        res = await student.api.post(url, { multipart: responseForm('Submission', { name: 'big.zip', data }) });
      } finally {
        clearInterval(sampler);
      }
      assert.equal(res.status, 201, res.text);
      assert.ok(peak - baseline < 64 * MiB, `memory grew by ${Math.round((peak - baseline) / MiB)} MiB while unpacking 128 MiB`);
      const submission = await setup.server.services.db.selectFrom('submissions').select('tree_id').where('response_id', '=', res.body.id).executeTakeFirstOrThrow();
      const entries = await setup.server.services.files.treeEntries(submission.tree_id!);
      assert.deepEqual(entries.map((e) => [e.path, e.size, e.blob]), [['big.bin', 128 * MiB, bigSha], ['src/a.py', 9, sha256(Buffer.from('print(1)\n'))]]);
      assert.equal(await setup.blobRecorded(bigSha), true);
    });

    it('refuses an archive with an unsafe path with a 400 on file', async () => {
      const { student, url } = await setup.newHiveAssignment();
      const data = await zipOf([{ name: `${'n'.repeat(256)}.py`, data: Buffer.from('x') }]);
      const res = await student.api.post(url, { multipart: responseForm('Submission', { name: 'long.zip', data }) });
      assert.equal(res.status, 400, res.text);
      assert.equal(res.body.errors[0].attr, 'file');
      assert.match(res.body.errors[0].detail, /name longer than 255 bytes/);
    });
  });
});

describe('upload attacks: file names over 255 bytes are refused at upload', () => {
  // 130 two-byte letters: 260 bytes in UTF-8, yet 133 characters (under Hive's 255-character file_name).
  const longName = `${'é'.repeat(130)}.py`;
  let setup: Awaited<ReturnType<typeof handInSetup>>;
  before(async () => {
    setup = await handInSetup({ ASSAY_NGSHARE_ADMINS: 'ngadmin' });
  });
  after(() => setup.server.close());

  it('Hive: a Submission whose file name is over 255 bytes is a 400 on file, and nothing is recorded', async () => {
    const { student, url } = await setup.newHiveAssignment();
    const before = await setup.counts();
    const res = await student.api.post(url, { multipart: responseForm('Submission', { name: longName, data: Buffer.from('print(1)\n') }) });
    assert.equal(res.status, 400, res.text);
    assert.equal(res.body.type, 'validation_error');
    assert.equal(res.body.errors[0].attr, 'file');
    assert.match(res.body.errors[0].detail, /name longer than 255 bytes/);
    assert.deepEqual(await setup.counts(), before);
    // Just under the limit is fine.
    const fine = await student.api.post(url, { multipart: responseForm('Submission', { name: `${'é'.repeat(126)}.py`, data: Buffer.from('print(1)\n') }) });
    assert.equal(fine.status, 201, fine.text);
  });

  it("Assay: a submission part whose path has a component over 255 bytes is a 400 on files.<i>.path", async () => {
    const { student } = await setup.newHiveAssignment();
    const before = await setup.counts();
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(Buffer.from('ok'))]), 'src/ok.py');
    form.append('file', new Blob([new Uint8Array(Buffer.from('x'))]), `src/${longName}`);
    const res = await student.api.post(`/api/assay/v1/exercises/${setup.exercise.id}/submissions/`, { multipart: form });
    assert.equal(res.status, 400, res.text);
    assert.equal(res.body.errors[0].attr, 'files.1.path');
    assert.match(res.body.errors[0].detail, /name longer than 255 bytes/);
    assert.deepEqual(await setup.counts(), before);
  });

  it('ngshare: a submission whose files argument holds a path over 255 bytes is a 400 Illegal path', async () => {
    const { server } = setup;
    const token = async (username: string) => {
      const user = await makeUser(server, 1, username);
      return (await server.services.tokens.createApiToken(user.id, 'nbgrader')).token;
    };
    const ng = (t: string) => (url: string, form: Record<string, string>) => call(server.app, 'POST', url, { form, headers: { authorization: `token ${t}` } });
    const admin = ng(await token('ngadmin'));
    const inst = ng(await token('nginst'));
    const stud = ng(await token('ngstud'));
    const files = (p: string) => JSON.stringify([{ path: p, content: Buffer.from('{}').toString('base64') }]);
    assert.equal((await admin('/api/course/longnames', { instructors: '["nginst"]' })).status, 200);
    assert.equal((await inst('/api/students/longnames', { students: JSON.stringify([{ username: 'ngstud', first_name: '', last_name: '', email: '' }]) })).status, 200);
    assert.equal((await inst('/api/assignment/longnames/ps1', { files: files('ps1.ipynb') })).status, 200);
    const before = await setup.counts();
    const res = await stud('/api/submission/longnames/ps1', { files: files(`ps1/${longName}`) });
    assert.equal(res.status, 400, res.text);
    assert.deepEqual(res.body, { success: false, message: 'Illegal path' });
    assert.deepEqual(await setup.counts(), before);
    const released = await inst('/api/assignment/longnames/ps2', { files: files(longName) });
    assert.equal(released.status, 400, 'an instructor release is held to the same rule');
  });

  it('INGInious: a file answer named over 255 bytes is a 400 Invalid arguments, and nothing is recorded', async () => {
    const { server } = setup;
    const report = await server.services.tasks.importCourse(path.resolve('test/inginious/fixtures/demo'));
    const user = await makeUser(server, 1);
    await server.services.programs.enroll(await adminActor(server), report.courseId, user.id, 'student');
    const signIn = await call(server.app, 'POST', '/api/v0/authentication', { form: { login: user.username, password: PASSWORD } });
    assert.equal(signIn.status, 200, signIn.text);
    const cookie = String(signIn.headers['set-cookie']).split(';')[0]!;
    const form = (upload: string) => {
      const f = new FormData();
      f.append('code', 'def hello():\n    return "hi"\n');
      f.append('secret', '42');
      f.append('upload', new Blob([new Uint8Array(Buffer.from('hi\n'))]), upload);
      return f;
    };
    const before = await setup.counts();
    const res = await call(server.app, 'POST', '/api/v0/courses/demo/tasks/hello/submissions', { multipart: form(`${'é'.repeat(130)}.txt`), headers: { cookie } });
    assert.equal(res.status, 400, res.text);
    assert.equal(res.body.error, 'Invalid arguments for this method');
    assert.deepEqual(await setup.counts(), before);
  });
});

describe('upload attacks: a run that fails inside the server shows no host path', () => {
  let server: TestServer;
  let pool: WorkerPool | null = null;
  const logged: string[] = [];
  before(async () => {
    server = await startTestServer({ env: { ASSAY_JOB_MAX_ATTEMPTS: '2' } });
  });
  after(async () => {
    await pool?.stop();
    await server.close();
  });

  it("keeps the failure's detail in the server log and shows the student a neutral timeline", async () => {
    const report = await syncCourseDirectory(server.services, path.resolve('examples/intro-python'));
    const greet = await server.services.db.selectFrom('exercises').select('id').where('course_id', '=', report.courseId).where('slug', '=', 'greet').executeTakeFirstOrThrow();
    const student = await makeStudent(server, report.courseId);
    const assignment = await server.services.assignments.create(await adminActor(server), { user: student.id, exercise: greet.id, assignment_status: 'New' });
    const posted = await student.api.post(`/api/core/assignments/${assignment.id}/responses/`, { multipart: responseForm('Submission', { name: 'solution.py', data: Buffer.from('print(1)\n') }) });
    assert.equal(posted.status, 201, posted.text);
    const submission = await server.services.db.selectFrom('submissions').select(['id', 'tree_id']).where('response_id', '=', posted.body.id).executeTakeFirstOrThrow();
    // The submitted file is lost from the blob store: reading it fails with an error naming the blob.
    const [entry] = await server.services.files.treeEntries(submission.tree_id!);
    fs.rmSync(path.join(server.config.blobDir, entry!.blob.slice(0, 2), entry!.blob.slice(2, 4), entry!.blob));
    pool = startWorkerPool(server.services.grading, createSandboxRunner(server.services), server.services.config, {
      concurrency: 1,
      onError: (e, context) => logged.push(`${context}: ${e instanceof Error ? e.message : String(e)}`),
    });
    let grading: { status: string; timeline: { action: string; payload: string | null }[] } | null = null;
    for (let i = 0; i < 300 && grading?.status !== 'failed'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      grading = (await student.api.get(`/api/assay/v1/submissions/${submission.id}/`)).body.grading;
    }
    assert.equal(grading?.status, 'failed', JSON.stringify(grading));
    const shown = JSON.stringify([grading, (await student.api.get(`/api/core/assignments/${assignment.id}/responses/`)).body]);
    const hostPaths = [os.tmpdir(), server.dataDir, server.config.blobDir, process.env.ASSAY_SANDBOX_ROOT ?? path.join(os.tmpdir(), 'assay-sandbox')];
    for (const p of hostPaths) assert.ok(!shown.includes(p), `the student sees ${p}: ${shown}`);
    const errors = grading!.timeline.filter((e) => e.action === 'Error').map((e) => e.payload);
    assert.deepEqual(errors, [`attempt 1 of 2 failed, queued again: ${RUN_FAILED}`, `failed after 2 attempts: ${RUN_FAILED}`]);
    assert.ok(logged.some((l) => l.startsWith(`grading job `) && l.includes(entry!.blob)), `the detail is logged: ${logged.join('\n')}`);
  });
});
