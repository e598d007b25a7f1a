/**
 * Grading benchmark: `npm run bench:grading`. Everything is measured in one run on this machine,
 * and each throughput is shown against a baseline measured in the same run (the machine may be
 * shared and noisy; absolute times are only hints).
 *
 * 0. The headline, per engine, in BENCH_ROUNDS interleaved rounds (ratios min / median / max over the
 *    rounds): Assay end to end (3) against raw bwrap + python (bench/raw-bwrap.ts: bwrap spawned
 *    from here with the options of a grading run, the same namespaces, binds and /tmp size; no
 *    launcher, cgroup, work-dir tmpfs, broker or server); Assay's sandbox alone (2) against it; and
 *    end to end against Assay's sandbox alone (issue 16's "70% of raw sandbox throughput").
 * 1. Sandbox overhead: a sandboxed `true` against a plain spawn of `true` (measureSandboxOverhead),
 *    and what run_student adds to a harness's run, by uid and nested (measureSeparation).
 * 2. Raw sandbox throughput: a trivial native-convention Python check (`python3 check.py` reads the
 *    submitted answer.txt through `run_student cat`, as a safe harness runs the student's side, and
 *    writes results.json), run through runInSandbox with as many runs at
 *    once as there are workers in (3); measured just before and just after (3), on each engine.
 * 3. End to end: the real server (SQLite, then PostgreSQL in a fresh schema) and its grading
 *    workers as `assay serve` starts them (startEmbeddedWorkers: on the server's event loop on
 *    SQLite, in their own thread on PostgreSQL) with the sandbox runner; submissions POSTed over HTTP (multipart) by a client in
 *    a worker thread, polled over HTTP until graded; submissions/s as a fraction of (2). A second,
 *    diagnostic measurement submits first and starts the workers afterwards (queue + runner only).
 * 4. Deadline burst over HTTP: a big course's burst first, then a small course's; every submission
 *    accepted, graded once (grading_jobs, feedback, grades), and each course's latency (job
 *    created_at to finished_at).
 *
 * Environment: BENCH_ENGINES (default `sqlite,postgres`), BENCH_PG_URL (default
 * postgres://root@127.0.0.1:5432/assay_bench, created when missing; never `test`), BENCH_WORKERS (2), BENCH_RUNS (100, for 0, 2 and 3), BENCH_ROUNDS (3),
 * BENCH_OVERHEAD_RUNS (100), BENCH_BURST_BIG (950), BENCH_BURST_SMALL (50), BENCH_CONNECTIONS (16).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { syncCourseDirectory } from '../src/core/courses/course-sync.ts';
import type { Services } from '../src/core/services.ts';
import { dropPostgresSchema } from '../src/db/database.ts';
import { SANDBOX_PATH, layoutFiles } from '../src/grading/engine/layout.ts';
import { TreeCache } from '../src/grading/engine/tree-cache.ts';
import { startWorkerPool } from '../src/grading/queue/index.ts';
import type { EmbeddedWorkers } from '../src/grading/thread/embedded-workers.ts';
import { startEmbeddedWorkers } from '../src/grading/thread/embedded-workers.ts';
import { startTsWorker } from '../src/grading/thread/ts-worker.ts';
import { parseNativeResults } from '../src/grading/results/native.ts';
import { defaultSandbox, measureSandboxOverhead, measureSeparation, runInSandbox, runStudentCommand, Sandbox, sandboxStatus } from '../src/grading/sandbox/index.ts';
import type { Runtime } from '../src/runtime.ts';
import { ensureDatabase, PG_URL } from './harness.ts';
import { openRuntime } from '../src/runtime.ts';
import type { ClientRequest, Detail, PollAnswer, SubmitItem, Submitted } from './grading-client.ts';
import { openRawBwrap } from './raw-bwrap.ts';
import type { RawBwrap } from './raw-bwrap.ts';

type Engine = 'sqlite' | 'postgres';

const env = process.env;
const ENGINES = (env.BENCH_ENGINES ?? 'sqlite,postgres').split(',').map((e) => e.trim()) as Engine[];
const WORKERS = Number(env.BENCH_WORKERS ?? 2);
const RUNS = Number(env.BENCH_RUNS ?? 100);
const ROUNDS = Math.max(1, Number(env.BENCH_ROUNDS ?? 3));
const OVERHEAD_RUNS = Number(env.BENCH_OVERHEAD_RUNS ?? 100);
const BURST_BIG = Number(env.BENCH_BURST_BIG ?? 950);
const BURST_SMALL = Number(env.BENCH_BURST_SMALL ?? 50);
const CONNECTIONS = Number(env.BENCH_CONNECTIONS ?? 16);
/** Students per course: submissions of one student's assignment are serialised, so spread them out. */
const STUDENTS = { e2e: 20, big: 50, small: 10 } as const;

const OVERHEAD_TARGET_MS = 10;
/** What starting the student's code in a sandbox of its own may add to a run (issue 16). */
const SEPARATION_TARGET_MS = 5;
/** How often (3) asks whether everything is graded. */
const POLL_MS = 500;
const E2E_TARGET = 0.7;
/** Assay end to end against raw bwrap + python with the same isolation (issue 22). */
const BWRAP_TARGET = 0.85;

class BenchError extends Error {}

const wallMs = () => performance.timeOrigin + performance.now();
const print = (line = '') => process.stdout.write(`${line}\n`);

// ---------------------------------------------------------------------------------------------
// The trivial exercise

const CHECK_PY = `import json
import subprocess

# The student's side runs apart, as in every safe harness (README, "Harness patterns").
answer = subprocess.run(["run_student", "cat", "answer.txt"], capture_output=True, text=True).stdout
ok = answer.strip() == "42"
score = 1 if ok else 0
test = {"name": "answer", "score": score, "max_score": 1, "status": "passed" if ok else "failed",
        "output": "ok" if ok else "expected 42", "visibility": "visible"}
with open("results.json", "w", encoding="utf-8") as f:
    json.dump({"score": score, "tests": [test]}, f)
`;

