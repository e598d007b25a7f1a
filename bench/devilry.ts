/**
 * Devilry examiner search benchmark: `npm run bench:devilry`. The real server on SQLite and on
 * PostgreSQL, loaded (bulk inserts, not HTTP) with each of SIZES assignment groups in turn — candidates,
 * examiners, tags, deadlines, deliveries and feedback, the derived columns filled as the
 * examination services maintain them — then ten representative searches of one examiner, each
 * sent REPS times in sequence: p50 and p95 latency, and both as a ratio of a trivial baseline (a
 * primary-key read of one group through the same API) measured in the same run.
 *
 * The examiner measured examines every group of EXAMINED_ASSIGNMENTS assignments (of
 * ASSIGNMENTS), so each search ranges over groups × EXAMINED_ASSIGNMENTS / ASSIGNMENTS of them.
 * Requests carry their parameters as a JSON body on GET, as devilryrestfullib sends them (one
 * search uses the query string). Each search is also timed on the core in-process (SQL and item
 * assembly without HTTP), which tells the query's own cost apart from a busy machine's noise.
 * Last, per engine and search: the HTTP p95 at the largest size against the budget (20 ms, issue
 * 22; the bench exits 1 when one is over), and how the HTTP p95 and the core's p50 grew from the
 * smallest size to the largest.
 *
 * Environment: BENCH_ENGINES (default `sqlite,postgres`), BENCH_PG_URL, DEVILRY_BENCH_GROUPS
 * (sizes, default `10000,100000`), DEVILRY_BENCH_REPS (default 60), DEVILRY_BENCH_EXAMINED (default 1: the examiner has
 * 2,000 groups, a heavy load for one Devilry examiner; 5 gives 10,000).
 */
import http from 'node:http';
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { sql } from 'kysely';
import type { Engine, Server } from './harness.ts';
import { BenchError, startServer } from './harness.ts';
import type { Db } from '../src/db/database.ts';
import type { Actor } from '../src/core/actor.ts';

const ENGINES = (process.env.BENCH_ENGINES ?? 'sqlite,postgres').split(',').map((e) => e.trim()) as Engine[];
/** The sizes loaded and measured, each on a fresh database; the growth is the largest against the smallest. */
const SIZES = (process.env.DEVILRY_BENCH_GROUPS ?? '10000,100000').split(',').map((n) => Number(n.trim()));
/** Every search's HTTP p95 at the largest size must stay under this (issue 22). */
const BUDGET_MS = 20;
const REPS = Number(process.env.DEVILRY_BENCH_REPS ?? 60);
const ASSIGNMENTS = 50;
const EXAMINED_ASSIGNMENTS = Number(process.env.DEVILRY_BENCH_EXAMINED ?? 1);
const EXAMINERS = 40;
const CHUNK = 500;
export const PASSWORD = 'bench-password-devilry';
const NOW = '2024-06-01T00:00:00.000000Z';

const ts = (day: number, seconds = 0) => new Date(Date.UTC(2024, 0, 1) + day * 86_400_000 + seconds * 1000).toISOString().slice(0, 19) + '.000000Z';

/** Inserts rows in chunks, returning the generated ids in order. */
async function insertMany(db: Db, table: string, rows: Record<string, unknown>[], returnIds: boolean): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < rows.length; i += CHUNK) {
    const q = db.insertInto(table as never).values(rows.slice(i, i + CHUNK) as never);
    if (returnIds) ids.push(...(await q.returning('id' as never).execute()).map((r) => (r as { id: number }).id));
    else await q.execute();
  }
  return ids;
}

interface Loaded {
  examiner: string;
  sampleGroup: number;
  groups: number;
}

/** A deterministic pseudo-random sequence, so both engines load the same data. */
function rng(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
}

