/**
 * ngshare benchmark: `npm run bench:ngshare`. The same load against, each server in a process of
 * its own (ngshare-server.ts, ngshare-floor.ts):
 *
 * - the machine's floor for the same bytes (ngshare-floor.ts: loopback transfer, decode, hash,
 *   write and flush, nothing else);
 * - Assay on each engine of BENCH_ENGINES;
 * - upstream ngshare, when NGSHARE_UPSTREAM names its checkout (started by ngshare-upstream.ts).
 *
 * 200 students hand in trees of FILES files of 100 KiB, sent form-encoded with MIME base64
 * contents as ngshare_exchange sends them (2.9 MB bodies), each request as the next student and
 * with contents of its own (a few characters of each file are stamped, so no file is stored
 * twice). Figures, BENCH_REQUESTS requests each (default 200): submit with 1 client and with 8;
 * the server's CPU time per submit (utime + stime from /proc over both submit runs: the server
 * process alone, PostgreSQL's own processes not counted); the instructor's download of a
 * student's submission with 8 clients; the server's peak RSS over the workload (VmHWM, reset once
 * the course is loaded). BENCH_ROUNDS rounds (default 3), interleaved: every server runs one
 * figure before any runs the next. Printed: each figure's min / median / max, then per round the
 * ratio of Assay to the floor and to upstream, as min / median / max over the rounds.
 *
 * BENCH_PROFILE=<dir> runs Assay's servers under `node --cpu-prof` (profiles in <dir>/<engine>/, the
 * largest is the server's; read it with `node bench/cpuprofile-top.mjs <file>`). After the rounds, the large tree (ngshare-big.ts)
 * on each engine: BENCH_BIG=0 skips it, BENCH_BIG=only runs just it.
 *
 * Environment: BENCH_ENGINES (default `sqlite,postgres`), BENCH_ROUNDS, BENCH_REQUESTS,
 * BENCH_PG_URL, BENCH_BIG, BENCH_PROFILE, NGSHARE_UPSTREAM.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import type { Engine } from './harness.ts';
import { BenchError } from './harness.ts';
import { measureBigTree } from './ngshare-big.ts';
import type { Course } from './ngshare-course.ts';
import { ASSIGNMENT, COURSE, FILES, STUDENTS, TREE } from './ngshare-course.ts';
import { formBody } from './ngshare-form.ts';

const ENGINES = (process.env.BENCH_ENGINES ?? 'sqlite,postgres').split(',').map((e) => e.trim()) as Engine[];
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200);
const BIG = process.env.BENCH_BIG ?? '1';
const PROFILE = process.env.BENCH_PROFILE;
const UPSTREAM = process.env.NGSHARE_UPSTREAM;

const SERVER = fileURLToPath(new URL('./ngshare-server.ts', import.meta.url));
const FLOOR = fileURLToPath(new URL('./ngshare-floor.ts', import.meta.url));

/** What upstream ngshare recorded in issue 22 on this kind of machine, printed when it is not run here. */
const RECORDED_UPSTREAM = { submit1: 8.7, submit8: 9.6, cpuMs: 110, download8: 33.5, peakMb: 188 };

/** A server under test: where it listens, its process, and how each request names its user. */
interface Contender {
  label: string;
  kind: 'floor' | 'assay' | 'upstream';
  base: string;
  pid: number;
  /** Path and headers of the n-th hand-in (a different student each time). */
  submit(n: number): { path: string; headers: Record<string, string> };
  /** Path and headers of the n-th download (the instructor, a different student's submission). */
  download(n: number): { path: string; headers: Record<string, string> };
  stop(): Promise<void>;
}

interface Round {
  submit1: number;
  submit8: number;
  cpuMs: number;
  download8: number;
}

// ---- the hand-in body, stamped per request ----

const SUBMIT_PATH = `/api/submission/${COURSE}/${ASSIGNMENT}`;
/** The hand-in body without its `user` field (the servers that read one take it from the query). */
const FORM = ((form: Buffer) => form.subarray(0, form.lastIndexOf('&user=')))(Buffer.concat(formBody(TREE, 'student').pieces));
/** Where each file's base64 content starts in the body (a 76-character line starts there). */
const CONTENT_STARTS: number[] = [];
{
  const marker = Buffer.from(encodeURIComponent('"content": "'));
  for (let at = FORM.indexOf(marker); at !== -1; at = FORM.indexOf(marker, at + 1)) CONTENT_STARTS.push(at + marker.length);
  if (CONTENT_STARTS.length !== FILES) throw new BenchError(`the bench body has ${CONTENT_STARTS.length} contents, not ${FILES}`);
}
const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const RUN_STAMP = Array.from(crypto.randomBytes(6), (b) => BASE62[b % 62]).join('');
let stamped = 0;

