/**
 * API benchmark: the real server on SQLite and on PostgreSQL, loaded with 1,000 exercises,
 * measured with autocannon. Run with `npm run bench:api`.
 *
 * The machine may be shared and noisy, so every endpoint is also shown as a ratio of a trivial
 * baseline (`GET /api/core/time/`) measured in the same run, and each measurement as a
 * PostgreSQL/SQLite ratio.
 *
 * Environment: BENCH_ENGINES (default `sqlite,postgres`), BENCH_SECONDS (default 5),
 * BENCH_CONNECTIONS (default 10), BENCH_PG_URL (default postgres://root@127.0.0.1:5432/assay_bench, created when missing).
 */
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Engine, Load, Measurement, Server, Target } from './harness.ts';
import { BenchError, CONNECTIONS, SECONDS, measure, request, runBench, startServer } from './harness.ts';

const EXERCISES = 1000;
const PER_MODULE = 20;
const JSON_BODY = { 'content-type': 'application/json' };

/** Gives each POST its own exercise name (a file, because autocannon's worker thread loads it). */
const UNIQUE_NAME = fileURLToPath(new URL('./unique-name.cjs', import.meta.url));

interface Bench extends Target {
  moduleIds: number[];
}

/** A staff token and an empty program with its modules. */
async function prepare(server: Server): Promise<Bench> {
  const { services } = server;
  const admin = await services.users.createTrusted({ username: 'bench_admin', password: crypto.randomUUID(), clearance: 5 });
  const actor = { id: admin.id, username: admin.username, clearance: 5 as const };
  const staff = await services.users.createTrusted({ username: 'bench_staff', password: crypto.randomUUID(), clearance: 3 });
  // A JWT access token, as the Hive clients use.
  const token = (await services.tokens.issuePair(staff.id)).access;

  const program = await services.programs.create(actor, { name: 'Bench program' });
  const subject = await services.subjects.create(actor, { course_id: program.id, symbol: 'B', name: 'Bench', color: '#123456' });
  const moduleIds: number[] = [];
  for (let m = 0; m < EXERCISES / PER_MODULE; m++) {
    moduleIds.push((await services.modules.create(actor, { subject_id: subject.id, name: `Module ${m}`, order: String(m) })).id);
  }
  return { engine: server.engine, base: server.base, token, moduleIds };
}

const exerciseBody = (name: string, moduleId: number, order: number) =>
  JSON.stringify({ name, parent_module: moduleId, download: true, preview: 'Disabled', order: String(order), tags: [], patbas: 'Never' });

const send = (bench: Bench, method: string, url: string, body?: string) => request(bench, method, url, { body, headers: JSON_BODY });

/** Loads the exercises through the API itself, ten requests in flight at a time. */
async function loadExercises(bench: Bench): Promise<void> {
  const probe = await send(bench, 'GET', '/api/core/course/exercises/');
  if (probe.status === 404) {
    throw new BenchError('GET /api/core/course/exercises/ answered 404: the Hive exercises routes are not mounted yet, so there is nothing to measure.');
  }
  if (probe.status !== 200) throw new BenchError(`GET /api/core/course/exercises/ answered ${probe.status}: ${probe.text.slice(0, 300)}`);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < EXERCISES; i = next++) {
      const moduleId = bench.moduleIds[Math.floor(i / PER_MODULE)]!;
      const res = await send(bench, 'POST', '/api/core/course/exercises/', exerciseBody(`Exercise ${i}`, moduleId, i % PER_MODULE));
      if (res.status !== 201) throw new BenchError(`POST /api/core/course/exercises/ answered ${res.status}: ${res.text.slice(0, 300)}`);
    }
  };
  await Promise.all(Array.from({ length: 10 }, worker));
  const count = await countExercises(bench);
  if (count !== EXERCISES) throw new BenchError(`expected ${EXERCISES} exercises in the list, got ${count}`);
  const inModule = await countExercises(bench, `?parent_module__id=${bench.moduleIds[7]}`);
  if (inModule !== PER_MODULE) throw new BenchError(`expected ${PER_MODULE} exercises in one module, got ${inModule}`);
}

async function countExercises(bench: Bench, query = ''): Promise<number> {
  const res = await send(bench, 'GET', `/api/core/course/exercises/${query}`);
  if (res.status !== 200) throw new BenchError(`GET /api/core/course/exercises/${query} answered ${res.status}`);
  return (JSON.parse(res.text) as unknown[]).length;
}

/** A timed run, then one more request for the exact status (autocannon counts 201 and 200 alike as 2xx). */
async function measureJson(bench: Bench, name: string, load: Omit<Load, 'headers'> & { body?: string; expect: number }): Promise<Measurement> {
  const result = await measure(bench, name, { ...load, headers: JSON_BODY });
  const check = await send(bench, load.method ?? 'GET', load.path, load.body);
  if (check.status !== load.expect) throw new BenchError(`${name} on ${bench.engine}: answered ${check.status}, expected ${load.expect}`);
  return result;
}

async function runEngine(engine: Engine): Promise<Measurement[]> {
  process.stdout.write(`\n${engine}: starting the server and loading ${EXERCISES} exercises …\n`);
  const server = await startServer(engine);
  try {
    const bench = await prepare(server);
    const t0 = performance.now();
    await loadExercises(bench);
    process.stdout.write(`${engine}: loaded ${EXERCISES} exercises over HTTP in ${((performance.now() - t0) / 1000).toFixed(1)} s; measuring ${SECONDS} s each with ${CONNECTIONS} connections\n`);
    const module = bench.moduleIds[7]!;
    const out: Measurement[] = [];
    out.push(await measureJson(bench, 'baseline GET /api/core/time/', { path: '/api/core/time/', expect: 200 }));
    out.push(await measureJson(bench, `GET /api/core/course/exercises/ (${EXERCISES})`, { path: '/api/core/course/exercises/', expect: 200 }));
    out.push(
      await measureJson(bench, `GET /api/core/course/exercises/?parent_module__id= (${PER_MODULE})`, {
        path: `/api/core/course/exercises/?parent_module__id=${module}`,
        expect: 200,
      }),
    );
    const post = await measureJson(bench, 'POST /api/core/course/exercises/', {
      method: 'POST',
      path: '/api/core/course/exercises/',
      body: exerciseBody('Bench', module, 99),
      setupRequest: UNIQUE_NAME,
      expect: 201,
    });
    out.push(post);
    // Every POST answered 2xx; make sure each one really created an exercise.
    const created = (await countExercises(bench)) - EXERCISES;
    if (created < post.requests) throw new BenchError(`${post.requests} POSTs answered 2xx but only ${created} exercises were created on ${engine}`);
    return out;
  } finally {
    await server.close();
  }
}

runBench('bench:api', runEngine);
