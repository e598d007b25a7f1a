/**
 * A cluster on one machine, as README "Scaling out" runs it: `assay serve` and `assay worker`
 * processes (each its own data directory: nothing shared on disk) on one PostgreSQL schema and
 * one S3 bucket (s3rver), a course whose exercise is graded by a small Python check in the
 * sandbox, students signed in, and a burst of submissions spread over the servers through Assay's
 * API and Hive's. What came of each submission is read from the database afterwards: accepted,
 * lost (accepted but never graded), graded twice (two outcomes, or two feedback rows), and each
 * one's wait (accepted to graded). Used by test/cluster.test.ts and `npm run bench:cluster`.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config.ts';
import { syncCourseDirectory } from '../../src/core/courses/course-sync.ts';
import type { Runtime } from '../../src/runtime.ts';
import { openRuntime } from '../../src/runtime.ts';
import { spawnCli } from './cli.ts';
import type { S3rverProcess } from './s3rver.ts';

const CHECK_PY = `import json
import subprocess

answer = subprocess.run(["run_student", "cat", "answer.txt"], capture_output=True, text=True).stdout
ok = answer.strip() == "42"
test = {"name": "answer", "score": 1 if ok else 0, "max_score": 1, "status": "passed" if ok else "failed",
        "output": "ok" if ok else "expected 42", "visibility": "visible"}
with open("results.json", "w", encoding="utf-8") as f:
    json.dump({"score": test["score"], "tests": [test]}, f)
`;

function writeCourse(root: string): string {
  const dir = path.join(root, 'cluster');
  fs.mkdirSync(path.join(dir, 'answer', 'grader'), { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'course.yaml'),
    'slug: cluster\nname: Cluster\nsemester: "2026"\nsubjects:\n  - symbol: C\n    name: Cluster\n    color: "#123456"\n    modules:\n      - name: Cluster\n        order: 1\n',
  );
  fs.writeFileSync(
    path.join(dir, 'answer', 'exercise.yaml'),
    'name: The answer\nmodule: C/Cluster\nproblems:\n  - name: answer\n    max_score: 1\ngrader:\n  convention: native\n  command: [python3, check.py]\n  limits:\n    wall_seconds: 20\n    cpu_seconds: 10\n    memory_mb: 256\n  check_solution: false\n',
  );
  fs.writeFileSync(path.join(dir, 'answer', 'grader', 'check.py'), CHECK_PY);
  return dir;
}

export interface ClusterSettings {
  databaseUrl: string;
  schema: string;
  s3: S3rverProcess;
  /** A job whose worker went silent is taken again after this (the workers' lease). */
  leaseSeconds: number;
  /** Students through each API (submissions are spread over them). */
  studentsPerApi: number;
}

/** One `assay serve` or `assay worker` process. */
export interface Member {
  name: string;
  child: ChildProcessWithoutNullStreams;
  /** The server's address (servers only). */
  base: string | null;
  /** What it printed on stderr (the last 4 kB), for a failure's message. */
  stderr(): string;
}

export interface Sent {
  api: 'assay' | 'hive';
  /** The server that accepted it. */
  server: string;
  /** Submission id (Assay's API) or response id (Hive's); null: not accepted. */
  id: number | null;
  status: number;
  /** Requests made for it (more than one: a server did not answer, the next one was asked). */
  tries: number;
}

export interface Outcome {
  accepted: number;
  /** Accepted but without a finished job (or without a job at all). */
  lost: number;
  /** Jobs with more than one outcome step, or submissions with more than one feedback row. */
  gradedTwice: number;
  /** Graded per second: the submissions over the time from the first acceptance to the last result. */
  perSecond: number;
  /** Accepted to graded, in ms. */
  waitP50: number;
  waitP95: number;
  statuses: Record<string, number>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const percentile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

export class ClusterLab {
  readonly members = new Set<Member>();
  private readonly dirs: string[] = [];
  private readonly env: Record<string, string>;
  runtime!: Runtime;
  exerciseId = 0;
  students: { token: string; assignment: number }[] = [];

  private constructor(readonly settings: ClusterSettings) {
    this.env = {
      DATABASE_URL: settings.databaseUrl,
      DATABASE_SCHEMA: settings.schema,
      ASSAY_LOG_LEVEL: 'silent',
      ASSAY_ARGON2_MEMORY_KIB: '1024',
      ASSAY_ADMIN_PASSWORD: 'cluster-admin-password',
      ASSAY_ACCESS_TOKEN_SECONDS: '7200',
      ASSAY_JOB_LEASE_SECONDS: String(settings.leaseSeconds),
      ASSAY_JOB_RECHECK_SECONDS: '5',
      ...settings.s3.env(),
    };
  }

