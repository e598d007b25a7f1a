/**
 * API benchmark: the real server on SQLite and on PostgreSQL, loaded with 1,000 exercises,
 * measured with autocannon. Run with `npm run bench:api`.
 *
 * The machine may be shared and noisy, so every endpoint is also shown as a ratio of a trivial
 * baseline (`GET /api/core/time/`) measured in the same run, and each measurement as a
 * PostgreSQL/SQLite ratio.
 *
 * Environment: BENCH_ENGINES (default `sqlite,postgres`), BENCH_SECONDS (default 5),
 * BENCH_CONNECTIONS (default 10), BENCH_PG_URL (default postgres://root@127.0.0.1:5432/test).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { dropPostgresSchema } from '../src/db/database.ts';
import type { Runtime } from '../src/runtime.ts';
import { openRuntime } from '../src/runtime.ts';

type Engine = 'sqlite' | 'postgres';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://root@127.0.0.1:5432/test';
const ENGINES = (process.env.BENCH_ENGINES ?? 'sqlite,postgres').split(',').map((e) => e.trim()) as Engine[];
const EXERCISES = 1000;
const PER_MODULE = 20;

/** Gives each POST its own exercise name (a file, because autocannon's worker thread loads it). */
const UNIQUE_NAME = fileURLToPath(new URL('./unique-name.cjs', import.meta.url));

class BenchError extends Error {}

interface Measurement {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  requests: number;
}

interface Bench {
  engine: Engine;
  base: string;
  token: string;
  moduleIds: number[];
  app: FastifyInstance;
  close(): Promise<void>;
}