async function load(server: Pick<Server, 'engine' | 'services'>, groups: number): Promise<Loaded> {
  const STUDENTS = Math.max(100, Math.floor(groups / 3));
  const { db } = server.services;
  const random = rng(42);
  const examiner = await server.services.users.createTrusted({ username: 'bench_examiner', password: PASSWORD, clearance: 2 });
  const words = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo', 'lima'];
  const people = await insertMany(
    db,
    'users',
    Array.from({ length: STUDENTS + EXAMINERS }, (_, i) => ({
      username: i < STUDENTS ? `student${i}` : `examiner${i - STUDENTS}`,
      first_name: words[i % words.length]!,
      last_name: `${words[(i * 7) % words.length]!}son${i}`,
      email: `user${i}@uni.example`,
      status_date: NOW,
      created_at: NOW,
    })),
    true,
  );
  const students = people.slice(0, STUDENTS);
  const examiners = [examiner.id, ...people.slice(STUDENTS)];
  const [nodeId] = await insertMany(db, 'devilry_nodes', [{ short_name: 'uni', long_name: 'University' }], true);
  const subjects = await insertMany(db, 'devilry_subjects', Array.from({ length: 5 }, (_, i) => ({ node_id: nodeId, short_name: `inf${1000 + i}`, long_name: `Informatics ${i}` })), true);
  const courses = await insertMany(
    db,
    'courses',
    Array.from({ length: 10 }, (_, i) => ({ slug: `term${i}`, name: `Term ${i}`, start_at: ts(0), end_at: ts(180), created_at: NOW })),
    true,
  );
  await insertMany(db, 'devilry_periods', courses.map((c, i) => ({ course_id: c, subject_id: subjects[i % subjects.length], short_name: `term${i}` })), false);
  const exercises = await insertMany(
    db,
    'exercises',
    Array.from({ length: ASSIGNMENTS }, (_, i) => ({ course_id: courses[i % courses.length], slug: `oblig${i}`, name: `Obligatory ${i}`, start_at: ts(1), created_at: NOW, updated_at: NOW })),
    true,
  );
  await insertMany(db, 'devilry_assignments', exercises.map((e, i) => ({ exercise_id: e, publishing_time: ts(1), anonymous: i % 10 === 9 })), false);

  let sampleGroup = 0;
  const perAssignment = Math.ceil(groups / ASSIGNMENTS);
  for (let a = 0; a < ASSIGNMENTS; a++) {
    const count = Math.min(perAssignment, groups - a * perAssignment);
    if (count <= 0) break;
    const exerciseId = exercises[a]!;
    const groupIds = await insertMany(db, 'assignments', Array.from({ length: count }, () => ({ exercise_id: exerciseId, last_staff_updated: NOW, created_at: NOW, updated_at: NOW })), true);
    if (a === 0) sampleGroup = groupIds[0]!;
    const members: Record<string, unknown>[] = [];
    const tags: Record<string, unknown>[] = [];
    const deadlines: { row: Record<string, unknown>; group: number }[] = [];
    for (const [k, g] of groupIds.entries()) {
      const size = 1 + Math.floor(random() * 2);
      for (let c = 0; c < size; c++) members.push({ assignment_id: g, user_id: students[(a * perAssignment + k + c * 7919) % STUDENTS], role: 'candidate' });
      const ex = a < EXAMINED_ASSIGNMENTS ? examiner.id : examiners[1 + ((a + k) % EXAMINERS)]!;
      members.push({ assignment_id: g, user_id: ex, role: 'examiner' });
      if (random() < 0.3) tags.push({ assignment_id: g, tag: words[k % words.length] });
      const nDeadlines = random() < 0.1 ? 0 : 1 + Math.floor(random() * 2);
      for (let d = 0; d < nDeadlines; d++) deadlines.push({ row: { assignment_id: g, deadline: ts(20 + d * 14 + (k % 30), k % 3600), text: null, created_at: NOW }, group: g });
    }
    await insertMany(db, 'assignment_members', members, false);
    await insertMany(db, 'devilry_group_tags', tags, false);
    const deadlineIds = await insertMany(db, 'devilry_deadlines', deadlines.map((d) => d.row), true);
    // Deliveries (0–2 per deadline) and feedback on most latest deliveries.
    const latest = new Map<number, { deadlineId: number; deadline: string; deliveryId: number | null; deliveries: number; feedbackId: number | null }>();
    const subs: { row: Record<string, unknown>; group: number; deadlineId: number; number: number }[] = [];
    const numbers = new Map<number, number>();
    for (const [i, d] of deadlines.entries()) {
      const prev = latest.get(d.group);
      const deadline = d.row.deadline as string;
      if (!prev || deadline >= prev.deadline) latest.set(d.group, { deadlineId: deadlineIds[i]!, deadline, deliveryId: prev?.deliveryId ?? null, deliveries: prev?.deliveries ?? 0, feedbackId: null });
      const n = Math.floor(random() * 3);
      for (let j = 0; j < n; j++) {
        const number = (numbers.get(d.group) ?? 0) + 1;
        numbers.set(d.group, number);
        subs.push({ row: { assignment_id: d.group, number, created_at: ts(15 + j, i % 86_400) }, group: d.group, deadlineId: deadlineIds[i]!, number });
      }
    }
    const subIds = await insertMany(db, 'submissions', subs.map((s) => s.row), true);
    await insertMany(db, 'devilry_deliveries', subs.map((s, i) => ({ submission_id: subIds[i], deadline_id: s.deadlineId, number: s.number, delivery_type: 0 })), false);
    const lastSub = new Map<number, number>();
    for (const [i, s] of subs.entries()) {
      lastSub.set(s.group, subIds[i]!);
      const l = latest.get(s.group)!;
      l.deliveries++;
      l.deliveryId = subIds[i]!;
    }
    const feedbackRows = [...lastSub.entries()]
      .filter(() => random() < 0.75)
      .map(([group, sub]) => {
        const points = Math.floor(random() * 101);
        return { group, row: { submission_id: sub, author_id: examiner.id, grade_text: points >= 40 ? 'approved' : 'failed', points, passing: points >= 40, text: `<p>${points} points</p>`, created_at: NOW } };
      });
    const feedbackIds = await insertMany(db, 'feedback', feedbackRows.map((f) => f.row), true);
    for (const [i, f] of feedbackRows.entries()) latest.get(f.group)!.feedbackId = feedbackIds[i]!;
    await insertMany(
      db,
      'devilry_groups',
      groupIds.map((g, k) => {
        const l = latest.get(g);
        return {
          assignment_id: g,
          exercise_id: exerciseId,
          name: `${words[k % words.length]} ${k}`,
          is_open: k % 4 !== 0,
          feedback_id: l?.feedbackId ?? null,
          latest_delivery_id: l?.deliveryId ?? null,
          latest_deadline_id: l?.deadlineId ?? null,
          latest_deadline_deadline: l?.deadline ?? null,
          number_of_deliveries: l?.deliveries ?? 0,
        };
      }),
      false,
    );
  }
  const tables = ['users', 'courses', 'exercises', 'assignments', 'assignment_members', 'submissions', 'feedback'].concat(
    ['nodes', 'subjects', 'periods', 'assignments', 'groups', 'group_tags', 'deadlines', 'deliveries'].map((t) => `devilry_${t}`),
  );
  // As autovacuum would after a bulk load: statistics for the planner, visibility maps for index-only scans.
  if (server.engine === 'postgres') await sql`VACUUM ANALYZE ${sql.join(tables.map((t) => sql.table(t)))}`.execute(db);
  else await sql`ANALYZE`.execute(db);
  return { examiner: 'bench_examiner', sampleGroup, groups };
}

