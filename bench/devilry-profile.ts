/**
 * What `node --cpu-prof` profiles and the query plans for bench:devilry's searches, on a database
 * loaded once: `load` fills it with bench:devilry's groups (bench/devilry.ts), `run` sends each
 * search (or those whose name contains PROFILE_SEARCH) PROFILE_RUNS times (default 200) through `app.inject` (no sockets) as the bench's
 * examiner and prints the mean, `explain` prints every query each search sends with its plan
 * (EXPLAIN ANALYZE on PostgreSQL, EXPLAIN QUERY PLAN on SQLite). The database is SQLite in <dir>,
 * or PostgreSQL when DATABASE_URL is set (schema DATABASE_SCHEMA, default `devilry_profile`; the
 * benches' own database, never `test`).
 *
 *   DEVILRY_BENCH_GROUPS=100000 node --import tsx bench/devilry-profile.ts load <dir>   (default 100000)
 *   node --cpu-prof --cpu-prof-dir=<out> --import tsx bench/devilry-profile.ts run <dir>
 *   node bench/cpuprofile-top.mjs <out>/*.cpuprofile
 *   node --import tsx bench/devilry-profile.ts explain <dir>
 */
import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { FOLD_FUNCTION, sqliteFold } from '../src/db/case-fold.ts';
import { openRuntime } from '../src/runtime.ts';
import { ensureDatabase } from './harness.ts';
import { GROUPS_URL, load, PASSWORD, searches } from './devilry.ts';

const [mode, dir] = process.argv.slice(2);
if ((mode !== 'load' && mode !== 'run' && mode !== 'explain') || !dir) throw new Error('usage: devilry-profile.ts load|run|explain <dir>');
const RUNS = Number(process.env.PROFILE_RUNS ?? 200);
/** Only the searches whose name contains this (one path per profile). */
const ONLY = process.env.PROFILE_SEARCH ?? '';
const pgUrl = process.env.DATABASE_URL;
const schema = process.env.DATABASE_SCHEMA ?? 'devilry_profile';
if (pgUrl) await ensureDatabase(pgUrl);

/** Every statement the server sends while `record` is on, with its parameters. */
const sent: { text: string; values: unknown[] }[] = [];
let record = false;
if (mode === 'explain') {
  if (pgUrl) {
    const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      if (record && typeof args[0] === 'string') sent.push({ text: args[0], values: (args[1] as unknown[] | undefined) ?? [] });
      return query.apply(this, args);
    } as typeof pg.Client.prototype.query;
  } else {
    const probe = new BetterSqlite3(':memory:');
    const statement = Object.getPrototypeOf(probe.prepare('SELECT 1')) as { all: (...args: unknown[]) => unknown };
    probe.close();
    const all = statement.all;
    statement.all = function (this: { source: string }, ...args: unknown[]) {
      if (record) sent.push({ text: this.source, values: args });
      return all.apply(this, args);
    };
  }
}

fs.mkdirSync(dir, { recursive: true });
const runtime = await openRuntime(
  loadConfig({ ASSAY_DATA_DIR: dir, ASSAY_LOG_LEVEL: 'silent', ...(pgUrl ? { DATABASE_URL: pgUrl, DATABASE_SCHEMA: schema } : {}) }),
);
const engine = pgUrl ? 'postgres' : 'sqlite';
try {
  if (mode === 'load') {
    const loaded = await load({ engine, services: runtime.services }, Number(process.env.DEVILRY_BENCH_GROUPS ?? 100_000));
    fs.writeFileSync(path.join(dir, `loaded-${engine}.json`), JSON.stringify(loaded));
  } else {
    const loaded = JSON.parse(fs.readFileSync(path.join(dir, `loaded-${engine}.json`), 'utf8')) as Awaited<ReturnType<typeof load>>;
    const app = await buildApp(runtime.services, { logger: false });
    const login = await app.inject({ method: 'POST', url: '/authenticate/login', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ username: loaded.examiner, password: PASSWORD }).toString() });
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    const plan = pgUrl ? new pg.Client({ connectionString: pgUrl, options: `-c search_path=${schema} -c timezone=UTC` }) : null;
    const raw = pgUrl ? null : new BetterSqlite3(path.join(dir, 'assay.db'), { readonly: true });
    raw?.function(FOLD_FUNCTION, { deterministic: true }, sqliteFold);
    await plan?.connect();
    for (const s of searches(loaded.sampleGroup, loaded.groups).filter((x) => x.name.includes(ONLY))) {
      const url = s.read !== undefined ? `${GROUPS_URL}${s.read}` : `${GROUPS_URL}?getdata_in_qrystring=1&${new URLSearchParams(Object.entries(s.params).map(([k, v]) => [k, typeof v === 'string' || typeof v === 'number' ? String(v) : JSON.stringify(v)])).toString()}`;
      const send = async () => {
        const res = await app.inject({ method: 'GET', url, headers: { cookie } });
        if (res.statusCode !== 200) throw new Error(`${s.name}: ${res.statusCode} ${res.body.slice(0, 200)}`);
      };
      if (mode === 'run') {
        for (let i = 0; i < 5; i++) await send();
        const t0 = performance.now();
        for (let i = 0; i < RUNS; i++) await send();
        process.stdout.write(`${s.name.padEnd(40)} ${((performance.now() - t0) / RUNS).toFixed(2)} ms each over ${RUNS}\n`);
        continue;
      }
      await send();
      sent.length = 0;
      record = true;
      await send();
      record = false;
      process.stdout.write(`\n=== ${s.name}\n`);
      for (const q of sent.filter((q) => /^\s*select/i.test(q.text) && !/cookie_sessions|api_tokens|"users"/i.test(q.text))) {
        process.stdout.write(`--- ${q.text.replace(/\s+/g, ' ')}\n    ${JSON.stringify(q.values)}\n`);
        if (plan) {
          const res = await plan.query(`EXPLAIN (ANALYZE, COSTS OFF) ${q.text}`, q.values);
          for (const r of res.rows as { 'QUERY PLAN': string }[]) process.stdout.write(`    ${r['QUERY PLAN']}\n`);
        } else {
          for (const r of raw!.prepare(`EXPLAIN QUERY PLAN ${q.text}`).all(...(q.values as never[])) as { detail: string }[]) process.stdout.write(`    ${r.detail}\n`);
        }
      }
    }
    await plan?.end();
    raw?.close();
    await app.close();
  }
} finally {
  await runtime.close();
}
