import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import client from 'prom-client';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { AssayError } from '../../src/core/errors.ts';
import type { GradingJob, JobResult, JobRunner } from '../../src/grading/queue/index.ts';
import { registerGradingMetrics, rerunExercise } from '../../src/grading/queue/index.ts';
import { RUN_FAILED, SANDBOX_UNAVAILABLE } from '../../src/grading/queue/worker-pool.ts';
import { engineUnderTest } from '../helpers/harness.ts';
import { modes, QueueLab, sleep, waitFor } from './queue-helpers.ts';

const lab = new QueueLab();
before(() => lab.open());
after(() => lab.close());

for (const mode of modes) {
  describe(`grading queue (${mode}) on ${engineUnderTest}`, () => {
    afterEach(() => lab.reset());

    const actions = async (queue: ReturnType<typeof lab.queue>, jobId: number) => (await queue.events(jobId)).map((e) => e.action);

    it('runs an enqueued job and records its result once, with its timeline', async () => {
      const queue = lab.queue(mode);
      const job = await queue.enqueue({ ...lab.courseA, payload: { answer: 42 } });
      assert.equal(job.status, 'queued');
      assert.equal(job.kind, 'submission');
      assert.equal(job.priority, 0);
      assert.equal(job.attempts, 0);
      assert.deepEqual(job.payload, { answer: 42 });
      assert.deepEqual(await queue.depth(), { queued: 1, running: 0, done: 0, failed: 0, waiting: 0 });

      const claimed = await queue.claim('w1');
      assert.equal(claimed?.id, job.id);
      assert.equal(claimed?.status, 'running');
      assert.equal(claimed?.lease_owner, 'w1');
      assert.equal(claimed?.attempts, 1);
      assert.ok(claimed?.lease_until && claimed.lease_until > claimed.started_at!);
      assert.equal(await queue.claim('w2'), null, 'a leased job is not handed out twice');

      assert.equal(await queue.complete(job.id, 'w1', { outcome: 'success', summary: 'all good', score: 10 }), true);
      const done = await queue.get(job.id);
      assert.equal(done?.status, 'done');
      assert.deepEqual(done?.result, { outcome: 'success', summary: 'all good', score: 10 });
      assert.equal(done?.lease_owner, null);
      assert.ok(done?.finished_at);
      const events = await queue.events(job.id);
      assert.deepEqual(events.map((e) => e.action), ['started', 'finished', 'success']);
      assert.equal(events[2]?.payload, 'all good');
      assert.deepEqual(await queue.depth(), { queued: 0, running: 0, done: 1, failed: 0, waiting: 0 });
    });

    it('gives one submission one job however often it is enqueued', async () => {
      const queue = lab.queue(mode);
      const submission = await lab.submission(lab.courseA);
      const first = await queue.enqueue({ ...lab.courseA, submissionId: submission.id });
      const second = await queue.enqueue({ ...lab.courseA, submissionId: submission.id });
      assert.equal(second.id, first.id);
      const rerun = await queue.enqueue({ ...lab.courseA, submissionId: submission.id, kind: 'rerun' });
      assert.notEqual(rerun.id, first.id, 'a rerun is a job of its own');
      assert.equal((await queue.depth()).queued, 2);
    });

    it('enqueues inside the caller’s transaction: nothing is left when it rolls back', async () => {
      const queue = lab.queue(mode);
      await assert.rejects(
        lab.db.transaction().execute(async (trx) => {
          const job = await queue.enqueue({ ...lab.courseA, payload: { doomed: true } }, trx);
          assert.equal(job.status, 'queued');
          throw new Error('the submission could not be saved');
        }),
        /could not be saved/,
      );
      assert.deepEqual(await queue.depth(), { queued: 0, running: 0, done: 0, failed: 0, waiting: 0 });
      assert.equal(await queue.claim('w'), null, 'and no delivery of it either');
      const kept = await lab.db.transaction().execute((trx) => queue.enqueue({ ...lab.courseA, payload: { kept: true } }, trx));
      assert.equal((await queue.claim('w'))?.id, kept.id);
    });

    it('records a result only under the lease: a second completion changes nothing', async () => {
      const queue = lab.queue(mode);
      const job = await queue.enqueue(lab.courseA);
      await queue.claim('w1');
      assert.equal(await queue.complete(job.id, 'intruder', { summary: 'forged' }), false, 'not the lease holder');
      assert.equal(await queue.complete(job.id, 'w1', { summary: 'first' }), true);
      assert.equal(await queue.complete(job.id, 'w1', { summary: 'second' }), false);
      assert.equal(await queue.fail(job.id, 'w1', 'late failure'), 'lost');
      assert.equal(await queue.heartbeat(job.id, 'w1'), false);
      const done = await queue.get(job.id);
      assert.equal(done?.status, 'done');
      assert.deepEqual(done?.result, { summary: 'first' });
      assert.equal(done?.error, null);
      assert.deepEqual(await actions(queue, job.id), ['started', 'finished', 'success']);
    });

    it('runs every job exactly once when two servers race for them', async (t) => {
      const calls = new Map<number, number>();
      const runner =
        (tag: string): JobRunner =>
        async (job) => {
          calls.set(job.id, (calls.get(job.id) ?? 0) + 1);
          await sleep(Math.random() * 4);
          return { outcome: 'success', by: tag, jobId: job.id };
        };
      const one = lab.queue(mode);
      const two = lab.queue(mode);
      const ids: number[] = [];
      for (let i = 0; i < 60; i++) ids.push((await (i % 2 ? one : two).enqueue(i % 3 ? lab.courseA : lab.courseB)).id);
      const started = Date.now();
      lab.pool(one, runner('one'), { concurrency: 3, workerIdPrefix: 'one' });
      lab.pool(two, runner('two'), { concurrency: 3, workerIdPrefix: 'two' });
      await waitFor('all jobs done', async () => (await one.depth()).done === 60, 20_000);
      t.diagnostic(`60 jobs through 2 × 3 workers in ${Date.now() - started} ms`);

      const rows = await lab.db.selectFrom('grading_jobs').selectAll().orderBy('id').execute();
      assert.deepEqual(rows.map((r) => r.id), ids, 'no job lost, none added');
      for (const r of rows) {
        assert.equal(r.status, 'done');
        assert.equal(r.attempts, 1);
        assert.equal((JSON.parse(r.result!) as { jobId: number }).jobId, r.id);
        assert.equal(calls.get(r.id), 1, `job ${r.id} ran once`);
      }
      const successes = await lab.db.selectFrom('grading_job_events').select('job_id').where('action', '=', 'success').execute();
      assert.equal(successes.length, 60);
      assert.equal(new Set(successes.map((s) => s.job_id)).size, 60, 'one Success per job');
      const byWorker = new Set(rows.map((r) => (JSON.parse(r.result!) as { by: string }).by));
      assert.deepEqual([...byWorker].sort(), ['one', 'two'], 'both servers took part');
    });

    it('re-leases the job of a worker that went silent, and ignores that worker afterwards', async () => {
      const clock = new ManualClock('2024-05-01T09:00:00.000000Z');
      const queue = lab.queue(mode, { clock, leaseSeconds: 30 });
      const job = await queue.enqueue(lab.courseA);
      assert.equal((await queue.claim('dies'))?.id, job.id);
      clock.advance(20_000);
      assert.equal(await queue.heartbeat(job.id, 'dies'), true, 'a live worker extends its lease');
      clock.advance(29_000);
      await queue.recover();
      assert.equal(await queue.claim('other'), null, 'the lease still holds');
      clock.advance(2_000);
      await queue.recover();
      const again = await queue.claim('other');
      assert.equal(again?.id, job.id);
      assert.equal(again?.attempts, 2);
      assert.equal(again?.lease_owner, 'other');
      assert.equal(await queue.heartbeat(job.id, 'dies'), false, 'the silent worker lost its lease');
      assert.equal(await queue.complete(job.id, 'other', { by: 'other' }), true);
      assert.equal(await queue.complete(job.id, 'dies', { by: 'dies' }), false, 'the old worker wakes up too late');
      assert.deepEqual((await queue.get(job.id))?.result, { by: 'other' });
      const timeline = await actions(queue, job.id);
      assert.deepEqual(timeline.filter((a) => a === 'started').length >= 2, true);
      assert.deepEqual(timeline.slice(-2), ['finished', 'success']);
    });

    it('fails a job whose worker went silent on its last attempt', async () => {
      const clock = new ManualClock('2024-05-01T09:00:00.000000Z');
      const queue = lab.queue(mode, { clock, leaseSeconds: 10, maxAttempts: 1 });
      const job = await queue.enqueue(lab.courseA);
      await queue.claim('dies');
      clock.advance(11_000);
      assert.equal(await queue.claim('other'), null, 'its attempts are used up');
      assert.ok((await queue.recover()) >= 1);
      const failed = await queue.get(job.id);
      assert.equal(failed?.status, 'failed');
      assert.equal(failed?.error, 'the worker running it stopped responding');
      assert.deepEqual(await actions(queue, job.id), ['started', 'error']);
      assert.equal(await queue.claim('other'), null);
    });

    it('serves a small course between the jobs of another course’s burst', async () => {
      const queue = lab.queue(mode);
      await queue.enqueueMany(Array.from({ length: 200 }, (_, i) => ({ ...lab.courseA, payload: { i } })));
      for (let i = 0; i < 5; i++) await queue.enqueue({ ...lab.courseB, payload: { i } });
      const order: GradingJob[] = [];
      for (let i = 0; i < 60; i++) {
        const job = await queue.claim('solo');
        assert.ok(job);
        order.push(job);
        assert.equal(await queue.complete(job.id, 'solo', {}), true);
      }
      const positions = order.flatMap((j, i) => (j.course_id === lab.courseB.courseId ? [i] : []));
      assert.equal(positions.length, 5, 'every job of course B ran');
      assert.ok(positions.every((p) => p < 10), `course B ran at ${positions.join(', ')}`);
      const aPayloads = order.filter((j) => j.course_id === lab.courseA.courseId).map((j) => j.payload.i as number);
      assert.deepEqual(aPayloads, [...aPayloads].sort((x, y) => x - y), 'a course’s own jobs keep their order');

      // A burst arriving mid-way lines up beside the one being served, not ahead of it.
      const courseC = await lab.course();
      const c = [];
      for (let i = 0; i < 10; i++) c.push(await queue.enqueue(courseC));
      const served = order.filter((j) => j.course_id === lab.courseA.courseId).length;
      assert.deepEqual(c.map((j) => j.fair_rank), Array.from({ length: 10 }, (_, i) => served + i));
      const next = [];
      for (let i = 0; i < 20; i++) {
        const job = (await queue.claim('solo'))!;
        next.push(job.course_id === courseC.courseId ? 'C' : 'A');
        await queue.complete(job.id, 'solo', {});
      }
      assert.equal(next.join(''), 'ACACACACACACACACACAC');
    });

    it('queues reruns behind fresh submissions', async () => {
      const queue = lab.queue(mode);
      const reruns = [];
      for (let i = 0; i < 3; i++) reruns.push(await queue.enqueue({ ...lab.courseA, kind: 'rerun' }));
      assert.ok(reruns.every((r) => r.priority === 1));
      const fresh = [await queue.enqueue(lab.courseB), await queue.enqueue(lab.courseA)];
      const order = [];
      for (let i = 0; i < 5; i++) {
        const job = (await queue.claim('w'))!;
        order.push(job.id);
        await queue.complete(job.id, 'w', {});
      }
      assert.deepEqual(order.slice(0, 2).sort(), fresh.map((j) => j.id).sort());
      assert.deepEqual(order.slice(2), reruns.map((j) => j.id));
    });

    it('reruns an exercise on the latest submission of each assignment, once', async () => {
      const queue = lab.queue(mode);
      const course = await lab.course();
      const first = await lab.submission(course);
      const latest = await lab.submission(course, { assignmentId: first.assignmentId, number: 2 });
      const other = await lab.submission(course);
      await lab.submission(lab.courseB);
      const jobs = await rerunExercise(lab.db, queue, course.exerciseId);
      assert.deepEqual(jobs.map((j) => j.submission_id).sort(), [latest.id, other.id].sort());
      assert.ok(jobs.every((j) => j.kind === 'rerun' && j.priority === 1 && j.course_id === course.courseId));
      assert.deepEqual(await rerunExercise(lab.db, queue, course.exerciseId), [], 'already queued');
      for (const j of jobs) {
        await queue.claim('w');
        await queue.complete(j.id, 'w', {});
      }
      assert.equal((await rerunExercise(lab.db, queue, course.exerciseId)).length, 2, 'a later rerun queues again');
      assert.deepEqual(await rerunExercise(lab.db, queue, 999_999), []);
    });

    it('retries a failing job and ends it failed after max_attempts', async () => {
      const queue = lab.queue(mode, { maxAttempts: 2 });
      let calls = 0;
      const job = await queue.enqueue(lab.courseA);
      const logged: string[] = [];
      lab.pool(
        queue,
        async () => {
          calls++;
          throw new Error('compiler exploded');
        },
        { onError: (e, context) => logged.push(`${context}: ${e instanceof Error ? e.message : String(e)}`) },
      );
      const failed = await waitFor('failed', async () => {
        const j = await queue.get(job.id);
        return j?.status === 'failed' ? j : null;
      });
      assert.equal(calls, 2);
      assert.equal(failed.attempts, 2);
      assert.equal(failed.error, RUN_FAILED, "the error's own text goes to the server log only");
      assert.equal(failed.result, null);
      assert.ok(failed.finished_at);
      const events = await queue.events(job.id);
      assert.deepEqual(events.map((e) => e.action), ['started', 'error', 'started', 'error']);
      assert.equal(events[1]?.payload, `attempt 1 of 2 failed, queued again: ${RUN_FAILED}`);
      assert.equal(events[3]?.payload, `failed after 2 attempts: ${RUN_FAILED}`);
      assert.ok(logged.some((l) => l === `grading job ${job.id}: compiler exploded`), logged.join('\n'));
    });

    it('parks jobs while the sandbox is unavailable, rechecks, and runs them once it is back', async () => {
      const queue = lab.queue(mode, { recheckSeconds: 0.3 });
      let sandbox = false;
      let calls = 0;
      const job = await queue.enqueue(lab.courseA);
      lab.pool(
        queue,
        async () => {
          calls++;
          if (!sandbox) throw new AssayError('unavailable', 'bubblewrap is not installed');
          return { outcome: 'success' };
        },
        { recheckSeconds: 0.3 },
      );
      const waiting = await waitFor('waiting', async () => {
        const j = await queue.get(job.id);
        return j?.status === 'waiting' ? j : null;
      });
      assert.equal(waiting.attempts, 0, 'an unavailable sandbox costs no attempt');
      assert.equal(waiting.lease_owner, null);
      assert.equal(waiting.error, SANDBOX_UNAVAILABLE);
      const events = await queue.events(job.id);
      assert.deepEqual(events.map((e) => [e.action, e.payload]).slice(-1), [['waiting', `waiting: ${SANDBOX_UNAVAILABLE}`]]);
      await waitFor('a recheck that found it still missing', async () => {
        const parked = (await queue.events(job.id)).filter((e) => e.payload === `waiting: ${SANDBOX_UNAVAILABLE}`);
        return parked.length >= 2 && (await queue.get(job.id))?.status === 'waiting';
      });
      assert.ok(calls >= 2);
      sandbox = true;
      const done = await waitFor('done', async () => {
        const j = await queue.get(job.id);
        return j?.status === 'done' ? j : null;
      });
      assert.equal(done.attempts, 1, 'only the run that happened counts');
      assert.deepEqual((await actions(queue, job.id)).slice(-3), ['started', 'finished', 'success']);
    });

    it('shows the timeline while the job runs', async () => {
      const queue = lab.queue(mode);
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const job = await queue.enqueue(lab.courseA);
      lab.pool(queue, async (_job, ctx) => {
        await ctx.report({ action: 'prepared', payload: 'compiled' });
        await ctx.report({ action: 'running' });
        await gate;
        return { outcome: 'no_check', summary: 'this exercise has no checks' } satisfies JobResult;
      });
      await waitFor('running', async () => (await actions(queue, job.id)).includes('running'));
      assert.equal((await queue.get(job.id))?.status, 'running');
      const during = await queue.events(job.id);
      assert.deepEqual(during.map((e) => [e.action, e.payload]).slice(1), [['prepared', 'compiled'], ['running', null]]);
      assert.equal(during[0]?.action, 'started');
      release();
      await waitFor('done', async () => (await queue.get(job.id))?.status === 'done');
      const events = await queue.events(job.id);
      assert.deepEqual(events.map((e) => e.action), ['started', 'prepared', 'running', 'finished', 'no_check']);
      assert.equal(events.at(-1)?.payload, 'this exercise has no checks');
      assert.ok(events.every((e, i) => i === 0 || e.time >= events[i - 1]!.time), 'times in order');
    });

    it('lets running jobs finish on stop, and gives back the ones that do not', async () => {
      const queue = lab.queue(mode);
      const quick = await queue.enqueue(lab.courseA);
      const pool = lab.pool(queue, async () => {
        await sleep(100);
        return { summary: 'quick' };
      });
      await waitFor('running', () => pool.running === 1);
      await pool.stop(5_000);
      assert.equal((await queue.get(quick.id))?.status, 'done');

      const stuck = await queue.enqueue(lab.courseA);
      let aborted = false;
      const hanging = lab.pool(queue, async (_job, ctx) => {
        ctx.signal.addEventListener('abort', () => (aborted = true));
        return new Promise<JobResult>(() => {});
      });
      await waitFor('running', () => hanging.running === 1);
      await hanging.stop(100);
      assert.equal(aborted, true, 'the runner was told to stop');
      const back = await queue.get(stuck.id);
      assert.equal(back?.status, 'queued');
      assert.equal(back?.attempts, 0, 'a stop costs no attempt');
      assert.equal(back?.lease_owner, null);
      assert.equal((await queue.events(stuck.id)).at(-1)?.payload, 'queued again: the worker stopped');
      lab.pool(queue, async () => ({ summary: 'second try' }));
      await waitFor('done', async () => (await queue.get(stuck.id))?.status === 'done');
    });

    it('fails a run whose runner returns no result object, or one that is not JSON', async () => {
      const queue = lab.queue(mode, { maxAttempts: 1 });
      const none = await queue.enqueue({ ...lab.courseA, payload: { answer: 'none' } });
      const bigint = await queue.enqueue({ ...lab.courseA, payload: { answer: 'bigint' } });
      lab.pool(queue, async (job) => (job.payload.answer === 'none' ? null : { score: 10n }) as unknown as JobResult);
      await waitFor('both failed', async () => (await queue.depth()).failed === 2);
      assert.equal((await queue.get(none.id))?.error, 'the runner returned no result object');
      assert.match((await queue.get(bigint.id))?.error ?? '', /^the runner returned a result that is not JSON: /);
    });

    it('exposes depth, wait time, run time and outcomes as metrics', async () => {
      const queue = lab.queue(mode, { maxAttempts: 1 });
      const registry = new client.Registry();
      registerGradingMetrics(registry, queue);
      const outcomes: JobResult[] = [{ outcome: 'success' }, { outcome: 'success' }, { outcome: 'no_check' }, { outcome: 'error' }];
      for (const result of outcomes) await queue.enqueue({ ...lab.courseA, payload: { result } });
      await queue.enqueue({ ...lab.courseB, payload: { explode: true } });
      await queue.enqueue({ ...lab.courseB, payload: { hold: true } });
      let text = await registry.metrics();
      assert.match(text, /assay_grading_queue_jobs\{status="queued"\} 6/);
      lab.pool(queue, async (job) => {
        if (job.payload.explode) throw new Error('boom');
        if (job.payload.hold) return new Promise<JobResult>(() => {});
        return job.payload.result as JobResult;
      }, { concurrency: 2 });
      await waitFor('all but one finished', async () => {
        const d = await queue.depth();
        return d.done === 4 && d.failed === 1 && d.running === 1;
      });
      text = await registry.metrics();
      assert.match(text, /assay_grading_queue_jobs\{status="done"\} 4/);
      assert.match(text, /assay_grading_queue_jobs\{status="failed"\} 1/);
      assert.match(text, /assay_grading_queue_jobs\{status="running"\} 1/);
      assert.match(text, /assay_grading_queue_jobs\{status="queued"\} 0/);
      assert.match(text, /assay_grading_job_wait_seconds_count 6/);
      assert.match(text, /assay_grading_job_run_seconds_count\{outcome="success"\} 2/);
      assert.match(text, /assay_grading_job_outcomes_total\{outcome="success"\} 2/);
      assert.match(text, /assay_grading_job_outcomes_total\{outcome="no_check"\} 1/);
      assert.match(text, /assay_grading_job_outcomes_total\{outcome="error"\} 1/);
      assert.match(text, /assay_grading_job_outcomes_total\{outcome="failed"\} 1/);
    });
  });
}