/**
 * The body with the first 12 base64 characters of every file replaced by a stamp no other request
 * of this run has (letters and digits: valid base64, nothing to percent-encode), so every hand-in
 * stores new files, as students' hand-ins do.
 */
function uniqueBody(): Buffer {
  let n = stamped++;
  let counter = '';
  for (let i = 0; i < 6; i++, n = Math.floor(n / 62)) counter += BASE62[n % 62];
  const body = Buffer.from(FORM);
  for (let i = 0; i < CONTENT_STARTS.length; i++) body.write(`${RUN_STAMP}${counter.slice(0, 5)}${BASE62[i]}`, CONTENT_STARTS[i]!, 'latin1');
  return body;
}

// ---- processes ----

/** Starts a child that prints one JSON line once it serves; answers that line. */
function startChild(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess; line: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const nl = out.indexOf('\n');
      if (nl === -1) return;
      child.stdout!.off('data', onData);
      child.stdout!.resume();
      try {
        resolve({ child, line: JSON.parse(out.slice(0, nl)) as Record<string, unknown> });
      } catch {
        reject(new BenchError(`${args.at(-1)} printed ${out.slice(0, 200)}`));
      }
    };
    child.stdout!.on('data', onData);
    child.on('error', reject);
    child.on('exit', (code) => reject(new BenchError(`${args.join(' ')} exited with ${code} before serving`)));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

const tokenHeader = (token: string) => ({ authorization: `token ${token}` });

/** Runs a child to its end; fails unless it exits 0. */
function runChild(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new BenchError(`${args.join(' ')} exited with ${code}`))));
  });
}

