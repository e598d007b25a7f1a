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
 * access token (what authentication costs). Those three, the hello world and the poll by class run
 * in BENCH_ROUNDS interleaved rounds, each divided by its own round's hello world: their ratios
 * are printed as min / median / max over the rounds (the table shows each one's median round).
 * The full `GET /assignments/` (every one of the 20,000) is timed alone, request after request on
 * an otherwise idle server: over HTTP (to the last byte received) and through `app.inject` (the
 * server's time, no socket). Issue 22's targets are printed beside the figures.
 *
 * Environment: BENCH_ENGINES (default `sqlite,postgres`), BENCH_SECONDS (default 5),
 * BENCH_CONNECTIONS (default 10), BENCH_PG_URL (default postgres://root@127.0.0.1:5432/assay_bench,
 * created when missing), BENCH_FULL_LIST (how many full lists to time, default 15), BENCH_ROUNDS
 * (default 3).
 */
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { Engine, Measurement, Server, Target } from './harness.ts';
import { BenchError, CONNECTIONS, SECONDS, measure, request, runBench, startHello, startServer } from './harness.ts';
import type { HiveCourse } from './hive-load.ts';
import { CLASSES, HELP_THREADS, MODULES, PER_MODULE, RECENT, STUDENTS, loadHiveCourse } from './hive-load.ts';

const FILE_BYTES = 100 * 1024;
const FULL_LIST_RUNS = Number(process.env.BENCH_FULL_LIST ?? 15);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** Issue 22: `/time/` with a JWT at least this share of the hello world's req/s, the poll by class at least this many req/s on SQLite, the full list under this many ms of server time. */
const TARGET_JWT_RATIO = 0.4;
const TARGET_POLL_RPS = 3000;
const TARGET_FULL_LIST_MS = 100;
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

const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
const median = (values: number[]) => sorted(values)[Math.floor(values.length / 2)]!;
const minMedMax = (values: number[], digits: number) => {
  const v = sorted(values);
  return `${v[0]!.toFixed(digits)} / ${median(v).toFixed(digits)} / ${v[v.length - 1]!.toFixed(digits)}`;
};
const verdict = (ok: boolean) => (ok ? 'meets the target' : 'BELOW the target');

/**
 * The full assignment list, one request at a time: milliseconds from sending to the last byte
 * over HTTP, and through `app.inject` (the server's own time: no socket, no client parsing).
 */
async function timeFullList(target: Target, app: Server['app'], expected: number): Promise<string> {
  const path = '/api/core/assignments/';
  const rows = await checkGet(target, path);
  if (rows !== expected) throw new BenchError(`GET ${path} on ${target.engine} answered ${rows} assignments, expected ${expected}`);
  const http: number[] = [];
  const server: number[] = [];
  for (let i = 0; i < FULL_LIST_RUNS; i++) {
    let t0 = performance.now();
    const res = await request(target, 'GET', path);
    http.push(performance.now() - t0);
    if (res.status !== 200) throw new BenchError(`GET ${path} on ${target.engine} answered ${res.status}`);
    t0 = performance.now();
    const injected = await app.inject({ method: 'GET', url: path, headers: { authorization: `Bearer ${target.token}` } });
    server.push(performance.now() - t0);
    if (injected.statusCode !== 200) throw new BenchError(`GET ${path} (inject) on ${target.engine} answered ${injected.statusCode}`);
  }
  return (
    `${target.engine}: full GET ${path} (${rows} rows), ${FULL_LIST_RUNS} requests one at a time, min / median / max: ` +
    `over HTTP ${minMedMax(http, 0)} ms; server time (inject) ${minMedMax(server, 0)} ms ` +
    `(target: under ${TARGET_FULL_LIST_MS} ms: ${verdict(median(server) < TARGET_FULL_LIST_MS)})\n`
  );
}

/** Interleaved rounds of the hello world, `/time/` three ways and the poll by class; each round's ratios to its own hello world. */
async function measureRounds(target: Target, apiToken: string, poll: string): Promise<{ rows: Measurement[]; summary: string }> {
  const hello = await startHello();
  const kinds: { name: string; target: Target; path: string; list: boolean }[] = [
    { name: 'baseline: Fastify hello world, this process', target: { ...target, base: hello.base, token: '' }, path: '/', list: false },
    { name: 'GET /api/core/time/, no credentials', target: { ...target, token: '' }, path: '/api/core/time/', list: false },
    { name: 'GET /api/core/time/, API token', target: { ...target, token: apiToken }, path: '/api/core/time/', list: false },
    { name: 'GET /api/core/time/, JWT', target, path: '/api/core/time/', list: false },
    { name: 'GET assignments/latest/?user__classes__id&…__gt', target, path: poll, list: true },
  ];
  const rounds: Measurement[][] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const measured: Measurement[] = [];
      for (const k of kinds) measured.push(await measureGet(k.target, k.name, k.path, k.list));
      rounds.push(measured);
    }
  } finally {
    await hello.close();
  }
  const ratios = kinds.map((_, i) => rounds.map((r) => r[i]!.rps / r[0]!.rps));
  // Each kind's median round stands for it in the table.
  const rows = kinds.map((_, i) => {
    const byRps = [...rounds].sort((a, b) => a[i]!.rps - b[i]!.rps);
    return byRps[Math.floor(byRps.length / 2)]![i]!;
  });
  const lines = kinds.slice(1).map((_, j) => {
    const i = j + 1;
    return `  ${rows[i]!.name.padEnd(60)} x hello ${minMedMax(ratios[i]!, 3)}   req/s ${minMedMax(rounds.map((r) => r[i]!.rps), 0)}`;
  });
  const jwt = median(ratios[3]!);
  const pollRps = median(rounds.map((r) => r[4]!.rps));
  const summary =
    `${target.engine}: ${ROUNDS} interleaved rounds, min / median / max (hello world ${minMedMax(rounds.map((r) => r[0]!.rps), 0)} req/s)\n${lines.join('\n')}\n` +
    `  target: /time/ with a JWT at least ${TARGET_JWT_RATIO} of hello (median ${jwt.toFixed(3)}): ${verdict(jwt >= TARGET_JWT_RATIO)}; ` +
    `poll by class at least ${TARGET_POLL_RPS} req/s on SQLite (median ${pollRps.toFixed(0)}): ${target.engine === 'sqlite' ? verdict(pollRps >= TARGET_POLL_RPS) : 'not a target on PostgreSQL'}\n`;
  return { rows, summary };
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
    const rounds = await measureRounds(target, apiToken, `/api/core/assignments/latest/?user__classes__id=${classId}&${since}`);
    const out: Measurement[] = [...rounds.rows];
    out.push(
      await measureGet(
        target,
        'GET assignments/latest/?…parent_subject__id&…__gt',
        `/api/core/assignments/latest/?exercise__parent_module__parent_subject__id=${course.subjectId}&${since}`,
      ),
    );
    out.push(await measureGet(target, 'GET help/latest/?user__classes__id&…__gt', `/api/core/help/latest/?user__classes__id=${classId}&${since}`));
    out.push(await measureResponses(target, course, countResponses));
    process.stdout.write(rounds.summary);
    process.stdout.write(await timeFullList(target, server.app, course.assignmentIds.length));
    return out;
  } finally {
    await server.close();
  }
}

process.stdout.write(`bench:hive: dashboard polls see the ${(RECENT * 100).toFixed(0)}% of rows staff changed most recently\n`);
runBench('bench:hive', runEngine);
