/**
 * What the HTTP benchmarks share: the real server on a fresh database of either engine, timed
 * runs with autocannon, and the report (every measurement against a trivial baseline measured in
 * the same run, and PostgreSQL against SQLite, since the machine may be shared and noisy).
 *
 * Environment: BENCH_ENGINES (default `sqlite,postgres`), BENCH_SECONDS (default 5),
 * BENCH_CONNECTIONS (default 10), BENCH_PG_URL (default postgres://root@127.0.0.1:5432/assay_bench:
 * the benches' own database, created when missing; never `test`, which the tests and CI use).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import type { Services } from '../src/core/services.ts';
import { dropPostgresSchema } from '../src/db/database.ts';
import type { Runtime } from '../src/runtime.ts';
import { openRuntime } from '../src/runtime.ts';

export type Engine = 'sqlite' | 'postgres';

export const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
export const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
export const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://root@127.0.0.1:5432/assay_bench';
const ENGINES = (process.env.BENCH_ENGINES ?? 'sqlite,postgres').split(',').map((e) => e.trim());

/** A failure the bench explains itself: printed without a stack trace. */
export class BenchError extends Error {}

export interface Measurement {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  requests: number;
}

export interface Server {
  engine: Engine;
  base: string;
  services: Services;
  app: FastifyInstance;
  close(): Promise<void>;
}

/** Where requests go and who sends them (an empty token: no `Authorization` header). */
export interface Target {
  engine: Engine;
  base: string;
  token: string;
}

const authorization = (target: Target): Record<string, string> => (target.token ? { authorization: `Bearer ${target.token}` } : {});

/** Creates the benches' PostgreSQL database when it does not exist (through the server's `postgres` database); refuses `test`. */
export async function ensureDatabase(url: string): Promise<void> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new BenchError(`BENCH_PG_URL names a database "${name}": use letters, digits and _`);
  if (name === 'test') throw new BenchError('the benches never run in the tests’ database (test): point BENCH_PG_URL at another one');
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
      process.stdout.write(`created database ${name}\n`);
    }
  } finally {
    await client.end();
  }
}

/**
 * A Fastify hello world on a random port of this process, as the server runs here: the floor an
 * HTTP endpoint of this machine and process can reach, for ratios that hold on a noisy machine.
 */