const ANSWER = '42\n';

/** The same check for raw bwrap, which has no run_student: its child is a plain `cat` (the same fork and exec). */
const RAW_CHECK_PY = CHECK_PY.replace('["run_student", "cat", "answer.txt"]', '["cat", "answer.txt"]');
if (RAW_CHECK_PY === CHECK_PY) throw new Error('RAW_CHECK_PY: the run_student call was not found in CHECK_PY');
/** The exercise's limits (writeCourse), for the raw runs' /tmp size. */
const CHECK_LIMITS = { wallMs: 20_000, cpuSeconds: 10, memoryBytes: 256 * 1024 * 1024 };

/** What the runner makes of a correct answer, for the queue-only diagnostic (no sandbox). */
const FIXED_RESULT = {
  outcome: 'success' as const,
  summary: 'success, 1/1 tests passed (score 1/1)',
  grade: {
    outcome: 'success',
    staffError: false,
    score: 1,
    maxScore: 1,
    feedback: '',
    tests: [{ name: 'answer', score: 1, maxScore: 1, status: 'passed', output: 'ok', visibility: 'visible' }],
    problems: { answer: { score: 1 } },
    scoreboard: null,
    log: '',
  },
};

/** A course directory holding one exercise graded by check.py. */
function writeCourse(root: string, slug: string, name: string): string {
  const dir = path.join(root, slug);
  fs.mkdirSync(path.join(dir, 'answer', 'grader'), { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'course.yaml'),
    `slug: ${slug}\nname: ${name}\nsemester: "2025"\nsubjects:\n  - symbol: B\n    name: Bench\n    color: "#123456"\n    modules:\n      - name: Bench\n        order: 1\n`,
  );
  fs.writeFileSync(
    path.join(dir, 'answer', 'exercise.yaml'),
    [
      'name: The answer',
      'module: B/Bench',
      'problems:',
      '  - name: answer',
      '    max_score: 1',
      'grader:',
      '  convention: native',
      '  command: [python3, check.py]',
      '  limits:',
      '    wall_seconds: 20',
      '    cpu_seconds: 10',
      '    memory_mb: 256',
      '  check_solution: false',
      '',
    ].join('\n'),
  );
  fs.writeFileSync(path.join(dir, 'answer', 'grader', 'check.py'), CHECK_PY);
  return dir;
}

// ---------------------------------------------------------------------------------------------
// Statistics

interface Timing {
  median: number;
  p95: number;
  max: number;
}

function timing(samples: number[]): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { median: at(0.5), p95: at(0.95), max: sorted.at(-1) ?? 0 };
}

/** `2024-05-01T09:30:00.123456Z` (or a Date) as epoch milliseconds with the microseconds kept. */
function toMs(value: unknown): number {
  if (value instanceof Date) return value.getTime();
  const s = String(value);
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(s);
  if (!m) throw new BenchError(`unexpected timestamp ${s}`);
  return Date.parse(`${m[1]}Z`) + Number(`0.${m[2] ?? '0'}`) * 1000;
}

const ms = (x: number) => `${x.toFixed(1)} ms`;
const sec = (x: number) => `${(x / 1000).toFixed(2)} s`;
const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');

interface CpuUse {
  /** CPU time of this process (server, workers' JavaScript, the client thread), not of sandboxed children. */
  processMs: number;
  /** Share of the whole machine's CPU time that was busy (every process, other tenants included). */
  machineBusy: number;
  /** CPU time the whole machine used (busy share × CPUs × elapsed). */
  machineMs: number;
  /** Share of the time the server's event loop (this process's main thread) was not idle. */
  eventLoopBusy: number;
}

function machineTimes(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const { times } of os.cpus()) {
    const used = times.user + times.nice + times.sys + times.irq;
    busy += used;
    total += used + times.idle;
  }
  return { busy, total };
}

/** Starts measuring CPU use; call the result to read what was used since. */
function cpuMeter(): () => CpuUse {
  const process0 = process.cpuUsage();
  const machine0 = machineTimes();
  const loop0 = performance.eventLoopUtilization();
  const t0 = performance.now();
  return () => {
    const p = process.cpuUsage(process0);
    const m = machineTimes();
    const machineBusy = (m.busy - machine0.busy) / Math.max(1, m.total - machine0.total);
    const eventLoopBusy = performance.eventLoopUtilization(loop0).utilization;
    return { processMs: (p.user + p.system) / 1000, machineBusy, machineMs: machineBusy * os.cpus().length * (performance.now() - t0), eventLoopBusy };
  };
}

// ---------------------------------------------------------------------------------------------
// The HTTP client in its worker thread

