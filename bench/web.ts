/**
 * Web app benchmark (`npm run bench:web`): the built app in Debian's Chromium (playwright-core)
 * against the real server on SQLite with the example course.
 *
 * - Initial JavaScript: the scripts the sign-in page loads, gzipped (budget 250 KB); also what
 *   each page adds (its lazily loaded chunks).
 * - API requests before a page shows: on a full load of the page's address, the requests to /api/
 *   (fetch and EventSource, timed in the page) started before the page marked the commit that
 *   shows its content (budget 2 per page). The app shell's one GET /session/ per visit is counted
 *   apart ("+ session").
 *
 * - Gradebook (bench/web-gradebook.ts): 500 students × 40 exercises, the API route and its CSV
 *   export in under a second of server time each.
 *
 * Exits 1 when a figure is over its budget.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Page } from 'playwright-core';
import { login } from '../test/helpers/fixtures.ts';
import { client } from '../test/helpers/http.ts';
import { launchChromium, WEB_DIST } from '../test/web/browser.ts';
import { EXAMPLE, startScene } from '../test/web/scene.ts';
import { engineUnderTest } from '../test/helpers/harness.ts';
import { gradebookBench } from './web-gradebook.ts';

const JS_BUDGET = 250 * 1024;
const REQUEST_BUDGET = 2;

const gzipped = (urlPath: string) => zlib.gzipSync(fs.readFileSync(path.join(WEB_DIST, urlPath))).length;
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

/**
 * Installed in every page before its scripts: notes when each fetch() and EventSource starts, on
 * the page's own clock. The page marks the commit that shows its content (`assay:page-shown`,
 * web/src/components/page-shown.tsx): a request started before that mark is one it needed to show.
 */
function instrument(): void {
  const w = window as unknown as { __requests: { t: number; what: string }[]; fetch: typeof fetch; EventSource: typeof EventSource };
  w.__requests = [];
  const originalFetch = w.fetch;
  w.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : null;
    const url = request ? request.url : String(input);
    w.__requests.push({ t: performance.now(), what: `${init?.method ?? request?.method ?? 'GET'} ${new URL(url, location.href).pathname}${new URL(url, location.href).search}` });
    return originalFetch(input, init);
  };
  const OriginalEventSource = w.EventSource;
  w.EventSource = class extends OriginalEventSource {
    constructor(url: string | URL, options?: EventSourceInit) {
      super(url, options);
      w.__requests.push({ t: performance.now(), what: `GET ${new URL(String(url), location.href).pathname}${new URL(String(url), location.href).search} (events)` });
    }
  };
}

/** One full load of `url`: the API requests started before it showed, and the scripts it loaded. */
async function measurePage(page: Page, url: string): Promise<{ api: string[]; scripts: string[] }> {
  const scripts: string[] = [];
  const onRequest = (request: { url(): string; resourceType(): string }) => {
    if (request.resourceType() === 'script') scripts.push(new URL(request.url()).pathname);
  };
  page.on('request', onRequest);
  await page.goto(url);
  await page.waitForFunction(() => performance.getEntriesByName('assay:page-shown').length > 0);
  await page.waitForLoadState('networkidle');
  page.off('request', onRequest);
  const api = await page.evaluate(() => {
    const shown = performance.getEntriesByName('assay:page-shown')[0]!.startTime;
    const w = window as unknown as { __requests: { t: number; what: string }[] };
    return w.__requests.filter((r) => r.t < shown && r.what.includes('/api/')).map((r) => r.what);
  });
  return { api, scripts };
}

const scene = await startScene();
const browser = await launchChromium();
try {
  // Something to show on every page: two submissions, a help thread, an assignment in the inbox.
  const exercise = scene.exercises.greet!;
  const studentApi = client(scene.server.app, await login(scene.server, scene.student.username));
  let submission = 0;
  for (const file of ['handout', 'solution']) {
    const form = new FormData();
    form.append('file', new Blob([fs.readFileSync(path.join(EXAMPLE, 'greet', file, 'solution.py'))]), 'solution.py');
    const answer = await studentApi.post(`/api/assay/v1/exercises/${exercise}/submissions/`, { multipart: form });
    if (answer.status !== 201) throw new Error(`submitting: ${answer.status} ${answer.text}`);
    submission = answer.body.id as number;
  }
  const thread = await studentApi.post(`/api/assay/v1/exercises/${exercise}/help/`, { json: { title: 'Stuck on fizzbuzz', text: 'What should fizzbuzz(0) return?' } });
  const checkerApi = client(scene.server.app, await login(scene.server, scene.checkers[0].username));
  const inbox = await checkerApi.get('/api/assay/v1/inbox/?kind=assignment');
  const assignment = (inbox.body?.items?.[0]?.id as number | undefined) ?? 0;

  const rows: { page: string; api: string[]; js: number }[] = [];
  const signedOut = await browser.newPage({ baseURL: scene.base });
  await signedOut.addInitScript(instrument);
  const first = await measurePage(signedOut, '/');
  const initial = first.scripts.reduce((sum, s) => sum + gzipped(s), 0);
  rows.push({ page: 'sign-in', api: first.api, js: initial });

  const signIn = async (username: string) => {
    const page = await browser.newPage({ baseURL: scene.base });
    await page.addInitScript(instrument);
    await page.goto('/');
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(scene.student.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Your courses' }).waitFor();
    return page;
  };
  const asStudent = await signIn(scene.student.username);
  const studentPages: [string, string][] = [
    ['home', '/'],
    ['course', `/c/${scene.courseId}`],
    ['exercise', `/e/${exercise}`],
    ['submission', `/s/${submission}`],
    ['help thread', `/help/${thread.body?.id ?? 0}`],
  ];
  for (const [name, url] of studentPages) {
    const m = await measurePage(asStudent, url);
    rows.push({ page: name, api: m.api, js: m.scripts.reduce((sum, s) => sum + gzipped(s), 0) });
  }
  const asChecker = await signIn(scene.checkers[0].username);
  for (const [name, url] of [['inbox', '/inbox'], ['check', `/check/${assignment}`]] as const) {
    const m = await measurePage(asChecker, url);
    rows.push({ page: name, api: m.api, js: m.scripts.reduce((sum, s) => sum + gzipped(s), 0) });
  }

  let over = false;
  process.stdout.write(`\ninitial JavaScript (sign-in page, gzipped): ${kb(initial)} of at most ${kb(JS_BUDGET)}${initial > JS_BUDGET ? '  OVER' : ''}\n\n`);
  over ||= initial > JS_BUDGET;
  process.stdout.write(`${'page'.padEnd(12)} ${'API requests before it shows'.padEnd(30)} ${'JS loaded (gzip)'.padEnd(17)} requests\n`);
  for (const row of rows) {
    const own = row.api.filter((r) => !r.startsWith('GET /api/assay/v1/session/'));
    const session = row.api.length - own.length;
    over ||= own.length > REQUEST_BUDGET;
    const count = `${own.length}${session ? ` + session` : ''}${own.length > REQUEST_BUDGET ? '  OVER' : ''}`;
    process.stdout.write(`${row.page.padEnd(12)} ${count.padEnd(30)} ${kb(row.js).padEnd(17)} ${own.join(', ')}\n`);
  }
  over = (await gradebookBench(scene, engineUnderTest)) || over;
  process.exitCode = over ? 1 : 0;
} finally {
  await browser.close();
  await scene.close();
}
