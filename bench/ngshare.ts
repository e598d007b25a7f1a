/**
 * ngshare benchmark: `npm run bench:ngshare`. The real server (in this process) on SQLite and on
 * PostgreSQL, one nbgrader course with STUDENTS students, measured with autocannon:
 *
 * - students handing in a FILES-file, SUBMISSION_BYTES notebook submission (POST /submission,
 *   each request as the next student);
 * - the instructor downloading one student's latest submission (GET /submission/:c/:a/:u, the
 *   collect step, each request the next student who has submitted);
 * - students fetching the released assignment of the same size (GET /assignment/:c/:a, each
 *   request as the next student), and the `list_only` form of the collect download.
 *
 * Every measurement is also shown against a trivial baseline (`GET /api/healthz`) measured in the
 * same run, and PostgreSQL against SQLite.
 *
 * Then the large tree: releasing a ~200 MB assignment (many files plus one 100 MB file) through
 * POST /assignment and downloading it through GET /assignment, each from a client process of its
 * own. The server's peak memory growth over the request is sampled in this process: RSS from a
 * worker thread every 2 ms (it keeps sampling while the event loop is busy), the V8 heap and the
 * memory outside it (Buffers) from the event loop every 5 ms (those samples wait while the loop
 * runs synchronous work, so their peak is a lower bound). Run with --expose-gc (the npm script
 * does) so each baseline starts after a collection. The allocator keeps the pages the release
 * used, so the download's RSS growth is over an RSS already raised by the release; its heap
 * growth is the telling number.
 *
 * Environment: BENCH_ENGINES (default `sqlite,postgres`), BENCH_SECONDS (default 5),
 * BENCH_CONNECTIONS (default 10), BENCH_PG_URL, BENCH_BIG (default 1; 0 skips the large tree, `only` runs just it).
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Services } from '../src/core/services.ts';
import type { Engine, Measurement, Server, Target } from './harness.ts';
import { BenchError, CONNECTIONS, SECONDS, measure, request, runBench, startServer } from './harness.ts';
import type { BenchFile } from './ngshare-form.ts';
import { formBody } from './ngshare-form.ts';

const STUDENTS = 200;
const FILES = 20;
const SUBMISSION_BYTES = 2 * 1024 * 1024;
const COURSE = 'bench';
const ASSIGNMENT = 'ps1';
const BIG = process.env.BENCH_BIG !== '0';
/** BENCH_BIG=only: the baseline and the large tree, without the timed uploads and downloads. */
const BIG_ONLY = process.env.BENCH_BIG === 'only';

const ROTATE = fileURLToPath(new URL('./ngshare-rotate.cjs', import.meta.url));
const BIG_CLIENT = fileURLToPath(new URL('./ngshare-big-client.ts', import.meta.url));

/** A notebook-like file: JSON text around random (incompressible) source. */
function notebook(bytes: number): Buffer {
  const head = '{"cells": [{"cell_type": "code", "metadata": {}, "source": "';
  const tail = '"}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}\n';
  const source = crypto.randomBytes(Math.ceil((bytes - head.length - tail.length) / 2)).toString('hex').slice(0, bytes - head.length - tail.length);
  return Buffer.from(head + source + tail);
}

/** The notebook tree students hand in (and the assignment they fetch): FILES files, SUBMISSION_BYTES in all. */
const TREE: BenchFile[] = Array.from({ length: FILES }, (_, i) => ({ path: `ps1/problem-${i + 1}.ipynb`, content: notebook(SUBMISSION_BYTES / FILES) }));

interface Course {
  admin: string;
  instructor: string;
  students: { name: string; token: string }[];
}

async function makeUser(services: Services, username: string, clearance: 1 | 5): Promise<string> {
  const user = await services.users.createTrusted({ username, password: crypto.randomBytes(12).toString('hex'), clearance });
  return (await services.tokens.createApiToken(user.id, 'bench')).token;
}

async function ok(target: Target, method: string, url: string, form?: Record<string, string> | Buffer, token = target.token): Promise<Record<string, unknown>> {
  const body = form === undefined ? undefined : Buffer.isBuffer(form) ? form : new URLSearchParams(form).toString();
  const res = await request({ ...target, token }, method, url, {
    body,
    headers: body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' },
  });
  const parsed = (() => {
    try {
      return JSON.parse(res.text) as Record<string, unknown>;
    } catch {
      return null;
    }
  })();
  if (res.status !== 200 || parsed?.success !== true) throw new BenchError(`${method} ${url} on ${target.engine} answered ${res.status}: ${res.text.slice(0, 300)}`);
  return parsed;
}

/** An Assay admin (an ngshare admin too) makes the course; its instructor enrolls STUDENTS students and releases ps1. */
async function loadCourse(server: Server): Promise<Course> {
  const { services } = server;
  const admin = await makeUser(services, 'bench_admin', 5);
  const instructor = await makeUser(services, 'bench_inst', 1);
  const students: Course['students'] = [];
  for (let i = 0; i < STUDENTS; i++) {
    const name = `bench_s${String(i).padStart(3, '0')}`;
    students.push({ name, token: await makeUser(services, name, 1) });
  }
  const target: Target = { engine: server.engine, base: server.base, token: admin };
  await ok(target, 'POST', `/api/course/${COURSE}`, { instructors: JSON.stringify(['bench_inst']) });
  const rows = students.map((s) => ({ username: s.name, first_name: 'S', last_name: s.name, email: '' }));
  await ok(target, 'POST', `/api/students/${COURSE}`, { students: JSON.stringify(rows) }, instructor);
  await ok(target, 'POST', `/api/assignment/${COURSE}/${ASSIGNMENT}`, Buffer.concat(formBody(TREE, 'bench_inst').pieces), instructor);
  return { admin, instructor, students };
}