async function startAssay(engine: Engine): Promise<Contender> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'assay-bench-'));
  const schema = `bench_${crypto.randomBytes(5).toString('hex')}`;
  // Loaded by one process, served by another that has done nothing else.
  await runChild(['--import', 'tsx', SERVER, 'load', engine, dataDir, schema]);
  // One directory per engine: tsx's loader thread writes a (small) profile of its own beside the server's.
  const profile = PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${path.join(PROFILE, engine)}`] : [];
  const { child, line } = await startChild([...profile, '--import', 'tsx', SERVER, 'serve', engine, dataDir, schema]);
  const course = line.course as Course;
  return {
    label: `Assay ${engine === 'sqlite' ? 'SQLite' : 'PostgreSQL'}`,
    kind: 'assay',
    base: String(line.base),
    pid: child.pid!,
    submit: (n) => ({ path: SUBMIT_PATH, headers: tokenHeader(course.students[n % STUDENTS]!.token) }),
    download: (n) => ({ path: `/api/submission/${COURSE}/${ASSIGNMENT}/${course.students[n % STUDENTS]!.name}`, headers: tokenHeader(course.instructor) }),
    stop: () => stopChild(child),
  };
}

async function startFloor(): Promise<Contender> {
  const { child, line } = await startChild(['--import', 'tsx', FLOOR]);
  return {
    label: 'floor',
    kind: 'floor',
    base: String(line.base),
    pid: child.pid!,
    submit: () => ({ path: SUBMIT_PATH, headers: {} }),
    download: () => ({ path: '/', headers: {} }),
    stop: () => stopChild(child),
  };
}

/**
 * Upstream ngshare through bench/ngshare-upstream.ts: `startUpstream(checkout)` answers the base
 * URL of a running upstream with the bench's course loaded; each request names its caller with
 * `user` in the query, as upstream's own tests run it (MockAuth).
 */
async function startUpstreamContender(checkout: string): Promise<Contender> {
  const { startUpstream, withUser } = await import('./ngshare-upstream.ts');
  const up = await startUpstream(checkout, { release: TREE });
  const student = (n: number) => up.course.students[n % up.course.students.length]!;
  return {
    label: 'upstream ngshare',
    kind: 'upstream',
    base: up.url.replace(/\/$/, ''),
    pid: up.pid,
    submit: (n) => ({ path: withUser(SUBMIT_PATH, student(n)), headers: {} }),
    download: (n) => ({ path: withUser(`/api/submission/${COURSE}/${ASSIGNMENT}/${student(n)}`, up.course.instructor), headers: {} }),
    stop: () => up.stop(),
  };
}

// ---- /proc ----

const TICK_MS = 1000 / 100;

/** The process's CPU time so far (user + system, every thread), in ms. */
function cpuMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

function status(pid: number, key: string): number {
  const found = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return found ? Number(found[1]) * 1024 : NaN;
}

/** Restarts the process's peak RSS (VmHWM) from its current RSS. */
function resetPeak(pid: number): void {
  fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

// ---- load ----

/** REQUESTS requests over `connections` connections; answers requests per second of wall time. */
async function load(c: Contender, what: string, connections: number, request: autocannon.Request): Promise<number> {
  const started = performance.now();
  const result = await autocannon({ url: c.base, connections, amount: REQUESTS, timeout: 120, requests: [request] });
  const seconds = (performance.now() - started) / 1000;
  const bad = result.non2xx + result.errors + result.timeouts;
  if (bad > 0) throw new BenchError(`${what} on ${c.label}: ${result.non2xx} non-2xx answers, ${result.errors} errors, ${result.timeouts} timeouts`);
  if (result.requests.total < REQUESTS) throw new BenchError(`${what} on ${c.label}: ${result.requests.total} of ${REQUESTS} requests answered`);
  return result.requests.total / seconds;
}

function submits(c: Contender, connections: number): Promise<number> {
  let n = 0;
  return load(c, `submit (${connections} clients)`, connections, {
    method: 'POST',
    path: SUBMIT_PATH,
    setupRequest: (req) => {
      const { path, headers } = c.submit(n++);
      return { ...req, path, body: uniqueBody(), headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } };
    },
  });
}

function downloads(c: Contender, connections: number): Promise<number> {
  let n = 0;
  return load(c, `download (${connections} clients)`, connections, {
    method: 'GET',
    path: '/',
    setupRequest: (req) => {
      const { path, headers } = c.download(n++);
      return { ...req, path, headers };
    },
  });
}

// ---- report ----

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const spread = (xs: number[], digits: number) => `${Math.min(...xs).toFixed(digits)} / ${median(xs).toFixed(digits)} / ${Math.max(...xs).toFixed(digits)}`;

const FIGURES: { key: keyof Round; name: string; unit: string; digits: number }[] = [
  { key: 'submit1', name: 'submit, 1 client', unit: '/s', digits: 1 },
  { key: 'submit8', name: 'submit, 8 clients', unit: '/s', digits: 1 },
  { key: 'cpuMs', name: 'server CPU per submit', unit: 'ms', digits: 1 },
  { key: 'download8', name: 'download, 8 clients', unit: '/s', digits: 1 },
];

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n') + '\n';
}

/** Per round, `of` against `to` (CPU: `to` over `of`, so that more is better everywhere). */
function ratios(of: Round[], to: Round[], key: keyof Round): number[] {
  return of.map((r, i) => (key === 'cpuMs' ? to[i]![key] / r[key] : r[key] / to[i]![key]));
}

function report(contenders: Contender[], rounds: Map<Contender, Round[]>, peaks: Map<Contender, number>): void {
  const mb = (bytes: number) => bytes / 1024 / 1024;
  process.stdout.write(`\nFigures, min / median / max over ${ROUNDS} rounds (${REQUESTS} requests each; ${os.cpus().length} CPUs, load average ${os.loadavg()[0]!.toFixed(2)})\n`);
  process.stdout.write(
    table(
      ['figure', ...contenders.map((c) => c.label)],
      [
        ...FIGURES.map((f) => [`${f.name} (${f.unit})`, ...contenders.map((c) => spread(rounds.get(c)!.map((r) => r[f.key]), f.digits))]),
        ['peak RSS over the workload (MB)', ...contenders.map((c) => mb(peaks.get(c)!).toFixed(0))],
      ],
    ),
  );
  const floor = contenders.find((c) => c.kind === 'floor')!;
  const upstream = contenders.find((c) => c.kind === 'upstream');
  for (const base of [floor, upstream]) {
    if (!base) continue;
    const assays = contenders.filter((c) => c.kind === 'assay');
    process.stdout.write(`\nAssay / ${base.label}, per round (CPU: ${base.label}'s ms over Assay's, so above 1 is better everywhere but memory)\n`);
    process.stdout.write(
      table(
        ['figure', ...assays.map((c) => c.label)],
        [
          ...FIGURES.map((f) => [f.name, ...assays.map((c) => spread(ratios(rounds.get(c)!, rounds.get(base)!, f.key), 2))]),
          ['peak RSS over the workload', ...assays.map((c) => (peaks.get(c)! / peaks.get(base)!).toFixed(2))],
        ],
      ),
    );
  }
  // Issue 22's targets: 3x upstream's submits, 25 ms of CPU per submit, 2x its downloads, 1.5x its memory.
  const ref = upstream
    ? { submit1: median(rounds.get(upstream)!.map((r) => r.submit1)), submit8: median(rounds.get(upstream)!.map((r) => r.submit8)), download8: median(rounds.get(upstream)!.map((r) => r.download8)), peakMb: mb(peaks.get(upstream)!) }
    : RECORDED_UPSTREAM;
  process.stdout.write(`\nTargets against upstream's ${upstream ? 'medians measured in this run' : 'figures recorded in issue 22 (upstream not run here)'}: submit ≥ 3×, CPU ≤ 25 ms, download ≥ 2×, peak RSS ≤ 1.5×\n`);
  for (const c of contenders.filter((x) => x.kind === 'assay')) {
    const rs = rounds.get(c)!;
    const checks = [
      ['submit 1', median(rs.map((r) => r.submit1)) >= 3 * ref.submit1, `${median(rs.map((r) => r.submit1)).toFixed(1)}/s vs ${(3 * ref.submit1).toFixed(1)}`],
      ['submit 8', median(rs.map((r) => r.submit8)) >= 3 * ref.submit8, `${median(rs.map((r) => r.submit8)).toFixed(1)}/s vs ${(3 * ref.submit8).toFixed(1)}`],
      ['CPU', median(rs.map((r) => r.cpuMs)) <= 25, `${median(rs.map((r) => r.cpuMs)).toFixed(1)} ms vs 25`],
      ['download 8', median(rs.map((r) => r.download8)) >= 2 * ref.download8, `${median(rs.map((r) => r.download8)).toFixed(1)}/s vs ${(2 * ref.download8).toFixed(1)}`],
      ['peak RSS', mb(peaks.get(c)!) <= 1.5 * ref.peakMb, `${mb(peaks.get(c)!).toFixed(0)} MB vs ${(1.5 * ref.peakMb).toFixed(0)}`],
    ] as const;
    process.stdout.write(`  ${c.label}: ${checks.map(([name, pass, what]) => `${name} ${pass ? 'ok' : 'MISSED'} (${what})`).join('; ')}\n`);
  }
}

