/**
 * What `node --cpu-prof` profiles for bench:hive's slow paths, on SQLite: `load` fills a data
 * directory with the bench's course once (hive-load.ts); `run` serves it in-process and sends
 * the full `GET /assignments/` PROFILE_LIST times (default 10), the dashboard poll by class
 * PROFILE_POLL times (default 2000), then `GET /time/` with the checker's JWT PROFILE_TIME times
 * (default 20000), through `app.inject` (no sockets), as the bench's checker.
 *
 *   node --import tsx bench/hive-profile.ts load <dir>
 *   node --cpu-prof --cpu-prof-dir=<out> --import tsx bench/hive-profile.ts run <dir>
 *   node bench/cpuprofile-top.mjs <out>/*.cpuprofile
 */
import fs from 'node:fs';
import path from 'node:path';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { openRuntime } from '../src/runtime.ts';
import { loadHiveCourse } from './hive-load.ts';

const [mode, dir] = process.argv.slice(2);
if ((mode !== 'load' && mode !== 'run') || !dir) throw new Error('usage: hive-profile.ts load|run <dir>');
const LIST_RUNS = Number(process.env.PROFILE_LIST ?? 10);
const POLL_RUNS = Number(process.env.PROFILE_POLL ?? 2000);
const TIME_RUNS = Number(process.env.PROFILE_TIME ?? 20000);
const runtime = await openRuntime(loadConfig({ ASSAY_DATA_DIR: dir, ASSAY_LOG_LEVEL: 'silent', ASSAY_ACCESS_TOKEN_SECONDS: '3600' }));
try {
  if (mode === 'load') {
    const course = await loadHiveCourse(runtime.services);
    fs.writeFileSync(path.join(dir, 'course.json'), JSON.stringify(course));
  } else {
    const course = JSON.parse(fs.readFileSync(path.join(dir, 'course.json'), 'utf8')) as Awaited<ReturnType<typeof loadHiveCourse>>;
    const app = await buildApp(runtime.services, { logger: false });
    const login = await app.inject({ method: 'POST', url: '/api/core/token/', payload: course.checker });
    const headers = { authorization: `Bearer ${(login.json() as { access: string }).access}` };
    const time = async (url: string, n: number) => {
      const t0 = performance.now();
      for (let i = 0; i < n; i++) {
        const res = await app.inject({ method: 'GET', url, headers });
        if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body.slice(0, 200)}`);
      }
      process.stdout.write(`${url}: ${((performance.now() - t0) / n).toFixed(1)} ms each over ${n}\n`);
    };
    if (LIST_RUNS > 0) await time('/api/core/assignments/', LIST_RUNS);
    if (POLL_RUNS > 0) await time(`/api/core/assignments/latest/?user__classes__id=${course.classIds[3]}&last_staff_updated__gt=${encodeURIComponent(course.since)}`, POLL_RUNS);
    if (TIME_RUNS > 0) await time('/api/core/time/', TIME_RUNS);
    await app.close();
  }
} finally {
  await runtime.close();
}
