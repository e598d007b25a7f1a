/**
 * Hive dashboard benchmark: `npm run bench:hive`. The real server on SQLite and on PostgreSQL,
 * loaded with 500 students × 40 exercises (hive-load.ts), measured with autocannon as the
 * program's checker: the dashboard's polls (`assignments/latest` and `help/latest` with the
 * filters it sends, about RECENT of the rows newer than its `last_staff_updated__gt`) and
 * response creation with a 100 KB file.
 *
 * Every measurement is also shown as a ratio of a Fastify hello world served by this process and
 * measured in the same run (the floor of an HTTP endpoint here), and as a PostgreSQL/SQLite ratio;
 * `GET /api/core/time/` is measured without credentials, with a personal API token and with a JWT
 * access token (what authentication costs). The full `GET /assignments/` (every one of the 20,000)
 * is timed alone, request after request on an otherwise idle server (its server time).
 *
 * Environment: BENCH_ENGINES (default `sqlite,postgres`), BENCH_SECONDS (default 5),
 * BENCH_CONNECTIONS (default 10), BENCH_PG_URL (default postgres://root@127.0.0.1:5432/assay_bench,
 * created when missing), BENCH_FULL_LIST (how many full lists to time, default 15).
 */
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { Engine, Measurement, Target } from './harness.ts';
import { BenchError, CONNECTIONS, SECONDS, measure, request, runBench, startHello, startServer } from './harness.ts';
import type { HiveCourse } from './hive-load.ts';
import { CLASSES, HELP_THREADS, MODULES, PER_MODULE, RECENT, STUDENTS, loadHiveCourse } from './hive-load.ts';

const FILE_BYTES = 100 * 1024;
const FULL_LIST_RUNS = Number(process.env.BENCH_FULL_LIST ?? 15);
const BOUNDARY = '----AssayBenchBoundary5f3a9c';
/** Random bytes, generated once: the file every response of the run uploads. */
const FILE = crypto.randomBytes(FILE_BYTES);

/** The tables the load filled (ANALYZE alone would go through every schema of the database). */
const ANALYZED = ['users', 'classes', 'class_members', 'exercises', 'modules', 'assignments', 'assignment_members', 'help_threads'];

/** Turns the body back into a Buffer in autocannon's worker and rotates the assignment id. */
const BINARY_POST = fileURLToPath(new URL('./binary-post.cjs', import.meta.url));

/** A Comment with no contents and the file, as a Hive client's multipart form sends it. */
function responseForm(): Buffer {
  const field = (name: string, value: string) => `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  return Buffer.concat([
    Buffer.from(field('response_type', 'Comment') + field('contents', '[]')),
    Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="bench.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    FILE,
    Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
  ]);
}

async function login(base: string, engine: Engine, course: HiveCourse): Promise<Target> {
  const res = await fetch(`${base}/api/core/token/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(course.checker),
  });
  if (res.status !== 200) throw new BenchError(`POST /api/core/token/ for the checker answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  return { engine, base, token: ((await res.json()) as { access: string }).access };
}

/** One GET outside the timed run: it must answer 200 with a non-empty list (or, with `list` false, just 200). */
async function checkGet(target: Target, path: string, list = true): Promise<number> {
  const res = await request(target, 'GET', path);
  if (res.status !== 200) throw new BenchError(`GET ${path} on ${target.engine} answered ${res.status}: ${res.text.slice(0, 300)}`);
  if (!list) return 0;
  const body = JSON.parse(res.text) as unknown;
  if (!Array.isArray(body) || body.length === 0) throw new BenchError(`GET ${path} on ${target.engine} answered an empty list or no list: ${res.text.slice(0, 300)}`);
  return body.length;
}

async function measureGet(target: Target, name: string, path: string, list = true): Promise<Measurement> {
  const rows = await checkGet(target, path, list);
  return measure(target, list ? `${name} (${rows} rows)` : name, { path });
}

/** The full assignment list, one request at a time: milliseconds from sending to the last byte. */
async function timeFullList(target: Target, expected: number): Promise<string> {
  const path = '/api/core/assignments/';
  const rows = await checkGet(target, path);
  if (rows !== expected) throw new BenchError(`GET ${path} on ${target.engine} answered ${rows} assignments, expected ${expected}`);
  const times: number[] = [];
  for (let i = 0; i < FULL_LIST_RUNS; i++) {
    const t0 = performance.now();
    const res = await request(target, 'GET', path);
    times.push(performance.now() - t0);
    if (res.status !== 200) throw new BenchError(`GET ${path} on ${target.engine} answered ${res.status}`);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(0);
  return `${target.engine}: full GET ${path} (${rows} rows), ${FULL_LIST_RUNS} requests one at a time: min ${at(0)} ms, median ${at(0.5)} ms, max ${at(1)} ms\n`;
}

async function measureResponses(target: Target, course: HiveCourse, countResponses: () => Promise<number>): Promise<Measurement> {
  const name = 'POST assignments/{id}/responses/ (100 KB file)';
  const body = responseForm();
  const headers = { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` };
  const first = await request(target, 'POST', `/api/core/assignments/${course.assignmentIds[0]}/responses/`, { body, headers });
  if (first.status !== 201) throw new BenchError(`${name} on ${target.engine} answered ${first.status}, expected 201: ${first.text.slice(0, 300)}`);
  const fileName = (JSON.parse(first.text) as { file_name?: string }).file_name;
  if (fileName !== 'bench.bin') throw new BenchError(`${name} on ${target.engine}: the response's file_name is ${JSON.stringify(fileName)}, expected "bench.bin"`);
  const before = await countResponses();
  const result = await measure(target, name, {
    method: 'POST',
    path: '/api/core/assignments/{id}/responses/',
    body,
    headers,
    setupRequest: BINARY_POST,
    extra: { rotateIds: course.assignmentIds },
  });
  // Every POST answered 2xx; make sure each one really created a response.
  const created = (await countResponses()) - before;
  if (created < result.requests) throw new BenchError(`${result.requests} POSTs answered 2xx but only ${created} responses were created on ${target.engine}`);
  return result;
}

