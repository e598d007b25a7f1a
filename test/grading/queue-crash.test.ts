import assert from 'node:assert/strict';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { engineUnderTest } from '../helpers/harness.ts';
import { ROOT, spawnCli } from '../helpers/cli.ts';
import type { Mode } from './queue-helpers.ts';
import { modes, QueueLab, waitFor } from './queue-helpers.ts';

const lab = new QueueLab();
before(() => lab.open());
after(() => lab.close());

/** The environment that points a child process at the lab's database, with the given queue. */
function childEnv(mode: Mode, extra: Record<string, string> = {}): Record<string, string> {
  const { config } = lab.server;
  return {
    ...(process.env as Record<string, string>),
    ASSAY_DATA_DIR: lab.server.dataDir,
    DATABASE_URL: config.databaseUrl,
    DATABASE_SCHEMA: config.databaseSchema,
    ASSAY_QUEUE: mode,
    ASSAY_LOG_LEVEL: 'silent',
    ASSAY_ARGON2_MEMORY_KIB: '1024',
    ...extra,
  };
}

/** Resolves with the first stdout line matching `pattern`; rejects if the process exits first. */
function lineFrom(child: ChildProcessWithoutNullStreams, pattern: RegExp, timeoutMs = 20_000): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`no line ${pattern} within ${timeoutMs} ms; stdout: ${out} stderr: ${err}`)), timeoutMs);
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = pattern.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before ${pattern}; stdout: ${out} stderr: ${err}`));
    });
  });
}

const exited = (child: ChildProcessWithoutNullStreams) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode });
    else child.on('exit', (code, signal) => resolve({ code, signal }));
  });

for (const mode of modes) {
  describe(`grading workers in other processes (${mode}) on ${engineUnderTest}`, () => {
    const children: ChildProcessWithoutNullStreams[] = [];
    afterEach(async () => {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      await Promise.all(children.map(exited));
      children.length = 0;
      await lab.reset();
    });

    it('finishes the job of a worker process killed with SIGKILL mid-job', async (t) => {
      const queue = lab.queue(mode, { leaseSeconds: 1 });
      const job = await queue.enqueue({ ...lab.courseA, payload: { crash: 'test' } });
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/grading/queue-worker-child.ts')], {
        cwd: ROOT,
        env: childEnv(mode, { ASSAY_JOB_LEASE_SECONDS: '1' }),
      });
      children.push(child);
      const [, running] = await lineFrom(child, /running (\d+)\n/);
      assert.equal(Number(running), job.id);
      const held = await queue.get(job.id);
      assert.equal(held?.status, 'running');
      assert.match(held?.lease_owner ?? '', /^child-\d+:1$/);
      child.kill('SIGKILL');
      assert.equal((await exited(child)).signal, 'SIGKILL');

      const started = Date.now();
      lab.pool(queue, async (j) => ({ outcome: 'success', by: 'survivor', attempt: j.attempts }), { leaseSeconds: 1 });
      const done = await waitFor('the job to finish elsewhere', async () => {
        const j = await queue.get(job.id);
        return j?.status === 'done' ? j : null;
      });
      const recoveredMs = Date.now() - started;
      assert.ok(recoveredMs < 5_000, `recovered in ${recoveredMs} ms`);
      t.diagnostic(`finished ${recoveredMs} ms after the kill (lease 1 s)`);
      assert.equal(done.attempts, 2);
      assert.deepEqual(done.result, { outcome: 'success', by: 'survivor', attempt: 2 });
      const events = await queue.events(job.id);
      const handling = events.filter((e) => ['started', 'queued'].includes(e.action)).map((e) => e.payload ?? '');
      assert.match(handling[0]!, /^attempt 1 of 3 by child-\d+:1$/);
      assert.match(handling.at(-1)!, /^attempt 2 of 3 by /);
      assert.deepEqual(events.slice(-2).map((e) => e.action), ['finished', 'success']);
      assert.equal(events.filter((e) => e.action === 'success').length, 1);
    });

    it('`assay worker` takes jobs from another process and runs them with the sandbox runner', async () => {
      const queue = lab.queue(mode);
      const worker = spawnCli(['worker', '--concurrency', '2'], childEnv(mode, { ASSAY_JOB_RECHECK_SECONDS: '60' }));
      children.push(worker);
      const [, count, shown] = await lineFrom(worker, /(\d+) workers on the (\w+) queue/);
      assert.equal(count, '2');
      assert.equal(shown, mode);
      // The lab's exercise has no grader: the engine's runner ends the job with `no_check`.
      const job = await queue.enqueue(lab.courseB);
      const done = await waitFor('the job to finish', async () => {
        const j = await queue.get(job.id);
        return j?.status === 'done' ? j : null;
      });
      const actions = (await queue.events(job.id)).map((e) => e.action);
      assert.equal(actions.filter((a) => a === 'no_check').length, 1, `recorded once: ${actions.join(', ')}`);
      assert.equal(actions.at(-1), 'no_check', actions.join(', '));
      assert.ok(done.attempts >= 1);
      worker.kill('SIGTERM');
      assert.equal((await exited(worker)).code, 0, 'a clean stop on SIGTERM');
    });

  });
}

describe('assay worker options', () => {
  it('refuses a bad --concurrency', async () => {
    const worker = spawnCli(['worker', '--concurrency', 'many'], childEnv('embedded'));
    let stderr = '';
    worker.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    assert.equal((await exited(worker)).code, 2);
    assert.match(stderr, /--concurrency must be a whole number/);
  });
});