describe('grading queue configuration', () => {
  it('defaults to the embedded queue with two in-process workers', () => {
    const config = loadConfig({});
    assert.equal(config.queueMode, 'embedded');
    assert.equal(config.gradingWorkers, 2);
    assert.equal(config.jobLeaseSeconds, 30);
    assert.equal(config.jobMaxAttempts, 3);
    assert.equal(config.jobRecheckSeconds, 30);
    assert.equal(config.jobWallSeconds, 600);
  });

  it('reads the variables and refuses bad values', () => {
    const config = loadConfig({ ASSAY_QUEUE: 'pgboss', DATABASE_URL: 'postgres://x@h/db', ASSAY_WORKERS: '0', ASSAY_JOB_LEASE_SECONDS: '5' });
    assert.equal(config.queueMode, 'pgboss');
    assert.equal(config.gradingWorkers, 0);
    assert.equal(config.jobLeaseSeconds, 5);
    assert.throws(() => loadConfig({ ASSAY_QUEUE: 'redis' }), ConfigError);
    assert.throws(() => loadConfig({ ASSAY_QUEUE: 'pgboss' }), /needs DATABASE_URL=postgres/);
    assert.throws(() => loadConfig({ ASSAY_JOB_LEASE_SECONDS: '0' }), ConfigError);
    assert.throws(() => loadConfig({ ASSAY_WORKERS: 'two' }), ConfigError);
    assert.throws(() => loadConfig({ ASSAY_JOB_MAX_ATTEMPTS: '0' }), ConfigError);
    assert.throws(() => loadConfig({ ASSAY_QUEUE: 'pgboss', DATABASE_URL: 'postgres://x@h/db', DATABASE_SCHEMA: 'a'.repeat(60) }), ConfigError);
  });
});