/** A fresh database and blob dir, the real server listening on a random port, a staff token. */
async function start(engine: Engine): Promise<Bench> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'assay-bench-'));
  const schema = `bench_${crypto.randomBytes(5).toString('hex')}`;
  const config = loadConfig({
    ASSAY_DATA_DIR: dataDir,
    ASSAY_LOG_LEVEL: 'silent',
    ASSAY_ACCESS_TOKEN_SECONDS: '3600',
    ...(engine === 'postgres' ? { DATABASE_URL: PG_URL, DATABASE_SCHEMA: schema } : {}),
  });
  let runtime: Runtime | null = null;
  const cleanup = async () => {
    if (runtime) await runtime.close();
    if (engine === 'postgres') await dropPostgresSchema(PG_URL, schema).catch(() => undefined);
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    runtime = await openRuntime(config);
    const { services } = runtime;
    const app = await buildApp(services, { logger: false });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };

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
    return {
      engine,
      base: `http://127.0.0.1:${port}`,
      token,
      moduleIds,
      app,
      async close() {
        await app.close();
        await cleanup();
      },
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

const exerciseBody = (name: string, moduleId: number, order: number) =>
  JSON.stringify({ name, parent_module: moduleId, download: true, preview: 'Disabled', order: String(order), tags: [], patbas: 'Never' });

async function request(bench: Bench, method: string, url: string, body?: string): Promise<{ status: number; text: string }> {
  const res = await fetch(bench.base + url, {
    method,
    headers: { authorization: `Bearer ${bench.token}`, 'content-type': 'application/json' },
    body,
  });
  return { status: res.status, text: await res.text() };
}

/** Loads the exercises through the API itself, ten requests in flight at a time. */
async function loadExercises(bench: Bench): Promise<void> {
  const probe = await request(bench, 'GET', '/api/core/course/exercises/');
  if (probe.status === 404) {
    throw new BenchError('GET /api/core/course/exercises/ answered 404: the Hive exercises routes are not mounted yet, so there is nothing to measure.');
  }
  if (probe.status !== 200) throw new BenchError(`GET /api/core/course/exercises/ answered ${probe.status}: ${probe.text.slice(0, 300)}`);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < EXERCISES; i = next++) {
      const moduleId = bench.moduleIds[Math.floor(i / PER_MODULE)]!;
      const res = await request(bench, 'POST', '/api/core/course/exercises/', exerciseBody(`Exercise ${i}`, moduleId, i % PER_MODULE));
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
  const res = await request(bench, 'GET', `/api/core/course/exercises/${query}`);
  if (res.status !== 200) throw new BenchError(`GET /api/core/course/exercises/${query} answered ${res.status}`);
  return (JSON.parse(res.text) as unknown[]).length;
}

/** Runs autocannon in a worker thread (the server keeps this thread to itself) and checks every answer. */
async function measure(bench: Bench, name: string, options: { method?: 'GET' | 'POST'; path: string; body?: string; expect: number }): Promise<Measurement> {
  const method = options.method ?? 'GET';
  const result = await autocannon({
    url: bench.base,
    headers: { authorization: `Bearer ${bench.token}`, 'content-type': 'application/json' },
    requests: [{ method, path: options.path, body: options.body, ...(options.body ? { setupRequest: UNIQUE_NAME as never } : {}) }],
    connections: CONNECTIONS,
    duration: SECONDS,
    workers: 1,
  });
  const bad = result.non2xx + result.errors + result.timeouts;
  if (bad > 0) throw new BenchError(`${name} on ${bench.engine}: ${result.non2xx} non-2xx answers, ${result.errors} errors, ${result.timeouts} timeouts`);
  if (result.requests.total === 0) throw new BenchError(`${name} on ${bench.engine}: no request completed`);
  // Check the status the endpoint must give (autocannon counts 201 and 200 alike as 2xx).
  const check = await request(bench, method, options.path, options.body);
  if (check.status !== options.expect) throw new BenchError(`${name} on ${bench.engine}: answered ${check.status}, expected ${options.expect}`);
  return { name, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, requests: result.requests.total };
}

async function runEngine(engine: Engine): Promise<Measurement[]> {
  process.stdout.write(`\n${engine}: starting the server and loading ${EXERCISES} exercises …\n`);
  const bench = await start(engine);
  try {
    const t0 = performance.now();
    await loadExercises(bench);
    process.stdout.write(`${engine}: loaded ${EXERCISES} exercises over HTTP in ${((performance.now() - t0) / 1000).toFixed(1)} s; measuring ${SECONDS} s each with ${CONNECTIONS} connections\n`);
    const module = bench.moduleIds[7]!;
    const out: Measurement[] = [];
    out.push(await measure(bench, 'baseline GET /api/core/time/', { path: '/api/core/time/', expect: 200 }));
    out.push(await measure(bench, `GET /api/core/course/exercises/ (${EXERCISES})`, { path: '/api/core/course/exercises/', expect: 200 }));
    out.push(
      await measure(bench, `GET /api/core/course/exercises/?parent_module__id= (${PER_MODULE})`, {
        path: `/api/core/course/exercises/?parent_module__id=${module}`,
        expect: 200,
      }),
    );
    const post = await measure(bench, 'POST /api/core/course/exercises/', {
      method: 'POST',
      path: '/api/core/course/exercises/',
      body: exerciseBody('Bench', module, 99),
      expect: 201,
    });
    out.push(post);
    // Every POST answered 2xx; make sure each one really created an exercise.
    const created = (await countExercises(bench)) - EXERCISES;
    if (created < post.requests) throw new BenchError(`${post.requests} POSTs answered 2xx but only ${created} exercises were created on ${engine}`);
    return out;
  } finally {
    await bench.close();
  }
}

const fmt = (n: number, digits = 0) => n.toFixed(digits);

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
  const results = new Map<Engine, Measurement[]>();
  for (const engine of ENGINES) {
    if (engine !== 'sqlite' && engine !== 'postgres') throw new BenchError(`unknown engine "${engine}" in BENCH_ENGINES`);
    const rows = await runEngine(engine);
    results.set(engine, rows);
    const baseline = rows[0]!.rps;
    process.stdout.write(
      `\n${engine} (${os.cpus().length} CPUs, load average ${os.loadavg()[0]!.toFixed(2)})\n` +
        table(
          ['endpoint', 'req/s', 'p50 ms', 'p99 ms', 'requests', 'x baseline'],
          rows.map((m) => [m.name, fmt(m.rps), fmt(m.p50, 1), fmt(m.p99, 1), String(m.requests), fmt(m.rps / baseline, 3)]),
        ) +
        '\n',
    );
  }
  const sqlite = results.get('sqlite');
  const postgres = results.get('postgres');
  if (sqlite && postgres) {
    process.stdout.write(
      '\nPostgreSQL / SQLite\n' +
        table(
          ['endpoint', 'SQLite req/s', 'PostgreSQL req/s', 'PG/SQLite', 'PG/SQLite (baseline-normalised)'],
          sqlite.map((s, i) => {
            const p = postgres[i]!;
            const normalised = p.rps / postgres[0]!.rps / (s.rps / sqlite[0]!.rps);
            return [s.name, fmt(s.rps), fmt(p.rps), fmt(p.rps / s.rps, 3), fmt(normalised, 3)];
          }),
        ) +
        '\n',
    );
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`\nbench:api failed: ${err instanceof BenchError ? err.message : ((err as Error).stack ?? String(err))}\n`);
  process.exit(1);
});
