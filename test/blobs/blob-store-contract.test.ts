/**
 * The BlobStore contract, run the same on every store: the local directory, and the S3 store
 * against a real S3-protocol server (s3rver, in its own process, started here).
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { LocalBlobStore } from '../../src/blobs/local.ts';
import { S3BlobStore } from '../../src/blobs/s3.ts';
import type { BlobStore } from '../../src/blobs/store.ts';
import { AssayError } from '../../src/core/errors.ts';
import { startS3rver, type S3rverProcess } from '../helpers/s3rver.ts';

const digest = (algo: string, data: Buffer) => crypto.createHash(algo).update(data).digest('hex');

/** A stream handing out `data` in chunks, as an upload arrives. */
function chunked(data: Buffer, size = 16 * 1024): Readable {
  return Readable.from(
    (function* () {
      for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
    })(),
  );
}

/** `total` bytes made on the fly (never held whole), with the sha256 they will have. */
function generated(total: number, chunk = 64 * 1024): { stream: Readable; sha256: Promise<string> } {
  const hash = crypto.createHash('sha256');
  let resolve!: (sha: string) => void;
  const sha256 = new Promise<string>((r) => (resolve = r));
  const seed = crypto.randomBytes(chunk);
  const stream = Readable.from(
    (function* () {
      for (let sent = 0, i = 0; sent < total; i++) {
        const piece = Buffer.from(seed.subarray(0, Math.min(chunk, total - sent)));
        piece.writeUInt32LE(i, 0);
        hash.update(piece);
        sent += piece.length;
        yield piece;
      }
      resolve(hash.digest('hex'));
    })(),
  );
  return { stream, sha256 };
}

/** Collects garbage now (V8's gc(), exposed at run time), so that only what is held counts. */
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/**
 * Runs `work` while sampling the memory this process holds in JavaScript objects and buffers
 * (after a collection, so garbage does not count); the peak growth in bytes.
 */
async function peakGrowth<T>(work: () => Promise<T>): Promise<{ result: T; growth: number }> {
  const held = () => {
    gc();
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const base = held();
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, held())), 150);
  try {
    const result = await work();
    return { result, growth: peak - base };
  } finally {
    clearInterval(timer);
  }
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

const isNotFound = (err: unknown) => err instanceof AssayError && err.kind === 'not_found' && /missing from the blob store/.test(err.message);
const isTooLarge = (limit: number) => (err: unknown) => err instanceof AssayError && err.kind === 'too_large' && err.details.limit === limit;

/** Rejects when `promise` takes longer than `ms`: a missing blob must never hang. */
function within<T>(promise: Promise<T>, ms = 10_000): Promise<T> {
  return Promise.race([promise, sleep(ms).then(() => Promise.reject(new Error(`no answer within ${ms} ms`)))]);
}

interface StoreKind {
  name: string;
  /** A fresh, empty store. */
  fresh(): Promise<BlobStore>;
  /** Writes an object the store did not write, under its own area (a stray, or a foreign file). */
  plant(store: BlobStore, name: string, data: Buffer): Promise<void>;
  /** What a refused upload could have left behind (temporary files), which must be nothing. */
  leftovers(store: BlobStore): string[];
}

const tempDirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assay-contract-'));
  tempDirs.push(dir);
  return dir;
}

let s3rver: S3rverProcess;
const spoolOf = new Map<BlobStore, string>();
const dirOf = new Map<BlobStore, string>();
const prefixOf = new Map<BlobStore, string>();