export async function startHello(): Promise<{ base: string; close(): Promise<void> }> {
  const app = Fastify({ logger: false });
  app.get('/', async () => ({ hello: 'world' }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  return { base: `http://127.0.0.1:${port}`, close: () => app.close() };
}

/** A fresh database (SQLite file, or a PostgreSQL schema of its own) and blob dir, the real server on a random port. */
export async function startServer(engine: Engine): Promise<Server> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'assay-bench-'));
  const schema = `bench_${crypto.randomBytes(5).toString('hex')}`;
  const config = loadConfig({
    ASSAY_DATA_DIR: dataDir,
    ASSAY_LOG_LEVEL: 'silent',
    ASSAY_ACCESS_TOKEN_SECONDS: '3600',
    ...(engine === 'postgres' ? { DATABASE_URL: PG_URL, DATABASE_SCHEMA: schema } : {}),
  });
  let runtime: Runtime | null = null;
  let app: FastifyInstance | null = null;
  const cleanup = async () => {
    if (app) await app.close();
    if (runtime) await runtime.close();
    if (engine === 'postgres') await dropPostgresSchema(PG_URL, schema).catch(() => undefined);
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    if (engine === 'postgres') await ensureDatabase(PG_URL);
    runtime = await openRuntime(config);
    app = await buildApp(runtime.services, { logger: false });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    return { engine, base: `http://127.0.0.1:${port}`, services: runtime.services, app, close: cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/** One request outside the timed runs (loading, checking), as the target's user. */
export async function request(
  target: Target,
  method: string,
  url: string,
  init: { body?: string | Buffer; headers?: Record<string, string> } = {},
): Promise<{ status: number; text: string }> {
  const res = await fetch(target.base + url, {
    method,
    headers: { ...authorization(target), ...init.headers },
    // A copy typed as fetch wants it (a Buffer may sit on a shared ArrayBuffer).
    body: init.body === undefined || typeof init.body === 'string' ? init.body : new Uint8Array(init.body),
  });
  return { status: res.status, text: await res.text() };
}

export interface Load {
  method?: 'GET' | 'POST';
  path: string;
  body?: string | Buffer;
  headers?: Record<string, string>;
  /** A CommonJS file exporting autocannon's `setupRequest` (the worker thread require()s it). */
  setupRequest?: string;
  /** Extra keys on the request object, for `setupRequest` to read. */
  extra?: Record<string, unknown>;
  /** Seconds before a request counts as timed out (autocannon's default: 10). */
  timeoutSeconds?: number;
}

/**
 * Runs autocannon in a worker thread (the server keeps this thread to itself) for SECONDS with
 * CONNECTIONS connections. Any answer outside 2xx, error or timeout fails the bench.
 */
export async function measure(target: Target, name: string, load: Load): Promise<Measurement> {
  const result = await autocannon({
    url: target.base,
    headers: { ...authorization(target), ...load.headers },
    requests: [
      {
        method: load.method ?? 'GET',
        path: load.path,
        body: load.body,
        ...(load.setupRequest ? { setupRequest: load.setupRequest as never } : {}),
        ...load.extra,
      },
    ],
    connections: CONNECTIONS,
    duration: SECONDS,
    ...(load.timeoutSeconds ? { timeout: load.timeoutSeconds } : {}),
    workers: 1,
  });
  const bad = result.non2xx + result.errors + result.timeouts;
  if (bad > 0) throw new BenchError(`${name} on ${target.engine}: ${result.non2xx} non-2xx answers, ${result.errors} errors, ${result.timeouts} timeouts`);
  if (result.requests.total === 0) throw new BenchError(`${name} on ${target.engine}: no request completed`);
  return { name, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, requests: result.requests.total };
}

const fmt = (n: number, digits = 0) => n.toFixed(digits);

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** One engine's measurements; the first is the baseline the others are divided by. */
function engineReport(engine: Engine, rows: Measurement[]): string {
  const baseline = rows[0]!.rps;
  return (
    `\n${engine} (${os.cpus().length} CPUs, load average ${os.loadavg()[0]!.toFixed(2)})\n` +
    table(
      ['endpoint', 'req/s', 'p50 ms', 'p99 ms', 'requests', 'x baseline'],
      rows.map((m) => [m.name, fmt(m.rps), fmt(m.p50, 1), fmt(m.p99, 1), String(m.requests), fmt(m.rps / baseline, 3)]),
    ) +
    '\n'
  );
}

function ratioReport(sqlite: Measurement[], postgres: Measurement[]): string {
  return (
    '\nPostgreSQL / SQLite\n' +
    table(
      ['endpoint', 'SQLite req/s', 'PostgreSQL req/s', 'PG/SQLite', 'PG/SQLite (baseline-normalised)'],
      sqlite.map((s, i) => {
        const p = postgres[i]!;
        const normalised = p.rps / postgres[0]!.rps / (s.rps / sqlite[0]!.rps);
        return [s.name, fmt(s.rps), fmt(p.rps), fmt(p.rps / s.rps, 3), fmt(normalised, 3)];
      }),
    ) +
    '\n'
  );
}

/**
 * Runs `runEngine` on each engine of BENCH_ENGINES in turn and prints the report. Both engines
 * must answer the same measurements in the same order, the baseline first.
 */
export function runBench(label: string, runEngine: (engine: Engine) => Promise<Measurement[]>): void {
  const main = async () => {
    const results = new Map<Engine, Measurement[]>();
    for (const engine of ENGINES) {
      if (engine !== 'sqlite' && engine !== 'postgres') throw new BenchError(`unknown engine "${engine}" in BENCH_ENGINES`);
      const rows = await runEngine(engine);
      results.set(engine, rows);
      process.stdout.write(engineReport(engine, rows));
    }
    const sqlite = results.get('sqlite');
    const postgres = results.get('postgres');
    if (sqlite && postgres) process.stdout.write(ratioReport(sqlite, postgres));
  };
  main().catch((err: unknown) => {
    process.stderr.write(`\n${label} failed: ${err instanceof BenchError ? err.message : ((err as Error).stack ?? String(err))}\n`);
    process.exit(1);
  });
}
