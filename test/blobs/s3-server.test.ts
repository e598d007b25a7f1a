/**
 * The whole server on the S3 blob store (s3rver in its own process): submissions uploaded and read
 * back through Assay's API, `assay gc` on the bucket, and the faults: an unreachable or silent
 * endpoint and wrong credentials make /healthz say so and uploads answer 503 in each dialect's
 * shape, with nothing recorded, quickly.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { after, before, describe, it } from 'node:test';
import { collectGarbage } from '../../src/blobs/gc.ts';
import { startTestServer, engineUnderTest, type TestServer } from '../helpers/harness.ts';
import { actorClient, adminActor, makeCourseTree, makeExercise, makeStudent, makeUser } from '../helpers/fixtures.ts';
import { call, type Client } from '../helpers/http.ts';
import { startS3rver, S3RVER_SECRET, type S3rverProcess } from '../helpers/s3rver.ts';

function upload(files: Record<string, string>): FormData {
  const fd = new FormData();
  for (const [path, content] of Object.entries(files)) fd.append('file', new Blob([content]), path);
  return fd;
}

async function countRows(server: TestServer, table: 'blobs' | 'submissions' | 'file_trees'): Promise<number> {
  const row = await server.services.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** A course with an exercise and a student who may hand in to it. */
async function classroom(server: TestServer) {
  const tree = await makeCourseTree(server);
  const exercise = await makeExercise(server, tree.module.id);
  const student = await makeStudent(server, tree.program.id);
  return { tree, exerciseId: exercise.id, student };
}

let s3rver: S3rverProcess;
before(async () => {
  s3rver = await startS3rver();
});
after(() => s3rver.stop());

describe(`the server on the S3 blob store (${engineUnderTest})`, () => {
  let server: TestServer;
  let student: { id: number; api: Client };
  let staff: Client;
  let exerciseId: number;

  before(async () => {
    server = await startTestServer({ env: s3rver.env({ ASSAY_WORKERS: '0' }) });
    const room = await classroom(server);
    student = room.student;
    exerciseId = room.exerciseId;
    staff = (await actorClient(server, 3)).api;
  });
  after(() => server.close());

  it('reports the bucket healthy', async () => {
    const res = await call(server.app, 'GET', '/healthz');
    assert.deepEqual(res.body.blobs, { ok: true });
  });

  it('stores a submission in the bucket and serves its files back', async () => {
    const big = 'x'.repeat(6 * 1024 * 1024 + 17); // over one multipart part
    const files = { 'main.py': 'print(42)\n', 'data/big.txt': big };
    const res = await student.api.post(`/api/assay/v1/exercises/${exerciseId}/submissions/`, { multipart: upload(files) });
    assert.equal(res.status, 201, res.text);
    for (const f of res.body.files as { path: string; sha256: string }[]) assert.equal(await server.services.blobs.has(f.sha256), true, f.path);
    const main = await student.api.get(`/api/assay/v1/submissions/${res.body.id}/files/main.py`);
    assert.equal(main.status, 200, main.text);
    assert.equal(main.text, files['main.py']);
    const data = await student.api.get(`/api/assay/v1/submissions/${res.body.id}/files/data/big.txt`);
    assert.equal(data.status, 200);
    assert.equal(data.raw.length, big.length);
    assert.ok(data.text === big);
  });

  it('answers a file whose blob is gone from the bucket with a clear 404, not a hang', async () => {
    const res = await student.api.post(`/api/assay/v1/exercises/${exerciseId}/submissions/`, { multipart: upload({ 'gone.txt': 'soon gone\n' }) });
    assert.equal(res.status, 201, res.text);
    await server.services.blobs.delete(res.body.files[0].sha256);
    const gone = await student.api.get(`/api/assay/v1/submissions/${res.body.id}/files/gone.txt`);
    assert.equal(gone.status, 404, gone.text);
    assert.deepEqual(gone.body, { type: 'client_error', errors: [{ code: 'not_found', detail: 'Not found.', attr: null }] });
  });

  it('assay gc deletes from the bucket what nothing points at any more', async () => {
    const res = await student.api.post(`/api/assay/v1/exercises/${exerciseId}/submissions/`, { multipart: upload({ 'only-here.txt': 'referenced by one submission\n' }) });
    assert.equal(res.status, 201, res.text);
    const sha = res.body.files[0].sha256 as string;
    const stray = await server.services.blobs.put(Buffer.from('written, never recorded'));
    assert.equal((await staff.delete(`/api/assay/v1/submissions/${res.body.id}/`)).status, 204);
    await collectGarbage(server.services, 0);
    assert.equal(await server.services.blobs.has(sha), false, 'the deleted submission’s blob');
    assert.equal(await server.services.blobs.has(stray.sha256), false, 'the stray object');
    const kept = await student.api.get(`/api/assay/v1/exercises/${exerciseId}/submissions/`);
    assert.ok(kept.body.length >= 1);
  });
});

/** A TCP port where nothing listens (connections refused). */
async function closedPort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