async function runEngine(engine: Engine): Promise<Measurement[]> {
  process.stdout.write(`\n${engine}: starting the server and loading ${STUDENTS} students × ${MODULES * PER_MODULE} exercises, ${HELP_THREADS} help threads …\n`);
  const server = await startServer(engine);
  try {
    const t0 = performance.now();
    const course = await loadHiveCourse(server.services);
    // PostgreSQL plans from table statistics, which autovacuum gathers after bulk changes in
    // production (and may not on a test server); without them it guesses badly for the feed.
    if (engine === 'postgres') await sql`ANALYZE ${sql.join(ANALYZED.map((t) => sql.table(t)))}`.execute(server.services.db);
    process.stdout.write(`${engine}: loaded${engine === 'postgres' ? ' and analyzed' : ''} in ${((performance.now() - t0) / 1000).toFixed(1)} s; measuring ${SECONDS} s each with ${CONNECTIONS} connections\n`);
    const target = await login(server.base, engine, course);
    const since = `last_staff_updated__gt=${encodeURIComponent(course.since)}`;
    const classId = course.classIds[3 % CLASSES]!;
    const countResponses = async () =>
      Number((await server.services.db.selectFrom('responses').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const apiToken = (await server.services.tokens.createApiToken(course.checkerId, 'bench')).token;
    const out: Measurement[] = [];
    const hello = await startHello();
    try {
      out.push(await measureGet({ engine, base: hello.base, token: '' }, 'baseline: Fastify hello world, this process', '/', false));
    } finally {
      await hello.close();
    }
    out.push(await measureGet({ ...target, token: '' }, 'GET /api/core/time/, no credentials', '/api/core/time/', false));
    out.push(await measureGet({ ...target, token: apiToken }, 'GET /api/core/time/, API token', '/api/core/time/', false));
    out.push(await measureGet(target, 'GET /api/core/time/, JWT', '/api/core/time/', false));
    out.push(await measureGet(target, 'GET assignments/latest/?user__classes__id&…__gt', `/api/core/assignments/latest/?user__classes__id=${classId}&${since}`));
    out.push(
      await measureGet(
        target,
        'GET assignments/latest/?…parent_subject__id&…__gt',
        `/api/core/assignments/latest/?exercise__parent_module__parent_subject__id=${course.subjectId}&${since}`,
      ),
    );
    out.push(await measureGet(target, 'GET help/latest/?user__classes__id&…__gt', `/api/core/help/latest/?user__classes__id=${classId}&${since}`));
    out.push(await measureResponses(target, course, countResponses));
    process.stdout.write(await timeFullList(target, course.assignmentIds.length));
    return out;
  } finally {
    await server.close();
  }
}

process.stdout.write(`bench:hive: dashboard polls see the ${(RECENT * 100).toFixed(0)}% of rows staff changed most recently\n`);
runBench('bench:hive', runEngine);