export const GROUPS_URL = '/examiner/restfulsimplifiedassignmentgroup/';

export interface Search {
  name: string;
  /** A read of one group (the baseline), or a search with these parameters. */
  read?: number;
  params: Record<string, unknown>;
  /** Send the parameters in the query string (`getdata_in_qrystring`) instead of as a JSON body. */
  queryString?: boolean;
}

export function searches(sampleGroup: number, groups: number): Search[] {
  const deep = Math.floor((groups * EXAMINED_ASSIGNMENTS) / ASSIGNMENTS) - 60;
  return [
    { name: 'baseline: read one group by id', read: sampleGroup, params: {} },
    { name: 'default search (first page)', params: {} },
    { name: 'query: one word (candidate/name)', params: { query: 'student123' } },
    { name: 'query: two words + users fieldgroup', params: { query: 'alpha obligatory', result_fieldgroups: ['users'] } },
    { name: 'filter feedback__points >= 90', params: { filters: [{ field: 'feedback__points', comp: '>=', value: 90 }], result_fieldgroups: ['feedback'] } },
    { name: 'orderby -latest_deadline_deadline', params: { orderby: ['-latest_deadline_deadline'] } },
    { name: 'filter is_open + order -deadline', params: { filters: [{ field: 'is_open', comp: 'exact', value: true }], orderby: ['-latest_deadline_deadline'] } },
    { name: 'deep paging start=N-60', params: { start: deep, limit: 50, orderby: ['-latest_deadline_deadline'] } },
    { name: 'filter assignment + passing', params: { filters: [{ field: 'parentnode__short_name', comp: 'exact', value: 'oblig0' }, { field: 'feedback__is_passing_grade', comp: 'exact', value: false }] } },
    { name: 'candidates__identifier icontains', params: { filters: [{ field: 'candidates__identifier', comp: 'icontains', value: 'student42' }], result_fieldgroups: ['candidates'] } },
    { name: 'query string: orderby + fieldgroups', params: { orderby: ['-number_of_deliveries'], result_fieldgroups: ['feedback', 'assignment', 'period'], limit: 25 }, queryString: true },
  ];
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

/** A GET with a JSON body, as devilryrestfullib sends it (fetch refuses bodies on GET). */
function getWithBody(base: string, path: string, cookie: string, body: string | null): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { cookie, accept: 'application/json' };
    if (body !== null) Object.assign(headers, { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)) });
    const req = http.request(base + path, { method: 'GET', agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body ?? undefined);
  });
}

