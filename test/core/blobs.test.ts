import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { after, before, describe, it } from 'node:test';
import zlib from 'node:zlib';
import yauzl from 'yauzl';
import { LocalBlobStore } from '../../src/blobs/local.ts';
import { AssayError } from '../../src/core/errors.ts';
import { startTestServer } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';

const digest = (algo: string, data: Buffer) => crypto.createHash(algo).update(data).digest('hex');

/** A stream that hands out `data` in small chunks, as an upload arrives. */
function chunked(data: Buffer, size = 16 * 1024): Readable {
  return Readable.from(
    (function* () {
      for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
    })(),
  );
}

/** Every regular file under `dir`, relative to it. */
function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

interface ZipEntry {
  name: string;
  data: Buffer;
  crc32: number;
}

/** Reads a whole zip with an independent reader, checking sizes as it goes. */
async function unzip(zipBytes: Buffer): Promise<ZipEntry[]> {
  const zip = await yauzl.fromBufferPromise(zipBytes, { lazyEntries: true, strictFileNames: true, validateEntrySizes: true });
  const entries: ZipEntry[] = [];
  await new Promise<void>((resolve, reject) => {
    zip.on('error', reject);
    zip.on('end', () => resolve());
    zip.on('entry', (entry: yauzl.Entry) => {
      zip
        .openReadStreamPromise(entry)
        .then(buffer)
        .then((data) => {
          entries.push({ name: entry.fileName, data, crc32: entry.crc32 });
          zip.readEntry();
        }, reject);
    });
    zip.readEntry();
  });
  return entries;
}

describe('LocalBlobStore', () => {
  let dir: string;
  let store: LocalBlobStore;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assay-blobs-'));
    store = await new LocalBlobStore(dir).init();
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('streams a file in with the right sha256, md5 and size', async () => {
    const data = crypto.randomBytes(300_000);
    const blob = await store.put(chunked(data));
    assert.deepEqual(blob, { sha256: digest('sha256', data), md5: digest('md5', data), size: data.length });
    assert.ok(fs.existsSync(store.pathOf(blob.sha256)));
    assert.ok(store.pathOf(blob.sha256).endsWith(path.join(blob.sha256.slice(0, 2), blob.sha256.slice(2, 4), blob.sha256)));
    assert.deepEqual(await store.read(blob.sha256), data);
    assert.deepEqual(await buffer(store.open(blob.sha256)), data);
    assert.equal(await store.has(blob.sha256), true);
  });

  it('stores an empty file', async () => {
    const blob = await store.put(Buffer.alloc(0));
    assert.deepEqual(blob, { sha256: digest('sha256', Buffer.alloc(0)), md5: digest('md5', Buffer.alloc(0)), size: 0 });
    assert.equal((await store.read(blob.sha256)).length, 0);
  });

  it('stores identical content once', async () => {
    const sub = await new LocalBlobStore(path.join(dir, 'dedup')).init();
    const data = Buffer.from('the same bytes, twice\n');
    const first = await sub.put(chunked(data, 5));
    const second = await sub.put(data);
    assert.deepEqual(first, second);
    assert.deepEqual(
      (await collect(sub.list())).map((b) => b.sha256),
      [first.sha256],
    );
    assert.deepEqual(filesUnder(path.join(dir, 'dedup')), [path.join(first.sha256.slice(0, 2), first.sha256.slice(2, 4), first.sha256)]);
  });

  it('refuses a file over maxBytes with too_large and leaves nothing behind', async () => {
    const sub = await new LocalBlobStore(path.join(dir, 'limit')).init();
    const limit = 50_000;
    await assert.rejects(sub.put(chunked(crypto.randomBytes(limit + 1), 4096), limit), (err: unknown) => {
      assert.ok(err instanceof AssayError);
      assert.equal(err.kind, 'too_large');
      assert.equal(err.details.limit, limit);
      return true;
    });
    await assert.rejects(sub.put(Buffer.alloc(limit + 10), limit), (err: unknown) => err instanceof AssayError && err.kind === 'too_large');
    assert.deepEqual(filesUnder(path.join(dir, 'limit')), []);
    assert.deepEqual(fs.readdirSync(path.join(dir, 'limit', 'tmp')), []);
    assert.deepEqual(await collect(sub.list()), []);
    // Exactly the limit is allowed.
    const ok = await sub.put(chunked(Buffer.alloc(limit, 7), 4096), limit);
    assert.equal(ok.size, limit);
  });

  it('deletes a blob and refuses names that are not a sha256', async () => {
    const blob = await store.put(Buffer.from('delete me'));
    await store.delete(blob.sha256);
    assert.equal(await store.has(blob.sha256), false);
    await store.delete(blob.sha256); // deleting twice is fine
    assert.throws(() => store.pathOf('../../etc/passwd'));
    assert.throws(() => store.pathOf(blob.sha256.toUpperCase()));
  });
});