  /** Migrates the schema, syncs the course (its grader's files go to the bucket) and makes the students. */
  static async open(settings: ClusterSettings): Promise<ClusterLab> {
    const lab = new ClusterLab(settings);
    const dataDir = lab.dataDir('lab');
    lab.runtime = await openRuntime(loadConfig({ ...lab.env, ASSAY_DATA_DIR: dataDir, ASSAY_WORKERS: '0' }));
    const { services } = lab.runtime;
    const report = await syncCourseDirectory(services, writeCourse(dataDir));
    lab.exerciseId = (await services.db.selectFrom('exercises').select('id').where('course_id', '=', report.courseId).executeTakeFirstOrThrow()).id;
    const admin = await services.users.createTrusted({ username: 'cluster-admin', password: 'cluster-admin-password', clearance: 5, first_name: 'Admin' });
    const adminActor = { id: admin.id, username: admin.username, clearance: 5 as const };
    for (let i = 0; i < 2 * settings.studentsPerApi; i++) {
      const user = await services.users.create(adminActor, {
        username: `student${i}`,
        password: 'cluster-student-password',
        clearance: 1,
        gender: 'Female',
        number: 1000 + i,
        program: report.courseId,
        status: 'Present',
        first_name: 'Stu',
        last_name: `Dent ${i}`,
      });
      const assignment = await services.assignments.create(adminActor, { user: user.id, exercise: lab.exerciseId, assignment_status: 'New' });
      lab.students.push({ token: (await services.tokens.issuePair(user.id)).access, assignment: assignment.id });
    }
    return lab;
  }