function encode(params: Record<string, unknown>): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}=${encodeURIComponent(typeof v === 'string' || typeof v === 'number' ? String(v) : JSON.stringify(v))}`)
    .join('&');
}

async function timed(run: () => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  for (let i = 0; i < 3; i++) await run();
  const times: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95) };
}

interface Timing {
  total: number;
  http: { p50: number; p95: number };
  core: { p50: number; p95: number };
}

/** Over HTTP (the real server, the examiner's cookie), and the same call on the core in-process (SQL and assembly only). */
async function timeSearch(server: Server, cookie: string, actor: Actor, s: Search): Promise<Timing> {
  const path = s.read !== undefined ? `${GROUPS_URL}${s.read}` : s.queryString ? `${GROUPS_URL}?getdata_in_qrystring=1&${encode(s.params)}` : GROUPS_URL;
  const body = s.read !== undefined || s.queryString ? null : JSON.stringify(s.params);
  let total = 1;
  const send = async () => {
    const res = await getWithBody(server.base, path, cookie, body);
    if (res.status !== 200) throw new BenchError(`${s.name}: ${res.status} ${res.text.slice(0, 300)}`);
    total = (JSON.parse(res.text) as { total?: number }).total ?? 1;
  };
  const groups = server.services.examination.groups;
  const core = () => (s.read !== undefined ? groups.read(actor, 'examiner', s.read) : groups.search(actor, 'examiner', s.params));
  return { http: await timed(send), core: await timed(core), total };
}

const ms = (n: number) => n.toFixed(1).padStart(6);

async function runSize(engine: Engine, groups: number): Promise<Timing[]> {
  const server = await startServer(engine);
  try {
    const t0 = performance.now();
    const loaded = await load(server, groups);
    process.stdout.write(`${engine}: loaded ${groups} groups in ${((performance.now() - t0) / 1000).toFixed(1)} s (load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} CPUs)\n`);
    const login = await fetch(`${server.base}/authenticate/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: loaded.examiner, password: PASSWORD }).toString(),
      redirect: 'manual',
    });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    if (login.status !== 302 || !cookie) throw new BenchError(`login answered ${login.status}`);
    const actor = (await server.services.examination.sessions.actorOf(cookie.slice(cookie.indexOf('=') + 1)))!;
    process.stdout.write(`${''.padEnd(8)} ${'search'.padEnd(38)} ${'total'.padStart(6)}  HTTP p50    p95  (×baseline p50)   core p50    p95\n`);
    const timings: Timing[] = [];
    for (const s of searches(loaded.sampleGroup, groups)) {
      const r = await timeSearch(server, cookie, actor, s);
      const baseline = timings[0]?.http.p50 ?? r.http.p50;
      process.stdout.write(
        `${engine.padEnd(8)} ${s.name.padEnd(38)} ${String(r.total).padStart(6)}  ${ms(r.http.p50)} ${ms(r.http.p95)}  (×${(r.http.p50 / baseline).toFixed(1)})       ${ms(r.core.p50)} ${ms(r.core.p95)}\n`,
      );
      timings.push(r);
    }
    return timings;
  } finally {
    await server.close();
  }
}

/** Per search: the HTTP p95 at the largest size against the budget, and how p95 and the core's p50 grew from the smallest size. */
function summary(engine: Engine, bySize: Timing[][]): boolean {
  const small = bySize[0]!;
  const large = bySize[bySize.length - 1]!;
  const [from, to] = [SIZES[0]!, SIZES[SIZES.length - 1]!];
  process.stdout.write(`\n${engine}: p95 at ${to} groups (budget ${BUDGET_MS} ms), and growth from ${from} to ${to} groups\n`);
  process.stdout.write(`${''.padEnd(8)} ${'search'.padEnd(38)}  HTTP p95  ×growth   core p50  ×growth\n`);
  let within = true;
  for (const [i, s] of searches(0, to).entries()) {
    const [a, b] = [small[i]!, large[i]!];
    const over = b.http.p95 >= BUDGET_MS;
    within &&= !over;
    process.stdout.write(
      `${engine.padEnd(8)} ${s.name.padEnd(38)}  ${ms(b.http.p95)}  ×${(b.http.p95 / a.http.p95).toFixed(1).padEnd(5)}  ${ms(b.core.p50)}  ×${(b.core.p50 / a.core.p50).toFixed(1).padEnd(5)}${over ? '  over budget' : ''}\n`,
    );
  }
  return within;
}

async function main() {
  const sizes = SIZES.map((g) => `${g} groups (examiner over ${(g * EXAMINED_ASSIGNMENTS) / ASSIGNMENTS})`).join(', ');
  process.stdout.write(`bench:devilry: ${sizes}, ${REPS} sequential requests per search\n`);
  let within = true;
  for (const engine of ENGINES) {
    const bySize: Timing[][] = [];
    for (const groups of SIZES) bySize.push(await runSize(engine, groups));
    within = summary(engine, bySize) && within;
  }
  agent.destroy();
  if (!within) process.exitCode = 1;
}
export { load };

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main().catch((err: unknown) => {
  process.stderr.write(`\nbench:devilry failed: ${err instanceof BenchError ? err.message : ((err as Error).stack ?? String(err))}\n`);
  process.exit(1);
});