describe('FilesService', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  const countTrees = async () => (await server.services.db.selectFrom('file_trees').select('id').execute()).length;

  it('records a stored blob once in the database', async () => {
    const data = Buffer.from('recorded once');
    const a = await server.services.files.store(data);
    const b = await server.services.files.store(chunked(data, 3));
    assert.deepEqual(a, b);
    const rows = await server.services.db.selectFrom('blobs').selectAll().where('sha256', '=', a.sha256).execute();
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.size, data.length);
    assert.equal(rows[0]!.md5, digest('md5', data));
  });

  it('refuses an upload over the configured limit', async () => {
    const limit = server.services.files.maxUploadBytes;
    await assert.rejects(server.services.files.store(Buffer.alloc(10), 5), (err: unknown) => err instanceof AssayError && err.kind === 'too_large');
    assert.ok(limit > 0);
  });

  it('rejects illegal paths and writes nothing', async () => {
    const blob = await server.services.files.store(Buffer.from('x'));
    const illegal = ['../x', '/a', 'a/', 'a/./b', '.', '..', 'a/../b', '', 'a\0b'];
    for (const bad of illegal) {
      const before = await countTrees();
      await assert.rejects(
        server.services.files.createTree([
          { path: 'fine.txt', blob },
          { path: bad, blob },
        ]),
        (err: unknown) => {
          assert.ok(err instanceof AssayError, `${JSON.stringify(bad)} gives an AssayError`);
          assert.equal(err.kind, 'invalid');
          assert.equal(err.details.fields?.length, 1);
          assert.equal(err.details.fields?.[0]?.field, 'files.1.path');
          assert.equal(err.details.fields?.[0]?.code, 'invalid_path');
          return true;
        },
        `${JSON.stringify(bad)} is refused`,
      );
      assert.equal(await countTrees(), before, `nothing written for ${JSON.stringify(bad)}`);
    }
  });

  it('accepts unusual but safe paths, keeping upload order', async () => {
    const one = await server.services.files.store(Buffer.from('one'));
    const two = await server.services.files.store(Buffer.from('two'));
    const paths = ['a//b', '..a', '.hidden', 'dir/sub/file.txt', 'a..', 'x/.y/z'];
    const treeId = await server.services.files.createTree(paths.map((p, i) => ({ path: p, blob: i % 2 ? two : one })));
    const entries = await server.services.files.treeEntries(treeId);
    assert.deepEqual(
      entries.map((e) => [e.path, e.blob, e.size, e.md5]),
      paths.map((p, i) => {
        const b = i % 2 ? two : one;
        return [p, b.sha256, b.size, b.md5];
      }),
    );
  });

  it('zips a tree into a valid zip with every file and its bytes', async () => {
    const files = [
      { path: 'README.md', data: Buffer.from('# handout\n') },
      { path: 'src/main.py', data: Buffer.from('print("hi")\n') },
      { path: 'src/deep/data.bin', data: crypto.randomBytes(200_000) },
      { path: 'empty.txt', data: Buffer.alloc(0) },
    ];
    const stored = [];
    for (const f of files) stored.push({ path: f.path, blob: await server.services.files.store(f.data) });
    const treeId = await server.services.files.createTree(stored);
    const zipped = await buffer(await server.services.files.zipTree(treeId));
    assert.equal(zipped.subarray(0, 4).toString('hex'), '504b0304', 'starts with a local file header');
    const entries = await unzip(zipped);
    assert.deepEqual(
      entries.map((e) => e.name),
      files.map((f) => f.path),
    );
    for (const [i, e] of entries.entries()) {
      assert.deepEqual(e.data, files[i]!.data, `${e.name} has its bytes`);
      assert.equal(e.crc32, zlib.crc32(files[i]!.data), `${e.name} has the right CRC-32`);
    }
  });

  it('zips legal paths that zip readers would take for separators or drives without escaping', async () => {
    const blob = await server.services.files.store(Buffer.from('x'));
    const treeId = await server.services.files.createTree([
      { path: 'a\\..\\b', blob },
      { path: 'C:x', blob },
      { path: 'a//b', blob },
    ]);
    const entries = await unzip(await buffer(await server.services.files.zipTree(treeId)));
    assert.deepEqual(
      entries.map((e) => e.name),
      ['a_.._b', 'C_x', 'a//b'],
    );
  });

  it('zips an empty tree into a valid empty zip', async () => {
    const treeId = await server.services.files.createTree([]);
    const entries = await unzip(await buffer(await server.services.files.zipTree(treeId)));
    assert.deepEqual(entries, []);
  });
});