/** A server that accepts connections and never answers. */
async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    async close() {
      for (const s of sockets) s.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

const faults: { name: string; env: () => Promise<Record<string, string>>; health: RegExp; cleanup?: () => Promise<void> }[] = [];
let silent: Awaited<ReturnType<typeof silentServer>> | null = null;
faults.push(
  {
    name: 'an unreachable endpoint',
    env: async () => s3rver.env({ ASSAY_S3_ENDPOINT: `http://127.0.0.1:${await closedPort()}`, ASSAY_S3_TIMEOUT_SECONDS: '1' }),
    health: /unreachable \(.*ECONNREFUSED/,
  },
  {
    name: 'an endpoint that never answers',
    env: async () => {
      silent = await silentServer();
      return s3rver.env({ ASSAY_S3_ENDPOINT: `http://127.0.0.1:${silent.port}`, ASSAY_S3_TIMEOUT_SECONDS: '1' });
    },
    health: /unreachable/,
    cleanup: async () => silent?.close(),
  },
  {
    // s3rver checks the key id but not SigV4 signatures, so the key id is the wrong part here.
    name: 'wrong credentials',
    env: async () => s3rver.env({ ASSAY_S3_ACCESS_KEY_ID: 'NOTAKEY', ASSAY_S3_SECRET_ACCESS_KEY: 'not-the-secret-4711', ASSAY_S3_TIMEOUT_SECONDS: '1' }),
    health: /access denied \(HTTP 403/,
  },
);

for (const fault of faults) {
  describe(`the S3 blob store with ${fault.name} (${engineUnderTest})`, () => {
    let server: TestServer;
    let room: Awaited<ReturnType<typeof classroom>>;
    let env: Record<string, string>;

    before(async () => {
      env = await fault.env();
      server = await startTestServer({ env: { ...env, ASSAY_WORKERS: '0' } });
      room = await classroom(server);
    });
    after(async () => {
      await server.close();
      await fault.cleanup?.();
    });

    it('/healthz answers 503 within seconds and says why', async () => {
      const started = Date.now();
      const res = await call(server.app, 'GET', '/healthz');
      assert.ok(Date.now() - started < 5000, `answered in ${Date.now() - started} ms`);
      assert.equal(res.status, 503, res.text);
      assert.equal(res.body.status, 'error');
      assert.equal(res.body.database.ok, true);
      assert.equal(res.body.blobs.ok, false);
      assert.match(res.body.blobs.error, fault.health);
      assert.ok(!res.text.includes(S3RVER_SECRET) && !res.text.includes('not-the-secret-4711'), 'no secret in the answer');
    });

    it('a submission upload answers 503 in the Assay API’s shape and records nothing', async () => {
      const before = await Promise.all([countRows(server, 'blobs'), countRows(server, 'submissions'), countRows(server, 'file_trees')]);
      const started = Date.now();
      const res = await room.student.api.post(`/api/assay/v1/exercises/${room.exerciseId}/submissions/`, { multipart: upload({ 'main.py': 'print(1)\n' }) });
      assert.ok(Date.now() - started < 15_000, `answered in ${Date.now() - started} ms`);
      assert.equal(res.status, 503, res.text);
      assert.deepEqual(res.body, {
        type: 'server_error',
        errors: [{ code: 'service_unavailable', detail: 'File storage is unavailable. Try again later.', attr: null }],
      });
      assert.deepEqual(await Promise.all([countRows(server, 'blobs'), countRows(server, 'submissions'), countRows(server, 'file_trees')]), before);
    });

    it('an ngshare assignment upload answers 503 in ngshare’s shape and creates nothing', async () => {
      const admin = await adminActor(server);
      const inst = await makeUser(server, 1, `inst${Date.now()}`);
      const token = (await server.services.tokens.createApiToken(inst.id, 'nbgrader')).token;
      const adminToken = (await server.services.tokens.createApiToken(admin.id, 'nbgrader')).token;
      const ng = (t: string) => ({ authorization: `token ${t}` });
      const course = await call(server.app, 'POST', '/api/course/s3course', { headers: ng(adminToken), form: { instructors: JSON.stringify([inst.username]) } });
      assert.equal(course.status, 200, course.text);
      const files = JSON.stringify([{ path: 'ps1.ipynb', content: Buffer.from('{"cells": []}\n').toString('base64') }]);
      const res = await call(server.app, 'POST', '/api/assignment/s3course/ps1', { headers: ng(token), form: { files } });
      assert.equal(res.status, 503, res.text);
      assert.deepEqual(res.body, { success: false, message: 'File storage is unavailable. Try again later.' });
      const listed = await call(server.app, 'GET', '/api/assignments/s3course', { headers: ng(token) });
      assert.deepEqual(listed.body.assignments, []);
    });
  });
}

describe(`the S3 secret key never reaches the log (${engineUnderTest})`, () => {
  const SECRET = 'S3-SECRET-0042-never-logged';
  let server: TestServer;
  let app: FastifyInstance;
  const lines: string[] = [];

  before(async () => {
    server = await startTestServer({ env: s3rver.env({ ASSAY_S3_ACCESS_KEY_ID: 'NOTAKEY', ASSAY_S3_SECRET_ACCESS_KEY: SECRET, ASSAY_S3_TIMEOUT_SECONDS: '1', ASSAY_WORKERS: '0' }) });
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(...String(chunk).split('\n').filter((l) => l !== ''));
        done();
      },
    });
    app = await buildApp(server.services, { logger: { level: 'info', stream } });
    await app.ready();
  });
  after(async () => {
    await app.close();
    await server.close();
  });

  it('is censored in logged settings and absent from logged failures', async () => {
    const room = await classroom(server);
    const res = await call(app, 'POST', `/api/assay/v1/exercises/${room.exerciseId}/submissions/`, { multipart: upload({ 'a.txt': 'a' }), token: room.student.api.token });
    assert.equal(res.status, 503, res.text);
    await call(app, 'GET', '/healthz');
    app.log.info({ config: server.config }, 'settings');
    const text = lines.join('\n');
    assert.match(text, /access denied \(HTTP 403/, 'the failure is logged with its cause');
    assert.match(text, /"secretAccessKey":"\[REDACTED\]"/);
    assert.ok(!text.includes(SECRET), 'the secret is in the log');
  });
});