  private dataDir(name: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `assay-cluster-${name}-`));
    this.dirs.push(dir);
    return dir;
  }

  private spawn(name: string, args: string[], env: Record<string, string>): Member {
    const child = spawnCli(args, { ...this.env, ASSAY_DATA_DIR: this.dataDir(name), ...env });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4096)));
    child.stdout.resume();
    const member: Member = { name, child, base: null, stderr: () => err };
    this.members.add(member);
    child.once('exit', () => this.members.delete(member));
    return member;
  }

  /** `assay serve` on `port` (no grading workers of its own); resolves once /healthz answers. */
  async startServer(name: string, port: number): Promise<Member> {
    const member = this.spawn(name, ['serve'], { PORT: String(port), HOST: '127.0.0.1', ASSAY_WORKERS: '0' });
    member.base = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      if (member.child.exitCode !== null || member.child.signalCode !== null) throw new Error(`${name} exited: ${member.stderr()}`);
      const ok = await fetch(`${member.base}/healthz`).then(
        (r) => r.status < 500,
        () => false,
      );
      if (ok) return member;
      if (i > 600) throw new Error(`${name} did not answer within a minute: ${member.stderr()}`);
      await sleep(100);
    }
  }

  /** `assay worker --concurrency n`; resolves once it says its workers run. */
  startWorker(name: string, concurrency: number): Promise<Member> {
    const member = this.spawn(name, ['worker', '--concurrency', String(concurrency)], {});
    return new Promise((resolve, reject) => {
      let out = '';
      member.child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (/workers on the \w+ queue/.test(out)) resolve(member);
      });
      member.child.once('exit', (code) => reject(new Error(`${name} exited (${code}): ${member.stderr()}`)));
    });
  }

  /** SIGKILL: no shutdown of any kind. */
  async kill(member: Member): Promise<void> {
    if (member.child.exitCode !== null || member.child.signalCode !== null) return;
    const exited = new Promise((r) => member.child.once('exit', r));
    member.child.kill('SIGKILL');
    await exited;
  }

  /** How many jobs are running now. */
  async running(): Promise<number> {
    const row = await this.runtime.services.db.selectFrom('grading_jobs').select((eb) => eb.fn.countAll<string>().as('n')).where('status', '=', 'running').executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /**
   * Sends `count` submissions, `connections` at a time: the i-th through Assay's API when i is
   * even, Hive's when odd, to server i mod n (of those named by `servers()` at the time). A
   * server that does not answer (killed) is not waited for: the submission is sent to the next.
   * `onProgress` is told each accepted count.
   */
  async burst(count: number, connections: number, servers: () => Member[], onProgress?: (accepted: number) => void): Promise<Sent[]> {
    const sent: Sent[] = new Array(count);
    let next = 0;
    let accepted = 0;
    const answer = Buffer.from('42\n');
    const loop = async () => {
      for (let i = next++; i < count; i = next++) {
        const api = i % 2 === 0 ? 'assay' : 'hive';
        const student = this.students[Math.floor(i / 2) % this.students.length]!;
        let result: Sent | null = null;
        for (let tries = 1; !result; tries++) {
          const live = servers();
          const server = live[(i + tries - 1) % live.length]!;
          const form = new FormData();
          const url =
            api === 'assay'
              ? `${server.base}/api/assay/v1/exercises/${this.exerciseId}/submissions/`
              : `${server.base}/api/core/assignments/${student.assignment}/responses/`;
          if (api === 'hive') {
            form.append('response_type', 'Submission');
            form.append('contents', '[]');
          }
          form.append('file', new Blob([answer]), 'answer.txt');
          try {
            const res = await fetch(url, { method: 'POST', body: form, headers: { authorization: `Bearer ${student.token}` }, signal: AbortSignal.timeout(30_000) });
            const body = (await res.json().catch(() => ({}))) as { id?: number };
            if (res.status >= 500 && tries < 10) {
              await sleep(200);
              continue;
            }
            result = { api, server: server.name, id: res.status === 201 ? (body.id ?? null) : null, status: res.status, tries };
          } catch (err) {
            if (tries >= 10) result = { api, server: server.name, id: null, status: 0, tries };
            else await sleep(100);
            void err;
          }
        }
        sent[i] = result;
        if (result.id !== null) onProgress?.(++accepted);
      }
    };
    await Promise.all(Array.from({ length: connections }, loop));
    return sent;
  }

  /** Waits until every accepted submission's job is done or failed (or `timeoutMs` passes), then counts. */
  async outcome(sent: Sent[], timeoutMs: number): Promise<Outcome> {
    const db = this.runtime.services.db;
    const assayIds = sent.filter((s) => s.api === 'assay' && s.id !== null).map((s) => s.id!);
    const hiveIds = sent.filter((s) => s.api === 'hive' && s.id !== null).map((s) => s.id!);
    const accepted = assayIds.length + hiveIds.length;
    const jobsOf = () =>
      db
        .selectFrom('grading_jobs')
        .select(['id', 'submission_id', 'status', 'created_at', 'finished_at'])
        .where((eb) => eb.or([eb('submission_id', 'in', assayIds.length ? assayIds : [-1]), eb('response_id', 'in', hiveIds.length ? hiveIds : [-1])]))
        .where('kind', '=', 'submission')
        .execute();
    const deadline = Date.now() + timeoutMs;
    let jobs = await jobsOf();
    while (jobs.filter((j) => j.status === 'done' || j.status === 'failed').length < accepted && Date.now() < deadline) {
      await sleep(500);
      jobs = await jobsOf();
    }
    const statuses: Record<string, number> = {};
    for (const j of jobs) statuses[j.status] = (statuses[j.status] ?? 0) + 1;
    const finished = jobs.filter((j) => j.status === 'done' || j.status === 'failed');
    const jobIds = jobs.map((j) => j.id);
    const submissionIds = jobs.map((j) => j.submission_id!).filter((id) => id !== null);
    const twiceByJob = jobIds.length
      ? await db
          .selectFrom('grading_job_events')
          .select('job_id')
          .where('job_id', 'in', jobIds)
          .where('action', 'in', ['success', 'error', 'no_check'])
          .groupBy('job_id')
          .having((eb) => eb.fn.countAll(), '>', 1)
          .execute()
      : [];
    const twiceBySubmission = submissionIds.length
      ? await db.selectFrom('feedback').select('submission_id').where('submission_id', 'in', submissionIds).groupBy('submission_id').having((eb) => eb.fn.countAll(), '>', 1).execute()
      : [];
    const ms = (v: unknown) => new Date(v as string).getTime();
    const waits = finished.map((j) => ms(j.finished_at) - ms(j.created_at)).sort((a, b) => a - b);
    const first = Math.min(...jobs.map((j) => ms(j.created_at)));
    const last = Math.max(...finished.map((j) => ms(j.finished_at)));
    return {
      accepted,
      lost: accepted - finished.length,
      gradedTwice: new Set([...twiceByJob.map((r) => `j${r.job_id}`), ...twiceBySubmission.map((r) => `s${r.submission_id}`)]).size,
      perSecond: finished.length / Math.max(0.001, (last - first) / 1000),
      waitP50: percentile(waits, 0.5),
      waitP95: percentile(waits, 0.95),
      statuses,
    };
  }

  /** Ends every process still running (SIGKILL), closes the lab's connection, removes the data directories. */
  async close(): Promise<void> {
    await Promise.all([...this.members].map((m) => this.kill(m)));
    await this.runtime?.close();
    for (const dir of this.dirs) fs.rmSync(dir, { recursive: true, force: true });
  }
}
