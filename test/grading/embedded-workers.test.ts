import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { syncCourseDirectory } from '../../src/core/courses/course-sync.ts';
import { sandboxWorks } from './sandbox-helpers.ts';
import type { EmbeddedWorkers } from '../../src/grading/thread/embedded-workers.ts';
import { startEmbeddedWorkers } from '../../src/grading/thread/embedded-workers.ts';
import { ensureAdmin } from '../../src/runtime.ts';
import { makeStudent } from '../helpers/fixtures.ts';
import { engineUnderTest, startTestServer } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';
import { sleep, waitFor } from './queue-helpers.ts';

const EXAMPLE = path.resolve('examples/intro-python');
const haveSandbox = await sandboxWorks();
const toMs = (t: string) => Date.parse(t);

/** The server's own workers as `assay serve` starts them: a thread of their own on PostgreSQL, the server's event loop on SQLite. */
describe(`the server's grading workers on ${engineUnderTest}`, { skip: haveSandbox ? false : 'bubblewrap is not usable here' }, () => {
  let server: TestServer;
  let workers: EmbeddedWorkers | null = null;
  let exerciseId: number;
  let student: Awaited<ReturnType<typeof makeStudent>>;
  const errors: string[] = [];

  before(async () => {
    server = await startTestServer();
    await ensureAdmin(server.services);
    const report = await syncCourseDirectory(server.services, EXAMPLE);
    const row = await server.services.db.selectFrom('exercises').select('id').where('course_id', '=', report.courseId).where('slug', '=', 'greet').executeTakeFirstOrThrow();
    exerciseId = row.id;
    student = await makeStudent(server, report.courseId);
    workers = await startEmbeddedWorkers(server.services, server.services.config, {
      concurrency: 2,
      onError: (e, context) => errors.push(`${context}: ${(e as Error).message}`),
    });
  });
  after(async () => {
    await workers?.stop();
    await server.close();
  });

  async function submit() {
    const actor = { id: student.id, username: student.username, clearance: 1 as const };
    const files = [];
    const dir = path.join(EXAMPLE, 'greet/solution');
    for (const name of fs.readdirSync(dir)) files.push({ path: name, blob: await server.services.files.store(fs.readFileSync(path.join(dir, name))) });
    return { actor, submission: await server.services.submissions.submit(actor, exerciseId, { files }) };
  }

  async function graded(actor: { id: number; username: string; clearance: 1 }, id: number) {
    return waitFor(`submission ${id} graded`, async () => {
      const grading = (await server.services.submissions.get(actor, id)).grading;
      return grading && (grading.status === 'done' || grading.status === 'failed') ? grading : null;
    }, 30_000);
  }

  it('runs where the engine says: in a thread of its own on PostgreSQL, on the server event loop on SQLite', () => {
    assert.equal(workers!.where, engineUnderTest === 'postgres' ? 'thread' : 'in-process');
  });

  it('grades a submission in the real sandbox and records it once, with the whole timeline', async () => {
    const { actor, submission } = await submit();
    const grading = await graded(actor, submission.id);
    assert.equal(grading.status, 'done');
    assert.equal(grading.outcome, 'success');
    assert.equal(grading.score, 100);
    assert.deepEqual(grading.timeline.map((e) => e.action), ['started', 'prepared', 'running', 'finished', 'success']);
    const feedback = await server.services.db.selectFrom('feedback').select('id').where('submission_id', '=', submission.id).execute();
    assert.equal(feedback.length, 1);
    assert.deepEqual(errors, []);
  });

  it("counts the outcomes in the server's metrics, wherever the job ran", async () => {
    const before = await successes();
    const { actor, submission } = await submit();
    await graded(actor, submission.id);
    // The thread tells its observations after the commit: they arrive shortly after the result.
    await waitFor('the outcome counted', async () => ((await successes()) === before + 1 ? true : null));
    const wait = await server.services.grading.metrics.waitSeconds.get();
    assert.ok(wait.values.some((v) => v.metricName === 'assay_grading_job_wait_seconds_count' && v.value >= 1));
  });

  it('starts on a job as soon as it is enqueued, not at its next look at the queue', async () => {
    // An idle worker looks every second by itself; told of an enqueue, it claims at once.
    const waits: number[] = [];
    for (let i = 0; i < 3; i++) {
      const { actor, submission } = await submit();
      await graded(actor, submission.id);
      const job = await server.services.db.selectFrom('grading_jobs').select(['created_at', 'started_at']).where('submission_id', '=', submission.id).executeTakeFirstOrThrow();
      waits.push(toMs(job.started_at!) - toMs(job.created_at));
      await sleep(1100);
    }
    assert.ok(waits.every((w) => w < 400), `waits of ${waits.join(', ')} ms`);
  });

  it('takes no job once stopped, and leaves it queued for the next workers', async () => {
    await workers!.stop();
    workers = null;
    const { submission } = await submit();
    await sleep(1500);
    const job = await server.services.db.selectFrom('grading_jobs').select('status').where('submission_id', '=', submission.id).executeTakeFirstOrThrow();
    assert.equal(job.status, 'queued');
    workers = await startEmbeddedWorkers(server.services, server.services.config, { concurrency: 1 });
    await waitFor('the queued job done by the new workers', async () => {
      const row = await server.services.db.selectFrom('grading_jobs').select('status').where('submission_id', '=', submission.id).executeTakeFirstOrThrow();
      return row.status === 'done' ? row : null;
    }, 30_000);
  });

  async function successes(): Promise<number> {
    const counted = await server.services.grading.metrics.outcomes.get();
    return counted.values.find((v) => v.labels.outcome === 'success')?.value ?? 0;
  }
});
