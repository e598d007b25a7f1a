/**
 * Upstream ngshare (0.6.0, Tornado on SQLite) beside Assay in bench:ngshare, run as its own tests
 * run it: vngshare mode (its MockAuth: the caller is named by a `user` argument, no JupyterHub),
 * debug on, one SQLite file and one storage folder of its own. Nothing of upstream's code is in
 * this repository: point NGSHARE_UPSTREAM at a checkout of it.
 *
 * Preparing a checkout (once per machine):
 *   apt-get install -y python3-tornado python3-sqlalchemy python3-alembic jupyterhub
 *   put upstream's tree (setup.py, ngshare/ngshare.py, ngshare/database/, ngshare/alembic/, …)
 *   in a folder outside this repository, e.g. /tmp/ngshare-upstream, and set
 *   NGSHARE_UPSTREAM=/tmp/ngshare-upstream.
 * It runs with Debian's /usr/bin/python3 (not a python3 of pyenv's that may come first on PATH).
 *
 * How a request names its user there: `user` in the query (GET) or in the form body (POST). When
 * both carry one, Tornado takes the body's, so a hand-in body built by formBody(tree, name) hands
 * in as `name`; to rotate students over one body, leave `user` out of the body and put it in the
 * path (`withUser`).
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BenchError } from './harness.ts';
import type { BenchFile } from './ngshare-form.ts';
import { formBody } from './ngshare-form.ts';
import { freePort } from '../test/helpers/ports.ts';

export interface UpstreamOptions {
  /** The Python that has Debian's tornado, sqlalchemy, alembic and jupyterhub (default /usr/bin/python3). */
  python?: string;
  /** Tornado's debug mode, as upstream's tests and vngshare run it (default true). */
  debug?: boolean;
  course?: string;
  assignment?: string;
  admin?: string;
  instructor?: string;
  /** The students enrolled (default bench_s000 … bench_s199, as bench:ngshare names them). */
  students?: string[];
  /** The tree released as `assignment` (default 20 files of 100 KiB of random bytes). */
  release?: BenchFile[];
  /** Keep the SQLite file, storage and log after stop() (default false). */
  keep?: boolean;
}

export interface Upstream {
  /** Base URL (the API is under /api/). */
  url: string;
  /** The Python process serving, for its CPU time (/proc/<pid>/stat) and peak RSS (VmHWM). */
  pid: number;
  course: { id: string; assignment: string; admin: string; instructor: string; students: string[] };
  /** Where its SQLite file, storage folder and log are. */
  workDir: string;
  stop(): Promise<void>;
}

const STUDENTS = Array.from({ length: 200 }, (_, i) => `bench_s${String(i).padStart(3, '0')}`);
const RELEASE: BenchFile[] = Array.from({ length: 20 }, (_, i) => ({ path: `ps1/problem-${i + 1}.ipynb`, content: crypto.randomBytes(100 * 1024) }));
const READY_MS = 30_000;
const ENROL_BATCH = 20;

/** `path` with `user` naming the caller, as upstream's MockAuth reads it. */
export function withUser(urlPath: string, user: string): string {
  return `${urlPath}${urlPath.includes('?') ? '&' : '?'}user=${encodeURIComponent(user)}`;
}

const logTail = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').slice(-2000) : '');

/** Polls /healthz until it answers 200; fails as soon as the process has exited. */
async function waitReady(child: ChildProcess, url: string, log: string): Promise<void> {
  const deadline = Date.now() + READY_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new BenchError(`upstream ngshare exited (${child.exitCode ?? child.signalCode}) before serving:\n${logTail(log)}`);
    const res = await fetch(`${url}/healthz`).catch(() => null);
    if (res?.status === 200) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new BenchError(`upstream ngshare did not answer ${url}/healthz within ${READY_MS / 1000} s:\n${logTail(log)}`);
}

/** One setup request; upstream answers `{"success": true, …}` when it did it. */
async function ok(url: string, urlPath: string, body: string | Buffer): Promise<void> {
  const res = await fetch(url + urlPath, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
  const text = await res.text();
  if (res.status !== 200 || !/^\{"success": true/.test(text)) throw new BenchError(`upstream POST ${urlPath} answered ${res.status}: ${text.slice(0, 300)}`);
}

function stopProcess(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/**
 * Starts upstream from the checkout `dir` on a free port with a fresh SQLite file, waits until it
 * answers, and loads the course through its API: the admin makes the course with its instructor,
 * the instructor enrolls the students and releases the assignment.
 */
export async function startUpstream(dir: string, options: UpstreamOptions = {}): Promise<Upstream> {
  const python = options.python ?? '/usr/bin/python3';
  const course = {
    id: options.course ?? 'bench',
    assignment: options.assignment ?? 'ps1',
    admin: options.admin ?? 'bench_admin',
    instructor: options.instructor ?? 'bench_inst',
    students: options.students ?? STUDENTS,
  };
  const serverDir = path.join(path.resolve(dir), 'ngshare');
  if (!fs.existsSync(path.join(serverDir, 'ngshare.py'))) throw new BenchError(`${dir} is not a checkout of upstream ngshare (no ngshare/ngshare.py)`);
  if (!fs.existsSync(python)) throw new BenchError(`${python} is not there: apt-get install python3-tornado python3-sqlalchemy python3-alembic jupyterhub`);

  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ngshare-upstream-'));
  const log = path.join(workDir, 'ngshare.log');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const out = fs.openSync(log, 'a');
  // As vngshare.py starts it (python3 ngshare.py --vngshare … --debug, in ngshare/), with our paths.
  const args = ['ngshare.py', '--vngshare', '--database', `sqlite:///${path.join(workDir, 'ngshare.db')}`, '--storage', path.join(workDir, 'files'), '--admins', course.admin, '--host', '127.0.0.1', '--port', String(port)];
  if (options.debug ?? true) args.push('--debug');
  const child = spawn(python, args, { cwd: serverDir, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  // A bench that dies without stop() leaves no Python server behind.
  const killOnExit = () => child.kill('SIGTERM');
  process.once('exit', killOnExit);
  const stop = async () => {
    process.off('exit', killOnExit);
    await stopProcess(child);
    if (!options.keep) fs.rmSync(workDir, { recursive: true, force: true });
  };
  try {
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    await waitReady(child, url, log);
    await ok(url, withUser(`/api/course/${course.id}`, course.admin), new URLSearchParams({ instructors: JSON.stringify([course.instructor]) }).toString());
    // Upstream commits once per student and then reloads the course's students: 200 in one
    // request take ~30 s here, in batches about half that.
    for (let at = 0; at < course.students.length; at += ENROL_BATCH) {
      const rows = course.students.slice(at, at + ENROL_BATCH).map((name) => ({ username: name, first_name: 'S', last_name: name, email: '' }));
      await ok(url, withUser(`/api/students/${course.id}`, course.instructor), new URLSearchParams({ students: JSON.stringify(rows) }).toString());
    }
    await ok(url, `/api/assignment/${course.id}/${course.assignment}`, Buffer.concat(formBody(options.release ?? RELEASE, course.instructor).pieces));
    return { url, pid: child.pid!, course, workDir, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