const kinds: StoreKind[] = [
  {
    name: 'local directory',
    async fresh() {
      const dir = tempDir();
      const store = await new LocalBlobStore(dir).init();
      dirOf.set(store, dir);
      return store;
    },
    async plant(store, name, data) {
      const file = SHA.test(name) ? (store as LocalBlobStore).pathOf(name) : path.join(dirOf.get(store)!, name);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, data);
    },
    leftovers: (store) => fs.readdirSync(path.join(dirOf.get(store)!, 'tmp')),
  },
  {
    name: 'S3 (s3rver)',
    async fresh() {
      const settings = s3rver.settings();
      const spool = tempDir();
      // Pages of two keys: list() must follow ListObjectsV2's continuation tokens.
      const store = await new S3BlobStore(settings, spool, 2).init();
      spoolOf.set(store, spool);
      prefixOf.set(store, settings.prefix);
      return store;
    },
    async plant(store, name, data) {
      const client = new S3Client({ endpoint: s3rver.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
      await client.send(new PutObjectCommand({ Bucket: s3rver.bucket, Key: `${prefixOf.get(store)}${name}`, Body: data }));
      client.destroy();
    },
    leftovers: (store) => fs.readdirSync(spoolOf.get(store)!),
  },
];

const SHA = /^[0-9a-f]{64}$/;
const opened: BlobStore[] = [];

before(async () => {
  s3rver = await startS3rver();
});
after(async () => {
  for (const store of opened) store.close?.();
  await s3rver.stop();
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

for (const kind of kinds) {
  describe(`BlobStore contract: ${kind.name}`, () => {
    const fresh = async () => {
      const store = await kind.fresh();
      opened.push(store);
      return store;
    };

    it('streams a file in with its sha256, md5 and size, then reads it whole, streamed and by ranges', async () => {
      const store = await fresh();
      const data = crypto.randomBytes(300_000);
      const blob = await store.put(chunked(data));
      assert.deepEqual(blob, { sha256: digest('sha256', data), md5: digest('md5', data), size: data.length });
      assert.equal(await store.has(blob.sha256), true);
      assert.deepEqual(await store.read(blob.sha256, blob.size), data);
      assert.deepEqual(await store.read(blob.sha256), data);
      assert.deepEqual(await buffer(store.open(blob.sha256)), data);
      for (const [start, end] of [
        [0, 1],
        [0, 10],
        [1000, 70_000],
        [data.length - 5, data.length],
      ] as const) {
        assert.deepEqual(await buffer(store.openRange(blob.sha256, start, end)), data.subarray(start, end), `range ${start}-${end}`);
      }
      assert.equal((await buffer(store.openRange(blob.sha256, 10, 10))).length, 0, 'an empty range is empty');
    });

    it('stores an empty file', async () => {
      const store = await fresh();
      const blob = await store.put(Buffer.alloc(0));
      assert.deepEqual(blob, { sha256: digest('sha256', Buffer.alloc(0)), md5: digest('md5', Buffer.alloc(0)), size: 0 });
      assert.equal((await store.read(blob.sha256)).length, 0);
      assert.equal((await buffer(store.open(blob.sha256))).length, 0);
    });

    it('writes the same content once: a second put of it changes nothing', async () => {
      const store = await fresh();
      const data = Buffer.from('the same bytes, twice\n');
      const first = await store.put(chunked(data, 5));
      const [listed] = await collect(store.list());
      // S3's Last-Modified has whole seconds: a rewrite a second later would show.
      await sleep(1100);
      const second = await store.put(data);
      const third = await store.put(chunked(data, 3));
      assert.deepEqual(second, first);
      assert.deepEqual(third, first);
      assert.deepEqual(await collect(store.list()), [listed], 'one object, not written again');
      const [a, b] = await Promise.all([store.put(Buffer.from('at once')), store.put(chunked(Buffer.from('at once'), 2))]);
      assert.deepEqual(a, b);
      assert.equal((await collect(store.list())).length, 2);
    });

    it('refuses a file over maxBytes with too_large and leaves nothing behind', async () => {
      const store = await fresh();
      const limit = 50_000;
      await assert.rejects(store.put(chunked(crypto.randomBytes(limit + 1), 4096), limit), isTooLarge(limit));
      await assert.rejects(store.put(Buffer.alloc(limit + 10), limit), isTooLarge(limit));
      assert.deepEqual(await collect(store.list()), []);
      assert.deepEqual(kind.leftovers(store), []);
      const ok = await store.put(chunked(Buffer.alloc(limit, 7), 4096), limit);
      assert.equal(ok.size, limit, 'exactly the limit is allowed');
      assert.deepEqual(kind.leftovers(store), []);
    });

    it('lists every blob (across pages) with its modification time, and only blobs', async () => {
      const store = await fresh();
      const startedMs = Date.now() - 2000;
      const blobs = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((s) => store.put(Buffer.from(`blob ${s}`))));
      await kind.plant(store, 'not-a-blob.txt', Buffer.from('foreign'));
      const listed = await collect(store.list());
      assert.deepEqual(listed.map((b) => b.sha256).sort(), blobs.map((b) => b.sha256).sort());
      for (const b of listed) assert.ok(b.modifiedMs >= startedMs && b.modifiedMs <= Date.now() + 2000, `modifiedMs ${b.modifiedMs}`);
    });

    it('deletes a blob (twice is fine); it is then a clear not-found', async () => {
      const store = await fresh();
      const blob = await store.put(Buffer.from('delete me'));
      await store.delete(blob.sha256);
      assert.equal(await store.has(blob.sha256), false);
      await store.delete(blob.sha256);
      await assert.rejects(within(store.read(blob.sha256)), isNotFound);
      assert.deepEqual(await collect(store.list()), []);
    });

    it('answers a missing blob with a not_found error on every read, never a hang', async () => {
      const store = await fresh();
      const missing = digest('sha256', Buffer.from('never stored'));
      assert.equal(await store.has(missing), false);
      await assert.rejects(within(store.read(missing)), isNotFound);
      await assert.rejects(within(store.read(missing, 10)), isNotFound);
      await assert.rejects(within(buffer(store.open(missing))), isNotFound);
      await assert.rejects(within(buffer(store.openRange(missing, 0, 5))), isNotFound);
      // Piped somewhere, the error reaches the pipeline too.
      await assert.rejects(within(pipeline(store.open(missing), fs.createWriteStream('/dev/null'))), isNotFound);
    });

    it('refuses names that are not a sha256', async () => {
      const store = await fresh();
      assert.throws(() => store.open('../../etc/passwd'));
      await assert.rejects(async () => store.read('A'.repeat(64)));
    });

    it('streams a 96 MiB object in and out with bounded memory', async () => {
      const store = await fresh();
      const size = 96 * 1024 * 1024;
      const source = generated(size);
      const stored = await peakGrowth(() => store.put(source.stream));
      assert.equal(stored.result.sha256, await source.sha256);
      assert.equal(stored.result.size, size);
      const readBack = await peakGrowth(async () => {
        const hash = crypto.createHash('sha256');
        let bytes = 0;
        for await (const chunk of store.open(stored.result.sha256)) {
          hash.update(chunk as Buffer);
          bytes += (chunk as Buffer).length;
        }
        return { sha256: hash.digest('hex'), bytes };
      });
      assert.deepEqual(readBack.result, { sha256: stored.result.sha256, bytes: size });
      const tail = await buffer(store.openRange(stored.result.sha256, size - 100, size));
      assert.equal(tail.length, 100);
      // Neither direction holds the object: at most half its 96 MiB (a multipart upload holds a few
      // 5 MiB parts: the ones in flight, the one filling and its copy; the local store a few chunks).
      const bound = 48 * 1024 * 1024;
      assert.ok(stored.growth < bound, `put grew memory by ${(stored.growth / 2 ** 20).toFixed(1)} MiB`);
      assert.ok(readBack.growth < bound, `open grew memory by ${(readBack.growth / 2 ** 20).toFixed(1)} MiB`);
      process.stdout.write(`# ${kind.name}: 96 MiB put peak +${(stored.growth / 2 ** 20).toFixed(1)} MiB, read peak +${(readBack.growth / 2 ** 20).toFixed(1)} MiB\n`);
    });

    it('check() passes on a working store', async () => {
      const store = await fresh();
      await store.check();
    });
  });
}