class Client {
  private readonly worker = startTsWorker(new URL('./grading-client.ts', import.meta.url));
  private seq = 0;
  private dead: Error | null = null;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor() {
    this.worker.on('message', (m: { seq: number; result?: unknown; error?: string }) => {
      const p = this.pending.get(m.seq);
      this.pending.delete(m.seq);
      if (m.error !== undefined) p?.reject(new BenchError(m.error));
      else p?.resolve(m.result);
    });
    const die = (err: Error) => {
      this.dead ??= err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    this.worker.on('error', die);
    this.worker.on('exit', (code) => die(new BenchError(`the HTTP client thread exited (code ${code})`)));
  }

  call<T>(request: ClientRequest): Promise<T> {
    if (this.dead) return Promise.reject(this.dead);
    const seq = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(seq, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ seq, request });
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

// ---------------------------------------------------------------------------------------------
// A server session on one engine

type CourseKey = keyof typeof STUDENTS;

interface Session {
  engine: Engine;
  services: Services;
  app: FastifyInstance;
  base: string;
  staffToken: string;
  exercise: Record<CourseKey, number>;
  students: Record<CourseKey, string[]>;
  /** The server's grading workers; stopWorkers and startWorkers stop them and start them again. */
  stopWorkers(): Promise<void>;
  startWorkers(): Promise<void>;
  close(): Promise<void>;
}

async function startSession(engine: Engine): Promise<Session> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'assay-bench-grading-'));
  const schema = `bench_${crypto.randomBytes(5).toString('hex')}`;
  const config = loadConfig({
    ASSAY_DATA_DIR: dataDir,
    ASSAY_LOG_LEVEL: 'silent',
    ASSAY_ACCESS_TOKEN_SECONDS: '3600',
    ASSAY_ARGON2_MEMORY_KIB: '1024',
    ASSAY_WORKERS: String(WORKERS),
    ...(engine === 'postgres' ? { DATABASE_URL: PG_URL, DATABASE_SCHEMA: schema } : {}),
  });
  let runtime: Runtime | null = null;
  let app: FastifyInstance | null = null;
  let workers: EmbeddedWorkers | null = null;
  const cleanup = async () => {
    await workers?.stop();
    await app?.close();
    await runtime?.close();
    if (engine === 'postgres') await dropPostgresSchema(PG_URL, schema).catch(() => undefined);
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    runtime = await openRuntime(config);
    const { services } = runtime;
    app = await buildApp(services, { logger: false });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };

    const password = crypto.randomUUID();
    // The first admin is the courses' checker (course.yaml names none).
    await services.users.createTrusted({ username: 'bench_admin', password, clearance: 5 });
    const staff = await services.users.createTrusted({ username: 'bench_staff', password, clearance: 3 });
    const staffToken = (await services.tokens.issuePair(staff.id)).access;

    const courses = path.join(dataDir, 'courses');
    const names: Record<CourseKey, string> = { e2e: 'Bench throughput', big: 'Bench big course', small: 'Bench small course' };
    const exercise = {} as Record<CourseKey, number>;
    const students = {} as Record<CourseKey, string[]>;
    for (const key of Object.keys(STUDENTS) as CourseKey[]) {
      const report = await syncCourseDirectory(services, writeCourse(courses, `bench-${key}`, names[key]));
      const row = await services.db.selectFrom('exercises').select('id').where('course_id', '=', report.courseId).where('slug', '=', 'answer').executeTakeFirstOrThrow();
      exercise[key] = row.id;
      students[key] = [];
      for (let i = 0; i < STUDENTS[key]; i++) {
        const user = await services.users.createTrusted({ username: `bench_${key}_${i}`, password, clearance: 1 });
        await services.db.insertInto('enrollments').values({ course_id: report.courseId, user_id: user.id, role: 'student', created_at: services.clock.now() }).execute();
        students[key].push((await services.tokens.issuePair(user.id)).access);
      }
    }
    await services.grading.start();
    const startWorkers = async () => {
      workers = await startEmbeddedWorkers(services, config, {
        concurrency: WORKERS,
        onError: (err, context) => process.stderr.write(`grading worker error (${context}): ${(err as Error).message}\n`),
        onSandboxProblem: (message) => process.stderr.write(`grading sandbox unavailable: ${message}\n`),
      });
    };
    const stopWorkers = async () => {
      await workers?.stop();
      workers = null;
    };
    await startWorkers();
    // The raw runs (2) use this thread's sandbox.
    await defaultSandbox().warm();
    return { engine, services, app, base: `http://127.0.0.1:${port}`, staffToken, exercise, students, stopWorkers, startWorkers, close: cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// (2) Raw sandbox throughput

interface Raw {
  runsPerSecond: number;
  latency: Timing;
  cpu: CpuUse;
  /** CPU time of the sandboxed processes (python) per run, as the cgroup measured it; null without a cgroup driver. */
  sandboxCpu: Timing | null;
}

/** The grader's command on the exercise's harness and a correct answer, exactly as the runner lays it out, WORKERS at a time. */
async function rawThroughput(services: Services, exerciseId: number, n: number): Promise<Raw> {
  const config = await services.graders.configFor(exerciseId);
  if (!config) throw new BenchError('the bench exercise has no grader');
  const files = layoutFiles(config.convention, await new TreeCache(services.files, 0).get(config.harnessTreeId), [{ path: 'answer.txt', content: Buffer.from(ANSWER) }], {});
  const sandboxCpu: number[] = [];
  const pool = await timedPool(n, async () => {
    const result = await runInSandbox({ files, command: config.command, limits: config.sandboxLimits, env: { PATH: SANDBOX_PATH }, nested: true });
    if (result.cpuMs !== null) sandboxCpu.push(result.cpuMs);
    try {
      const grade = await parseNativeResults({ ...result, readFile: (p) => result.readFile(p) });
      if (grade.outcome !== 'success' || grade.score !== 1) throw new BenchError(`the check failed in the sandbox: ${grade.outcome} ${grade.log}`);
    } finally {
      await result.cleanup();
    }
  });
  return { ...pool, sandboxCpu: sandboxCpu.length > 0 ? timing(sandboxCpu) : null };
}

/** `run` n times, WORKERS at a time: runs a second, each run's latency and the CPU spent meanwhile. */
async function timedPool(n: number, run: () => Promise<void>) {
  const latencies: number[] = [];
  let next = 0;
  const cpu = cpuMeter();
  const t0 = performance.now();
  const loop = async () => {
    for (let i = next++; i < n; i = next++) {
      const t = performance.now();
      await run();
      latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, loop));
  return { runsPerSecond: n / ((performance.now() - t0) / 1000), latency: timing(latencies), cpu: cpu() };
}

// ---------------------------------------------------------------------------------------------
// What the database says about a set of submissions

interface JobRow {
  id: number;
  submission_id: number;
  course_id: number;
  status: string;
  attempts: number;
  created: number;
  started: number | null;
  finished: number | null;
}

interface Integrity {
  jobs: JobRow[];
  problems: string[];
  attempts: Record<number, number>;
}

const chunks = <T>(xs: T[], size = 500): T[][] => Array.from({ length: Math.ceil(xs.length / size) }, (_, i) => xs.slice(i * size, (i + 1) * size));

/**
 * Exactly one done job, one feedback row (passing, 1 point) and one grade per submission; and,
 * given `exercises`, exactly `expected` submissions in those exercises (nothing extra stored).
 */
async function checkIntegrity(services: Services, ids: number[], exercises?: { ids: number[]; expected: number }): Promise<Integrity> {
  const problems: string[] = [];
  if (new Set(ids).size !== ids.length) problems.push('the server handed out the same submission id twice');
  const { db } = services;
  const jobs: JobRow[] = [];
  const feedback = new Map<number, { points: number | null; passing: boolean | null }[]>();
  const grades = new Map<number, number>();
  let stored = 0;
  for (const chunk of chunks(ids)) {
    stored += (await db.selectFrom('submissions').select('id').where('id', 'in', chunk).execute()).length;
    const rows = await db
      .selectFrom('grading_jobs')
      .select(['id', 'submission_id', 'course_id', 'status', 'attempts', 'created_at', 'started_at', 'finished_at'])
      .where('submission_id', 'in', chunk)
      .execute();
    for (const r of rows) {
      jobs.push({
        id: r.id,
        submission_id: r.submission_id!,
        course_id: r.course_id,
        status: r.status,
        attempts: r.attempts,
        created: toMs(r.created_at),
        started: r.started_at ? toMs(r.started_at) : null,
        finished: r.finished_at ? toMs(r.finished_at) : null,
      });
    }
    for (const f of await db.selectFrom('feedback').select(['submission_id', 'points', 'passing']).where('submission_id', 'in', chunk).execute()) {
      feedback.set(f.submission_id, [...(feedback.get(f.submission_id) ?? []), { points: f.points, passing: f.passing }]);
    }
    for (const g of await db.selectFrom('grades').select('submission_id').where('submission_id', 'in', chunk).execute()) {
      grades.set(g.submission_id, (grades.get(g.submission_id) ?? 0) + 1);
    }
  }
  if (stored !== ids.length) problems.push(`${ids.length} submissions accepted, ${stored} stored`);
  if (exercises) {
    const held = await db
      .selectFrom('submissions as s')
      .innerJoin('assignments as a', 'a.id', 's.assignment_id')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('a.exercise_id', 'in', exercises.ids)
      .executeTakeFirstOrThrow();
    if (Number(held.n) !== exercises.expected) problems.push(`the exercises hold ${Number(held.n)} submissions, ${exercises.expected} were accepted`);
  }

  const jobsOf = new Map<number, JobRow[]>();
  for (const j of jobs) jobsOf.set(j.submission_id, [...(jobsOf.get(j.submission_id) ?? []), j]);
  const attempts: Record<number, number> = {};
  const count = (what: string, bad: number) => bad > 0 && problems.push(`${bad} submissions ${what}`);
  count('have no job or more than one', ids.filter((id) => jobsOf.get(id)?.length !== 1).length);
  count('have a job that is not done', jobs.filter((j) => j.status !== 'done').length);
  count('have no feedback row or more than one', ids.filter((id) => feedback.get(id)?.length !== 1).length);
  count('have feedback that is not passing with 1 point', ids.filter((id) => feedback.get(id)?.some((f) => f.passing !== true || f.points !== 1)).length);
  count('have no grade row or more than one', ids.filter((id) => grades.get(id) !== 1).length);
  for (const j of jobs) attempts[j.attempts] = (attempts[j.attempts] ?? 0) + 1;
  return { jobs, problems, attempts };
}

/** Medians of a run's steps from its timeline: claim → prepared (reading the grader and the files), running → finished (sandbox, parse, record). */
async function stepTimes(services: Services, jobs: JobRow[]): Promise<{ reading: Timing; running: Timing; wait: Timing; job: Timing }> {
  const events = new Map<number, Map<string, number>>();
  for (const chunk of chunks(jobs.map((j) => j.id))) {
    for (const e of await services.db.selectFrom('grading_job_events').select(['job_id', 'action', 'time']).where('job_id', 'in', chunk).execute()) {
      const byAction = events.get(e.job_id) ?? new Map<string, number>();
      byAction.set(e.action, toMs(e.time));
      events.set(e.job_id, byAction);
    }
  }
  const reading: number[] = [];
  const running: number[] = [];
  for (const j of jobs) {
    const ev = events.get(j.id);
    const built = ev?.get('prepared');
    const sending = ev?.get('running');
    if (j.started !== null && built !== undefined) reading.push(built - j.started);
    if (sending !== undefined && j.finished !== null) running.push(j.finished - sending);
  }
  return {
    reading: timing(reading),
    running: timing(running),
    wait: timing(jobs.map((j) => j.started! - j.created)),
    job: timing(jobs.map((j) => j.finished! - j.started!)),
  };
}

function assertIntegrity(what: string, integrity: Integrity): void {
  if (integrity.problems.length > 0) throw new BenchError(`${what}: ${integrity.problems.join('; ')}`);
}

function items(exerciseId: number, tokens: string[], n: number): SubmitItem[] {
  return Array.from({ length: n }, (_, i) => ({ exerciseId, token: tokens[i % tokens.length]!, answer: ANSWER }));
}

async function submitAll(session: Session, client: Client, list: SubmitItem[]): Promise<Submitted[]> {
  const submitted = await client.call<Submitted[]>({ kind: 'submit', base: session.base, items: list, connections: CONNECTIONS });
  const bad = submitted.filter((s) => s.status !== 201);
  if (bad.length > 0) throw new BenchError(`${bad.length} of ${list.length} submissions were not accepted; first: ${bad[0]!.status} ${bad[0]!.error}`);
  return submitted;
}

function pollDone(session: Session, client: Client, exerciseIds: number[], ids: number[], intervalMs: number): Promise<PollAnswer> {
  return client.call<PollAnswer>({ kind: 'poll', base: session.base, token: session.staffToken, exerciseIds, ids, intervalMs, timeoutMs: 600_000 });
}

// ---------------------------------------------------------------------------------------------
// (3) End to end

/** One end-to-end measurement (3): submitting while the workers grade. */
interface Live {
  submitSeconds: number;
  throughput: number;
  polledThroughput: number;
  busy: number;
  cpu: CpuUse;
  steps: Awaited<ReturnType<typeof stepTimes>>;
  attempts: Record<number, number>;
}

/** One interleaved round of (0): the three throughputs measured one after the other. */
interface Round {
  bwrap: RawBwrapRate;
  sandbox: Raw;
  live: Live;
}

interface EndToEnd {
  rounds: Round[];
  /** Assay's sandbox alone, median over the rounds: the baseline of the diagnostics. */
  baseline: number;
  /** The diagnostic run's POSTs, made while no worker ran. */
  ingest: { seconds: number; cpu: CpuUse };
  drain: { throughput: number; busy: number; cpu: CpuUse; steps: Awaited<ReturnType<typeof stepTimes>> };
  /** The same drain with a runner that skips the sandbox: what the queue and the result recording cost. */
  queueOnly: { throughput: number; cpu: CpuUse };
}

/** Share of the workers' time spent holding a job, between `from` and the last result. */
function busyShare(jobs: JobRow[], from: number): number {
  const end = Math.max(...jobs.map((j) => j.finished!));
  const held = jobs.reduce((a, j) => a + (j.finished! - Math.max(j.started!, from)), 0);
  return held / (WORKERS * (end - from));
}

interface RawBwrapRate {
  runsPerSecond: number;
  latency: Timing;
  cpu: CpuUse;
}

/** (0)'s floor: the check by raw bwrap (raw-bwrap.ts), n runs, WORKERS at a time. */
async function rawBwrapThroughput(raw: RawBwrap, n: number): Promise<RawBwrapRate> {
  const files = [
    { path: 'check.py', content: RAW_CHECK_PY },
    { path: 'answer.txt', content: ANSWER },
  ];
  return timedPool(n, async () => {
    const { file } = await raw.run(files, ['python3', 'check.py'], 'results.json');
    const results = file === null ? null : (JSON.parse(file) as { score?: number });
    if (results?.score !== 1) throw new BenchError(`the check failed in raw bwrap: ${file}`);
  });
}

/** (3) once: RUNS submissions POSTed while the workers grade, from the first POST to the last stored result; `held` submissions were in the exercise before. */
async function liveRun(session: Session, client: Client, held: number): Promise<Live> {
  const { services } = session;
  const exerciseId = session.exercise.e2e;
  const cpu = cpuMeter();
  const start = wallMs();
  const submitted = await submitAll(session, client, items(exerciseId, session.students.e2e, RUNS));
  const submitSeconds = (Math.max(...submitted.map((s) => s.answeredAt)) - start) / 1000;
  const ids = submitted.map((s) => s.id!);
  // Throughput comes from the stored finish times; polling only tells when to stop, and each poll
  // (the whole list) is load on the machine being measured, so it stays at twice a second.
  const polled = await pollDone(session, client, [exerciseId], ids, POLL_MS);
  const used = cpu();
  const integrity = await checkIntegrity(services, ids, { ids: [exerciseId], expected: held + RUNS });
  assertIntegrity('end to end', integrity);
  const shown = await client.call<Detail[]>({ kind: 'details', base: session.base, token: session.staffToken, ids, connections: 4 });
  const wrong = shown.filter((d) => d.httpStatus !== 200 || d.status !== 'done' || d.outcome !== 'Success' || d.score !== 1);
  if (wrong.length > 0) throw new BenchError(`${wrong.length} submissions do not show done/Success/score 1 over HTTP; first: ${JSON.stringify(wrong[0])}`);
  const lastResult = Math.max(...integrity.jobs.map((j) => j.finished!));
  return {
    submitSeconds,
    throughput: RUNS / ((lastResult - start) / 1000),
    polledThroughput: RUNS / ((polled.finishedAt - start) / 1000),
    busy: busyShare(integrity.jobs, start),
    cpu: used,
    steps: await stepTimes(services, integrity.jobs),
    attempts: integrity.attempts,
  };
}

async function endToEnd(session: Session, client: Client, raw: RawBwrap): Promise<EndToEnd> {
  const { services } = session;
  const exerciseId = session.exercise.e2e;
  let held = 0;
  // Interleaved rounds, the order reversed every other round, so that drift in the machine's load
  // falls on every figure alike; each ratio compares figures of the same round.
  const rounds: Round[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const round: Partial<Round> = {};
    const steps: (() => Promise<void>)[] = [
      async () => void (round.bwrap = await rawBwrapThroughput(raw, RUNS)),
      async () => void (round.sandbox = await rawThroughput(services, exerciseId, RUNS)),
      async () => {
        round.live = await liveRun(session, client, held);
        held += RUNS;
      },
    ];
    for (const step of r % 2 === 0 ? steps : steps.reverse()) await step();
    rounds.push(round as Round);
  }
  const baseline = median(rounds.map((r) => r.sandbox.runsPerSecond));

  // Diagnostic: everything queued first, then the workers drain the queue (no HTTP traffic meanwhile).
  await session.stopWorkers();
  const ingestCpu = cpuMeter();
  const ingestStart = wallMs();
  const queued = await submitAll(session, client, items(exerciseId, session.students.e2e, RUNS));
  const ingest = { seconds: (wallMs() - ingestStart) / 1000, cpu: ingestCpu() };
  const queuedIds = queued.map((s) => s.id!);
  // Starting the workers (on PostgreSQL a thread, loading its modules) is not part of draining: the
  // drain is timed from its first claim, and its CPU counted once the workers are up.
  await session.startWorkers();
  const drainCpu = cpuMeter();
  await pollDone(session, client, [exerciseId], queuedIds, POLL_MS);
  const drainUse = drainCpu();
  held += RUNS;
  const drained = await checkIntegrity(services, queuedIds, { ids: [exerciseId], expected: held });
  assertIntegrity('drain', drained);
  const drainEnd = Math.max(...drained.jobs.map((j) => j.finished!));
  const poolStart = Math.min(...drained.jobs.map((j) => j.started!));

  // Diagnostic: the queue alone (claim, timeline, completion, feedback and grade rows), no sandbox.
  await session.stopWorkers();
  const pending = (await submitAll(session, client, items(exerciseId, session.students.e2e, RUNS))).map((s) => s.id!);
  const queueCpu = cpuMeter();
  const queueStart = wallMs();
  const noSandbox = startWorkerPool(services.grading, async () => FIXED_RESULT, services.config, { concurrency: WORKERS });
  await pollDone(session, client, [exerciseId], pending, 100);
  const queueUse = queueCpu();
  await noSandbox.stop();
  await session.startWorkers();
  held += RUNS;
  const queueJobs = await checkIntegrity(services, pending, { ids: [exerciseId], expected: held });
  assertIntegrity('queue only', queueJobs);
  const queueEnd = Math.max(...queueJobs.jobs.map((j) => j.finished!));

  return {
    rounds,
    baseline,
    ingest,
    drain: {
      throughput: RUNS / ((drainEnd - poolStart) / 1000),
      busy: busyShare(drained.jobs, poolStart),
      cpu: drainUse,
      steps: await stepTimes(services, drained.jobs),
    },
    queueOnly: { throughput: RUNS / ((queueEnd - queueStart) / 1000), cpu: queueUse },
  };
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

// ---------------------------------------------------------------------------------------------
// (4) Deadline burst

interface Burst {
  submitSeconds: number;
  totalSeconds: number;
  accepted: number;
  polls: number;
  attempts: Record<number, number>;
  big: Timing;
  small: Timing;
  /** Big-course jobs not yet finished when the small course's first job was queued. */
  bigAhead: number;
  throughput: number;
}

async function burst(session: Session, client: Client): Promise<Burst> {
  const { services } = session;
  const list = [...items(session.exercise.big, session.students.big, BURST_BIG), ...items(session.exercise.small, session.students.small, BURST_SMALL)];
  const start = wallMs();
  const submitted = await submitAll(session, client, list);
  const submitSeconds = (Math.max(...submitted.map((s) => s.answeredAt)) - start) / 1000;
  const ids = submitted.map((s) => s.id!);
  const polled = await pollDone(session, client, [session.exercise.big, session.exercise.small], ids, 1000);
  const integrity = await checkIntegrity(services, ids, { ids: [session.exercise.big, session.exercise.small], expected: ids.length });
  assertIntegrity('burst', integrity);
  const smallCourse = (await services.db.selectFrom('exercises').select('course_id').where('id', '=', session.exercise.small).executeTakeFirstOrThrow()).course_id;
  const latency = (j: JobRow) => j.finished! - j.created;
  const small = integrity.jobs.filter((j) => j.course_id === smallCourse);
  const big = integrity.jobs.filter((j) => j.course_id !== smallCourse);
  const firstSmall = Math.min(...small.map((j) => j.created));
  const end = Math.max(...integrity.jobs.map((j) => j.finished!));
  return {
    submitSeconds,
    totalSeconds: (end - start) / 1000,
    accepted: submitted.length,
    polls: polled.polls,
    attempts: integrity.attempts,
    big: timing(big.map(latency)),
    small: timing(small.map(latency)),
    bigAhead: big.filter((j) => j.finished! > firstSmall).length,
    throughput: ids.length / ((end - start) / 1000),
  };
}

// ---------------------------------------------------------------------------------------------
// Report

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const attemptsText = (a: Record<number, number>) =>
  Object.entries(a)
    .map(([n, c]) => `${c} × ${n}`)
    .join(', ');

const stepsText = (s: Live['steps']) =>
  `queue wait ${ms(s.wait.median)}, job ${ms(s.job.median)} (claim → Built ${ms(s.reading.median)}, Sending → stored ${ms(s.running.median)})`;

async function overhead(): Promise<void> {
  print(`\n1. Sandbox overhead: \`true\` sandboxed vs. unsandboxed, ${OVERHEAD_RUNS} runs`);
  const r = await measureSandboxOverhead(OVERHEAD_RUNS);
  const diffP95 = r.sandboxed.p95Ms - r.unsandboxed.p95Ms;
  print(
    table(
      ['', 'median', 'p95'],
      [
        ['unsandboxed true', ms(r.unsandboxed.medianMs), ms(r.unsandboxed.p95Ms)],
        ['sandboxed true', ms(r.sandboxed.medianMs), ms(r.sandboxed.p95Ms)],
        ['overhead (difference)', ms(r.overheadMedianMs), ms(diffP95)],
        ['ratio', `${r.ratio.toFixed(2)}x`, `${(r.sandboxed.p95Ms / r.unsandboxed.p95Ms).toFixed(2)}x`],
        ...(r.bareBwrap ? [['bare bwrap true (kernel floor)', ms(r.bareBwrap.medianMs), ms(r.bareBwrap.p95Ms)]] : []),
      ],
    ),
  );
  print(`   cgroup driver ${r.cgroupDriver}; behind each run: launcher refill median ${ms(r.launcherRefill.medianMs)}, cleanup median ${ms(r.cleanup.medianMs)}`);
  const overBare = r.bareBwrap ? `; over bare bwrap: ${ms(r.sandboxed.medianMs - r.bareBwrap.medianMs)}` : '';
  print(`   target: median overhead under ${OVERHEAD_TARGET_MS} ms: ${verdict(r.overheadMedianMs < OVERHEAD_TARGET_MS)} (${ms(r.overheadMedianMs)}${overBare})`);
  // The separation itself, for each separation this machine has, in the same loop: a harness run
  // calling `run_student true` once against the same harness run doing `true` itself.
  const status = await sandboxStatus();
  const nestedRoot = path.join(os.tmpdir(), `assay-bench-nested-${process.pid}`);
  const nested = new Sandbox({ root: nestedRoot, separation: 'nested' });
  try {
    const boxes: Record<string, Sandbox> = status.separation === 'uid' ? { uid: defaultSandbox(), nested } : { nested };
    const separation = await measureSeparation(OVERHEAD_RUNS, boxes, runStudentCommand());
    for (const [name, t] of Object.entries(separation)) {
      print(
        `   run_student by ${name} (${status.separation === name ? 'in use' : 'fallback'}): harness alone ${ms(t.harnessAlone.medianMs)}, calling run_student once ${ms(t.withRunStudent.medianMs)}: ` +
          `+${ms(t.addedMedianMs)} a run (median); target at most ${SEPARATION_TARGET_MS} ms: ${verdict(t.addedMedianMs <= SEPARATION_TARGET_MS)}`,
      );
    }
    for (const [name, t] of Object.entries(separation)) {
      print(
        `   run_student by ${name}: being able to separate costs every harness run +${ms(t.readyMedianMs)} (harness alone vs. a run that may not, interleaved); ` +
          `inside a harness, run_student true ${ms(t.inside.runStudent.medianMs)} vs. its own true ${ms(t.inside.ownChild.medianMs)}: +${ms(t.inside.addedMedianMs)} a call`,
      );
    }
  } finally {
    await nested.close();
    fs.rmSync(nestedRoot, { recursive: true, force: true });
  }
}

const cpuText = (c: CpuUse, n: number, unit: string) =>
  `CPU per ${unit}: this process ${ms(c.processMs / n)}, whole machine ${ms(c.machineMs / n)} (${pct(c.machineBusy)} busy); server event loop ${pct(c.eventLoopBusy)} busy`;

/** `min / median / max` of per-round ratios. */
function spread(xs: number[]): string {
  const sorted = [...xs].sort((a, b) => a - b);
  return `${sorted[0]!.toFixed(2)} / ${median(sorted).toFixed(2)} / ${sorted.at(-1)!.toFixed(2)}`;
}

function reportEndToEnd(engine: Engine, e: EndToEnd, namespaces: string): void {
  const { rounds } = e;
  const ratios = {
    liveBwrap: rounds.map((r) => r.live.throughput / r.bwrap.runsPerSecond),
    sandboxBwrap: rounds.map((r) => r.sandbox.runsPerSecond / r.bwrap.runsPerSecond),
    liveSandbox: rounds.map((r) => r.live.throughput / r.sandbox.runsPerSecond),
  };
  print(`
0. Headline on ${engine}: ${ROUNDS} interleaved rounds (order reversed every other round) of ${RUNS} runs of the trivial Python check, ${WORKERS} at a time`);
  print(`   raw bwrap + python: bwrap spawned by this process with a grading run's own options (${namespaces}; the same binds, /tmp size, environment), the check's child a plain \`cat\`;`);
  print(`   nothing of Assay around it (no launcher, cgroup, work-dir tmpfs, broker, server, queue or database)`);
  print(
    table(
      ['round', 'raw bwrap + python', 'Assay sandbox alone', 'Assay end to end', 'e2e / bwrap', 'sandbox / bwrap', 'e2e / sandbox'],
      rounds.map((r, i) => [
        String(i + 1),
        `${r.bwrap.runsPerSecond.toFixed(1)} runs/s`,
        `${r.sandbox.runsPerSecond.toFixed(1)} runs/s`,
        `${r.live.throughput.toFixed(1)} subs/s`,
        (r.live.throughput / r.bwrap.runsPerSecond).toFixed(2),
        (r.sandbox.runsPerSecond / r.bwrap.runsPerSecond).toFixed(2),
        (r.live.throughput / r.sandbox.runsPerSecond).toFixed(2),
      ]),
    ).replace(/^/gm, '   '),
  );
  const liveBwrap = median(ratios.liveBwrap);
  const liveSandbox = median(ratios.liveSandbox);
  print(`   Assay end to end / raw bwrap + python (min / median / max): ${spread(ratios.liveBwrap)}; target at least ${BWRAP_TARGET}: ${verdict(liveBwrap >= BWRAP_TARGET)}`);
  print(`   Assay's sandbox alone / raw bwrap + python: ${spread(ratios.sandboxBwrap)}`);
  print(`   Assay end to end / Assay's sandbox alone: ${spread(ratios.liveSandbox)}; target at least ${E2E_TARGET}: ${verdict(liveSandbox >= E2E_TARGET)}`);

  print(`
2. Assay's sandbox alone (${engine} session): runInSandbox of the exercise's harness as the runner lays it out, ${RUNS} runs, ${WORKERS} at a time, each round`);
  rounds.forEach((r, i) => {
    const raw = r.sandbox;
    const inside = raw.sandboxCpu ? `, sandboxed processes median ${ms(raw.sandboxCpu.median)}` : '';
    print(`   round ${i + 1}: ${raw.runsPerSecond.toFixed(1)} runs/s (per run median ${ms(raw.latency.median)}, p95 ${ms(raw.latency.p95)}; ${cpuText(raw.cpu, RUNS, 'run')}${inside})`);
    print(`            raw bwrap + python: per run median ${ms(r.bwrap.latency.median)}, p95 ${ms(r.bwrap.latency.p95)}; ${cpuText(r.bwrap.cpu, RUNS, 'run')}`);
  });
  print(`
3. End to end on ${engine}: ${RUNS} submissions POSTed over HTTP (${CONNECTIONS} connections) while the server's ${WORKERS} grading workers grade (${engine === 'postgres' ? 'in their own thread' : 'on its event loop'}), each round`);
  rounds.forEach((r, i) => {
    const l = r.live;
    print(`   round ${i + 1}: submitting took ${l.submitSeconds.toFixed(2)} s; first POST → last stored result: ${l.throughput.toFixed(1)} submissions/s (as seen by polling: ${l.polledThroughput.toFixed(1)}/s)`);
    print(`            workers busy ${pct(l.busy)} of the time; ${cpuText(l.cpu, RUNS, 'submission')}; attempts: ${attemptsText(l.attempts)}`);
    print(`            medians: ${stepsText(l.steps)}`);
  });
  print(`   diagnostics below: "of raw" is of Assay's sandbox alone (median over the rounds, ${e.baseline.toFixed(1)} runs/s)`);
  print(`   diagnostic, the same again in two steps (no worker while submitting, then no HTTP traffic but polls while grading):`);
  print(`     ${RUNS} POSTs alone: ${e.ingest.seconds.toFixed(2)} s (${(RUNS / e.ingest.seconds).toFixed(0)}/s; ${cpuText(e.ingest.cpu, RUNS, 'POST')})`);
  print(`     queue drained: ${e.drain.throughput.toFixed(1)} submissions/s = ${pct(e.drain.throughput / e.baseline)} of raw; workers busy ${pct(e.drain.busy)}; ${cpuText(e.drain.cpu, RUNS, 'job')}`);
  print(`     medians: ${stepsText(e.drain.steps)}`);
  const perJob = (1000 * WORKERS) / e.queueOnly.throughput;
  print(
    `   diagnostic, queue alone (a runner that returns a fixed grade, no sandbox, no reads): ${e.queueOnly.throughput.toFixed(0)} jobs/s, ` +
      `i.e. ${ms(perJob)} of a worker's time per job; ${cpuText(e.queueOnly.cpu, RUNS, 'job')}`,
  );
}

function reportBurst(engine: Engine, b: Burst): void {
  print(`\n4. Deadline burst on ${engine} over HTTP (${CONNECTIONS} connections): ${BURST_BIG} submissions to the big course, then ${BURST_SMALL} to the small one`);
  print(`   ${b.accepted} accepted (201) in ${b.submitSeconds.toFixed(1)} s; all graded (done) ${b.totalSeconds.toFixed(1)} s after the first POST (${b.throughput.toFixed(1)} submissions/s), seen in ${b.polls} polls`);
  print(`   each submission: exactly one job (done), one feedback row (passing, 1 point), one grade: PASS; attempts: ${attemptsText(b.attempts)}`);
  print(`   big-course jobs still unfinished when the small course's first job was queued: ${b.bigAhead}`);
  print(
    table(
      ['latency (job created → result stored)', 'median', 'p95', 'max'],
      [
        [`big course (${BURST_BIG})`, sec(b.big.median), sec(b.big.p95), sec(b.big.max)],
        [`small course (${BURST_SMALL})`, sec(b.small.median), sec(b.small.p95), sec(b.small.max)],
      ],
    ).replace(/^/gm, '   '),
  );
  print(`   small p95 / big p95 = ${(b.small.p95 / b.big.p95).toFixed(3)}; small course not stuck behind the big burst (small p95 < big median): ${verdict(b.small.p95 < b.big.median)}`);
}

async function postgresReachable(): Promise<string | null> {
  const pg = (await import('pg')).default;
  const probe = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await probe.connect();
    return null;
  } catch (err) {
    return (err as Error).message;
  } finally {
    await probe.end().catch(() => undefined);
  }
}

async function main(): Promise<void> {
  const status = await sandboxStatus();
  if (!status.available) {
    print(`bench:grading skipped: the sandbox is not usable here (${status.reason ?? 'bwrap missing'})`);
    return;
  }
  for (const engine of ENGINES) if (engine !== 'sqlite' && engine !== 'postgres') throw new BenchError(`unknown engine "${engine}" in BENCH_ENGINES`);
  const began = performance.now();
  print(`bench:grading on ${os.cpus().length} CPUs (load average ${os.loadavg()[0]!.toFixed(2)}), cgroup driver ${status.cgroupDriver}, ${WORKERS} workers`);
  await overhead();

  const client = new Client();
  const raw = await openRawBwrap(status.separation ?? 'nested', CHECK_LIMITS);
  try {
    for (const engine of ENGINES) {
      if (engine === 'postgres') {
        const why = await ensureDatabase(PG_URL).then(postgresReachable, (err: unknown) => (err as Error).message);
        if (why) {
          print(`\nPostgreSQL at ${PG_URL} is not reachable (${why}): skipped`);
          continue;
        }
      }
      print(`\n=== ${engine} (load average ${os.loadavg()[0]!.toFixed(2)}) ===`);
      const session = await startSession(engine);
      try {
        reportEndToEnd(engine, await endToEnd(session, client, raw), raw.namespaces);
        if (BURST_BIG + BURST_SMALL > 0) reportBurst(engine, await burst(session, client));
      } finally {
        await session.close();
      }
    }
  } finally {
    await client.close();
    await raw.close();
    await defaultSandbox().close();
  }
  print(`\nbench:grading took ${((performance.now() - began) / 1000).toFixed(0)} s (load average now ${os.loadavg()[0]!.toFixed(2)})`);
}

main().catch((err: unknown) => {
  process.stderr.write(`\nbench:grading failed: ${err instanceof BenchError ? err.message : ((err as Error).stack ?? String(err))}\n`);
  process.exit(1);
});