async function countSubmissions(services: Services): Promise<number> {
  return Number((await services.db.selectFrom('submissions').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
}

async function measureSubmissions(server: Server, course: Course): Promise<Measurement> {
  const target: Target = { engine: server.engine, base: server.base, token: course.students[0]!.token };
  const name = `POST /submission (${FILES} files, ${SUBMISSION_BYTES / 1024 / 1024} MB, ${STUDENTS} students)`;
  const { pieces, bytes } = formBody(TREE, 'student');
  const body = Buffer.concat(pieces, bytes);
  const first = await ok(target, 'POST', `/api/submission/${COURSE}/${ASSIGNMENT}`, body);
  if (typeof first.timestamp !== 'string') throw new BenchError(`POST /submission on ${server.engine} answered no timestamp`);
  const before = await countSubmissions(server.services);
  const result = await measure(target, name, {
    method: 'POST',
    path: `/api/submission/${COURSE}/${ASSIGNMENT}`,
    body,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    setupRequest: ROTATE,
    extra: { rotateTokens: course.students.map((s) => s.token) },
    // Ten 3 MB uploads at once queue behind each other's blob writes (fsync per file): a slow
    // answer is measured, not a failure.
    timeoutSeconds: 120,
  });
  const created = (await countSubmissions(server.services)) - before;
  if (created < result.requests) throw new BenchError(`${result.requests} POSTs answered 2xx but only ${created} submissions were created on ${server.engine}`);
  return result;
}

/** Students who have handed in, for the collect downloads. */
async function submitters(services: Services): Promise<string[]> {
  const rows = await services.db
    .selectFrom('submissions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select('u.username')
    .distinct()
    .orderBy('u.username')
    .execute();
  return rows.map((r) => r.username);
}

async function measureDownloads(server: Server, course: Course): Promise<Measurement[]> {
  const inst: Target = { engine: server.engine, base: server.base, token: course.instructor };
  const names = await submitters(server.services);
  const probe = await ok(inst, 'GET', `/api/submission/${COURSE}/${ASSIGNMENT}/${names[0]}`);
  if (!Array.isArray(probe.files) || probe.files.length !== FILES) throw new BenchError(`GET /submission on ${server.engine} answered ${String((probe.files as unknown[] | undefined)?.length)} files`);
  const out: Measurement[] = [];
  out.push(
    await measure(inst, `GET /submission/:c/:a/:u as instructor (${FILES} files, ${names.length} students)`, {
      path: `/api/submission/${COURSE}/${ASSIGNMENT}/{name}`,
      setupRequest: ROTATE,
      extra: { rotateNames: names },
    }),
  );
  out.push(
    await measure(inst, 'GET /submission/:c/:a/:u?list_only=true as instructor', {
      path: `/api/submission/${COURSE}/${ASSIGNMENT}/{name}?list_only=true`,
      setupRequest: ROTATE,
      extra: { rotateNames: names },
    }),
  );
  const student: Target = { ...inst, token: course.students[0]!.token };
  const fetched = await ok(student, 'GET', `/api/assignment/${COURSE}/${ASSIGNMENT}`);
  if (!Array.isArray(fetched.files) || fetched.files.length !== FILES) throw new BenchError(`GET /assignment on ${server.engine} answered the wrong tree`);
  out.push(
    await measure(student, `GET /assignment/:c/:a as student (${FILES} files, ${STUDENTS} students)`, {
      path: `/api/assignment/${COURSE}/${ASSIGNMENT}`,
      setupRequest: ROTATE,
      extra: { rotateTokens: course.students.map((s) => s.token) },
    }),
  );
  return out;
}

// ---- the large tree ----

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

async function measureBigTree(server: Server, course: Course): Promise<void> {
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

async function runEngine(engine: Engine): Promise<Measurement[]> {
  process.stdout.write(`\n${engine}: starting the server; ${STUDENTS} students, ${FILES} files of ${SUBMISSION_BYTES / FILES / 1024} KB; measuring ${SECONDS} s each with ${CONNECTIONS} connections\n`);
  const server = await startServer(engine);
  try {
    const course = await loadCourse(server);
    const out: Measurement[] = [];
    out.push(await measure({ engine, base: server.base, token: course.admin }, 'baseline GET /api/healthz', { path: '/api/healthz' }));
    if (!BIG_ONLY) {
      out.push(await measureSubmissions(server, course));
      out.push(...(await measureDownloads(server, course)));
    }
    // Last: writing 200 MB of blobs keeps the disk busy for a while, which would slow the fsyncs of the runs above.
    if (BIG) await measureBigTree(server, course);
    return out;
  } finally {
    await server.close();
  }
}

runBench('bench:ngshare', runEngine);
