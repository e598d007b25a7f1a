import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startTestServer } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';
import { actorClient, makeCourseTree, makeExercise, makeCast } from '../helpers/fixtures.ts';
import type { Client } from '../helpers/http.ts';
import { client } from '../helpers/http.ts';
import { unzip } from '../helpers/zip.ts';

type Tree = Awaited<ReturnType<typeof makeCourseTree>>;

/** A multipart body with one `file` part per entry, the part's filename being its path. */
function upload(files: Record<string, Buffer | string>, extra: Record<string, string> = {}): FormData {
  const fd = new FormData();
  for (const [path, content] of Object.entries(files)) fd.append('file', new Blob([typeof content === 'string' ? content : new Uint8Array(content)]), path);
  for (const [k, v] of Object.entries(extra)) fd.append(k, v);
  return fd;
}

const sha256 = (b: Buffer | string) => crypto.createHash('sha256').update(b).digest('hex');
const md5 = (b: Buffer | string) => crypto.createHash('md5').update(b).digest('hex');

describe('assay /exercises/{id}/files/{kind}/', () => {
  let server: TestServer;
  let A: Tree;
  let staff: Client;
  let admin: Client;
  let checkerA: Client;
  let instructor: Client;
  let studentA: Client;
  let studentB: Client;
  let exerciseId: number;
  const files = (kind: string, id = exerciseId) => `/api/assay/v1/exercises/${id}/files/${kind}/`;
  // Every byte value, so nothing is lost to text encodings on the way.
  const binary = Buffer.from(Array.from({ length: 256 * 4 }, (_, i) => i % 256));

  before(async () => {
    server = await startTestServer();
    ({ A, staff, admin, checkerA, instructor, studentA, studentB } = await makeCast(server, 'Files Program', 'Other Program'));
    exerciseId = (await makeExercise(server, A.module.id, { name: 'Échecs/Chess', download: true, patbas: 'Always', patbas_download: true })).id;
  });
  after(() => server.close());

  it('uploads a handout tree, lists it, and serves it back byte for byte as a zip', async () => {
    const tree = { 'README.md': '# Chess\n', 'src/main.py': 'print("hi")\n', 'src/data/board.bin': binary };
    const put = await staff.put(files('handout'), { multipart: upload(tree) });
    assert.equal(put.status, 200, put.text);
    const expected = Object.entries(tree).map(([path, content]) => ({ path, size: Buffer.byteLength(content), sha256: sha256(content), md5: md5(content) }));
    assert.deepEqual(put.body, expected);
    assert.deepEqual((await staff.get(files('handout'))).body, expected);

    const zip = await studentA.get(`/api/core/course/exercises/${exerciseId}/student_files/`);
    assert.equal(zip.status, 200);
    assert.equal(zip.headers['content-type'], 'application/zip');
    assert.equal(zip.headers['content-disposition'], `attachment; filename="_checs_Chess.zip"; filename*=UTF-8''%C3%89checs_Chess.zip`);
    const entries = await unzip(zip.raw);
    assert.deepEqual([...entries.keys()], Object.keys(tree));
    for (const [path, content] of Object.entries(tree)) assert.ok(entries.get(path)!.equals(Buffer.from(content)), path);
  });

  it('replaces the whole tree on every upload, and clears it on DELETE', async () => {
    await staff.put(files('solution'), { multipart: upload({ 'a.py': 'one', 'b.py': 'two' }) });
    const second = await staff.put(files('solution'), { multipart: upload({ 'c.py': 'three' }) });
    assert.deepEqual(second.body.map((e: { path: string }) => e.path), ['c.py']);
    const zip = await staff.get(`/api/core/course/exercises/${exerciseId}/patbas_files/`);
    assert.equal(zip.status, 200);
    assert.deepEqual([...(await unzip(zip.raw)).entries()].map(([k, v]) => [k, v.toString()]), [['c.py', 'three']]);
    const del = await staff.delete(files('solution'));
    assert.equal(del.status, 204);
    assert.deepEqual((await staff.get(files('solution'))).body, []);
    assert.equal((await staff.get(`/api/core/course/exercises/${exerciseId}/patbas_files/`)).status, 404);
  });

  it('refuses illegal paths, changing nothing', async () => {
    await staff.put(files('preview'), { multipart: upload({ 'preview.pdf': '%PDF-1.4 keep' }) });
    const before = (await staff.get(files('preview'))).body;
    for (const bad of ['../x', '/abs', 'a/./b', 'a/', 'a/../../etc/passwd', '.']) {
      const res = await staff.put(files('preview'), { multipart: upload({ 'ok.pdf': 'fine', [bad]: 'evil' }) });
      assert.equal(res.status, 400, `${bad}: ${res.text}`);
      assert.equal(res.body.errors.length, 1, bad);
      assert.equal(res.body.errors[0].attr, 'files.1.path', bad);
      assert.equal(res.body.errors[0].code, 'invalid_path', bad);
    }
    const many = await staff.put(files('preview'), { multipart: upload({ '../one': 'x', 'fine.txt': 'y', '/two': 'z' }) });
    assert.deepEqual(many.body.errors.map((e: { attr: string }) => e.attr), ['files.0.path', 'files.2.path']);
    // Duplicates and a path that is both a file and a directory make no tree either.
    const fd = upload({ 'x.txt': '1' });
    fd.append('file', new Blob(['2']), 'x.txt');
    const dup = await staff.put(files('preview'), { multipart: fd });
    assert.deepEqual(dup.body.errors.map((e: { attr: string; code: string }) => [e.attr, e.code]), [['files.1.path', 'unique']]);
    const clash = await staff.put(files('preview'), { multipart: upload({ lib: 'file', 'lib/mod.py': 'inside' }) });
    assert.deepEqual(clash.body.errors.map((e: { attr: string; code: string }) => [e.attr, e.code]), [['files.0.path', 'invalid_path']]);
    assert.deepEqual((await staff.get(files('preview'))).body, before);
  });

  it('needs at least one multipart `file` part', async () => {
    const none = await staff.put(files('handout'), { multipart: upload({}, { note: 'no files' }) });
    assert.equal(none.status, 400);
    assert.deepEqual(none.body.errors, [{ code: 'required', detail: 'No file was submitted.', attr: 'file' }]);
    const other = new FormData();
    other.append('attachment', new Blob(['x']), 'x.txt');
    assert.equal((await staff.put(files('handout'), { multipart: other })).status, 400);
    // Parts under other names are skipped; the `file` parts still make the tree.
    other.append('file', new Blob(['kept']), 'kept.txt');
    const mixed = await staff.put(files('handout'), { multipart: other });
    assert.equal(mixed.status, 200, mixed.text);
    assert.deepEqual(mixed.body.map((e: { path: string }) => e.path), ['kept.txt']);
    const json = await staff.put(files('handout'), { json: { file: 'x' } });
    assert.equal(json.status, 415);
    assert.equal(json.body.errors[0].code, 'unsupported_media_type');
  });

  it('answers 404 for unknown kinds and exercises', async () => {
    assert.equal((await staff.get(files('handouts'))).status, 404);
    assert.equal((await staff.put(files('secret'), { multipart: upload({ 'a.txt': 'a' }) })).status, 404);
    assert.equal((await staff.get(files('handout', 999999))).status, 404);
    assert.equal((await staff.put(files('handout', 999999), { multipart: upload({ 'a.txt': 'a' }) })).status, 404);
    assert.equal((await staff.delete(files('handout', 999999))).status, 404);
    assert.equal((await staff.get('/api/assay/v1/exercises/abc/files/handout/')).status, 404);
    assert.equal((await staff.post(files('handout'), { json: {} })).status, 405);
  });

  it('lets only staff, admins and instructors touch the files', async () => {
    const kinds = ['handout', 'solution', 'preview', 'patbas_preview'];
    for (const kind of kinds) {
      for (const [who, api] of [['staff', staff], ['admin', admin], ['instructor', instructor]] as const) {
        const put = await api.put(files(kind), { multipart: upload({ [`${who}.txt`]: who }) });
        assert.equal(put.status, 200, `${who} ${kind}: ${put.text}`);
        assert.equal((await api.get(files(kind))).status, 200);
      }
      // Those who can see the exercise but not manage it: 403 on every method, before the body is read.
      for (const [who, api] of [['student', studentA], ['checker', checkerA]] as const) {
        assert.equal((await api.get(files(kind))).status, 403, `${who} GET ${kind}`);
        assert.equal((await api.put(files(kind), { raw: 'garbage', headers: { 'content-type': 'multipart/form-data; boundary=x' } })).status, 403, `${who} PUT ${kind}`);
        assert.equal((await api.delete(files(kind))).status, 403, `${who} DELETE ${kind}`);
      }
      // Those who cannot see it: 404.
      assert.equal((await studentB.get(files(kind))).status, 404);
      assert.equal((await studentB.put(files(kind), { multipart: upload({ 'x.txt': 'x' }) })).status, 404);
      assert.equal((await studentB.delete(files(kind))).status, 404);
      assert.equal((await client(server.app).get(files(kind))).status, 401);
    }
    assert.equal((await instructor.delete(files('patbas_preview'))).status, 204);
  });
});

describe('assay exercise file uploads over the size limit', () => {
  let server: TestServer;
  let staff: Client;
  let exerciseId: number;

  before(async () => {
    server = await startTestServer({ env: { ASSAY_MAX_UPLOAD_BYTES: '64' } });
    const tree = await makeCourseTree(server);
    staff = (await actorClient(server, 3)).api;
    exerciseId = (await makeExercise(server, tree.module.id)).id;
  });
  after(() => server.close());

  it('answers 413 and keeps the old tree', async () => {
    const url = `/api/assay/v1/exercises/${exerciseId}/files/handout/`;
    assert.equal((await staff.put(url, { multipart: upload({ 'small.txt': 'x'.repeat(64) }) })).status, 200);
    const res = await staff.put(url, { multipart: upload({ 'ok.txt': 'fine', 'big.bin': Buffer.alloc(65, 1) }) });
    assert.equal(res.status, 413);
    assert.deepEqual(res.body, { type: 'client_error', errors: [{ code: 'max_size', detail: 'File is too large (limit 64 bytes).', attr: 'file' }] });
    assert.deepEqual((await staff.get(url)).body.map((e: { path: string }) => e.path), ['small.txt']);
  });
});