// ---- main ----

async function main(): Promise<void> {
  if (BIG !== 'only') {
    if (PROFILE) fs.mkdirSync(PROFILE, { recursive: true });
    const contenders: Contender[] = [];
    try {
      contenders.push(await startFloor());
      for (const engine of ENGINES) {
        if (engine !== 'sqlite' && engine !== 'postgres') throw new BenchError(`unknown engine "${engine}" in BENCH_ENGINES`);
        contenders.push(await startAssay(engine));
      }
      if (UPSTREAM) contenders.push(await startUpstreamContender(UPSTREAM));
      process.stdout.write(`${contenders.map((c) => c.label).join(', ')}: ${STUDENTS} students, ${FILES} files of 100 KiB (${(FORM.length / 1e6).toFixed(1)} MB bodies), ${ROUNDS} rounds of ${REQUESTS} requests per figure\n`);
      for (const c of contenders) resetPeak(c.pid);
      const rounds = new Map(contenders.map((c) => [c, [] as Round[]]));
      for (let r = 0; r < ROUNDS; r++) {
        // Each round starts with a different server, so none always runs on the quietest disk.
        const order = contenders.map((_, i) => contenders[(i + r) % contenders.length]!);
        const round = new Map(contenders.map((c) => [c, {} as Round]));
        for (const c of order) {
          const before = cpuMs(c.pid);
          round.get(c)!.submit1 = await submits(c, 1);
          round.get(c)!.cpuMs = (cpuMs(c.pid) - before) / REQUESTS;
        }
        for (const c of order) {
          const before = cpuMs(c.pid);
          round.get(c)!.submit8 = await submits(c, 8);
          const cpu = round.get(c)!;
          cpu.cpuMs = (cpu.cpuMs * REQUESTS + cpuMs(c.pid) - before) / (2 * REQUESTS);
        }
        for (const c of order) round.get(c)!.download8 = await downloads(c, 8);
        for (const c of contenders) rounds.get(c)!.push(round.get(c)!);
        process.stdout.write(`round ${r + 1}: ${order.map((c) => `${c.label} ${round.get(c)!.submit1.toFixed(1)} / ${round.get(c)!.submit8.toFixed(1)} /s, ${round.get(c)!.cpuMs.toFixed(0)} ms, ${round.get(c)!.download8.toFixed(1)} /s`).join('; ')}\n`);
      }
      const peaks = new Map(contenders.map((c) => [c, status(c.pid, 'VmHWM')]));
      report(contenders, rounds, peaks);
    } finally {
      for (const c of contenders) await c.stop();
    }
  }
  if (BIG !== '0') for (const engine of ENGINES) await measureBigTree(engine);
}

main().catch((err: unknown) => {
  process.stderr.write(`\nbench:ngshare failed: ${err instanceof BenchError ? err.message : ((err as Error).stack ?? String(err))}\n`);
  process.exit(1);
});
