/**
 * One Assay server for bench:ngshare, in a process of its own so that its CPU time and peak
 * memory are the server's alone (the bench reads them from /proc), and so that it can run under
 * `node --cpu-prof`:
 *
 *   node --import tsx bench/ngshare-server.ts load sqlite|postgres <dataDir> <schema>
 *   node [--cpu-prof --cpu-prof-dir=…] --import tsx bench/ngshare-server.ts serve sqlite|postgres <dataDir> <schema>
 *
 * `load` fills a fresh database (a SQLite file in <dataDir>, or PostgreSQL schema <schema> of the
 * benches' database) with the bench's course (ngshare-course.ts) and exits; `serve` then serves
 * it, in a process that has done nothing else (hashing 200 passwords, say, would leave its pages
 * behind), prints one JSON line `{base, course}`, and on SIGTERM closes everything, removes the
 * data (directory and schema) and exits (which writes the profile).
 */
import fs from 'node:fs';
import path from 'node:path';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { dropPostgresSchema } from '../src/db/database.ts';
import { openRuntime } from '../src/runtime.ts';
import type { Engine } from './harness.ts';
import { ensureDatabase, PG_URL } from './harness.ts';
import type { Course } from './ngshare-course.ts';
import { loadCourse } from './ngshare-course.ts';

const [mode, engine, dataDir, schema] = process.argv.slice(2) as [string, Engine, string, string];
if ((mode !== 'load' && mode !== 'serve') || (engine !== 'sqlite' && engine !== 'postgres') || !dataDir || !schema) {
  throw new Error('usage: ngshare-server.ts load|serve sqlite|postgres <dataDir> <schema>');
}
const courseFile = path.join(dataDir, 'course.json');
if (mode === 'load' && engine === 'postgres') await ensureDatabase(PG_URL);
const config = loadConfig({
  ASSAY_DATA_DIR: dataDir,
  ASSAY_LOG_LEVEL: 'silent',
  ASSAY_ACCESS_TOKEN_SECONDS: '3600',
  ...(engine === 'postgres' ? { DATABASE_URL: PG_URL, DATABASE_SCHEMA: schema } : {}),
});
const runtime = await openRuntime(config);
const app = await buildApp(runtime.services, { logger: false });
await app.listen({ port: 0, host: '127.0.0.1' });
const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;

if (mode === 'load') {
  const course = await loadCourse({ engine, base, services: runtime.services });
  fs.writeFileSync(courseFile, JSON.stringify(course));
  await app.close();
  await runtime.close();
} else {
  const course = JSON.parse(fs.readFileSync(courseFile, 'utf8')) as Course;
  process.stdout.write(JSON.stringify({ base, course }) + '\n');
  let stopping = false;
  process.on('SIGTERM', () => {
    if (stopping) return;
    stopping = true;
    const close = async () => {
      await app.close();
      await runtime.close();
      if (engine === 'postgres') await dropPostgresSchema(PG_URL, schema).catch(() => undefined);
      fs.rmSync(dataDir, { recursive: true, force: true });
    };
    void close().finally(() => process.exit(0));
  });
}
