/**
 * bench:ngshare's large tree: releasing a ~200 MB assignment (many files plus one 100 MB file)
 * through POST /assignment and downloading it through GET /assignment, each from a client process
 * of its own, against the real server in this process. The server's peak memory growth over the
 * request is sampled here: RSS from a worker thread every 2 ms (it keeps sampling while the event
 * loop is busy), the V8 heap and the memory outside it (Buffers) from the event loop every 5 ms
 * (those samples wait while the loop runs synchronous work, so their peak is a lower bound). Run
 * with --expose-gc (the npm script does) so each baseline starts after a collection. The
 * allocator keeps the pages the release used, so the download's RSS growth is over an RSS already
 * raised by the release; its heap growth is the telling number.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Engine, Server } from './harness.ts';
import { BenchError, startServer } from './harness.ts';
import type { Course } from './ngshare-course.ts';
import { COURSE, loadCourse, ok } from './ngshare-course.ts';

const BIG_CLIENT = fileURLToPath(new URL('./ngshare-big-client.ts', import.meta.url));

interface Peak {
  /** RSS just before the request (what the growth is over). */
  before: number;
  rss: number;
  heap: number;
  external: number;
}

/** RSS of the whole process, sampled from a thread of its own into shared memory. */
const RSS_SAMPLER = `
const { workerData } = require('node:worker_threads');
const peak = new Float64Array(workerData);
setInterval(() => { const rss = process.memoryUsage.rss(); if (rss > peak[0]) peak[0] = rss; }, 2);
`;

/** Runs `work` and answers the peak growth over the memory in use just before it. */
async function peakGrowth<T>(work: () => Promise<T>): Promise<{ result: T; peak: Peak }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const base = process.memoryUsage();
  const shared = new SharedArrayBuffer(8);
  const rssPeak = new Float64Array(shared);
  rssPeak[0] = base.rss;
  const sampler = new Worker(RSS_SAMPLER, { eval: true, workerData: shared });
  let heap = base.heapUsed;
  let external = base.external;
  const tick = setInterval(() => {
    const m = process.memoryUsage();
    heap = Math.max(heap, m.heapUsed);
    external = Math.max(external, m.external);
    if (m.rss > rssPeak[0]!) rssPeak[0] = m.rss;
  }, 5);
  try {
    const result = await work();
    return { result, peak: { before: base.rss, rss: rssPeak[0]! - base.rss, heap: heap - base.heapUsed, external: external - base.external } };
  } finally {
    clearInterval(tick);
    await sampler.terminate();
  }
}

/** Runs the large-tree client in its own process and answers its one JSON line. */
function runClient(phase: 'release' | 'download', url: string, token: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', BIG_CLIENT, phase, url, token], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new BenchError(`the ${phase} client exited with ${code}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, unknown>);
      } catch {
        reject(new BenchError(`the ${phase} client printed no result: ${out.slice(0, 300)}`));
      }
    });
  });
}

const MB = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;
const times = (n: number, of: number) => `${(n / of).toFixed(2)}×`;

async function measureBigTreeOn(server: Server, course: Course): Promise<void> {
  const url = `${server.base}/api/assignment/${COURSE}/big`;
  // The client process builds its ~280 MB body before sending it; that time counts in the window but costs the server nothing.
  const up = await peakGrowth(() => runClient('release', url, course.instructor));
  const sent = up.result;
  if (sent.status !== 200 || !String(sent.text).includes('"success":true') && !String(sent.text).includes('"success": true')) {
    throw new BenchError(`POST /assignment (big) on ${server.engine} answered ${String(sent.status)}: ${String(sent.text)}`);
  }
  const listed = await ok({ engine: server.engine, base: server.base, token: course.instructor }, 'GET', `/api/assignment/${COURSE}/big?list_only=true`);
  const files = listed.files as { path: string; checksum: string }[];
  const big = files.find((f) => f.path === 'data/big.bin');
  if (files.length !== sent.files || big?.checksum !== sent.bigMd5) throw new BenchError(`the big release on ${server.engine} stored ${files.length} files, big.bin ${big?.checksum} (sent ${String(sent.bigMd5)})`);
  const down = await peakGrowth(() => runClient('download', url, course.instructor));
  const got = down.result;
  if (got.status !== 200 || !String(got.head).startsWith('{"success": true') || !String(got.tail).endsWith(']}')) {
    throw new BenchError(`GET /assignment (big) on ${server.engine} answered ${String(got.status)}: ${String(got.head)} … ${String(got.tail)}`);
  }
  const body = Number(sent.bodyBytes);
  const tree = Number(sent.treeBytes);
  const line = (what: string, bytes: number, p: Peak, seconds: number) =>
    `  ${what.padEnd(34)} ${MB(bytes).padStart(7)} in ${seconds.toFixed(1).padStart(5)} s   peak growth: RSS ${MB(p.rss).padStart(7)} (${times(p.rss, bytes)})   heap ${MB(p.heap).padStart(7)} (${times(p.heap, bytes)})   outside the heap ${MB(p.external).padStart(7)} (${times(p.external, bytes)})   [RSS before ${MB(p.before)}]\n`;
  process.stdout.write(
    `\n${server.engine}: large tree, ${String(sent.files)} files, ${MB(tree)} of file bytes (one of 100 MB); multiples are of the request or response body\n` +
      line('POST /assignment (form body)', body, up.peak, Number(sent.seconds)) +
      line('GET /assignment (JSON answer)', Number(got.bytes), down.peak, Number(got.seconds)),
  );
}

/** The large tree on a fresh server of `engine` in this process. */
export async function measureBigTree(engine: Engine): Promise<void> {
  const server = await startServer(engine);
  try {
    await measureBigTreeOn(server, await loadCourse(server));
  } finally {
    await server.close();
  }
}
