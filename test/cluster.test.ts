/**
 * The small chaos run of README "Scaling out" (`npm run bench:cluster` is the big one): two
 * `assay serve` processes and one `assay worker` on one PostgreSQL schema and one S3 bucket
 * (s3rver), 100 submissions through Assay's API and Hive's spread over both servers, and the worker
 * killed with SIGKILL while it grades, then started again. None accepted is lost, none graded twice.
 * A browser following a submission on server 2 hears the result the worker process records (the
 * live events' bus across servers, PostgreSQL LISTEN/NOTIFY).
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { dropPostgresSchema } from '../src/db/database.ts';
import { sandboxWorks } from './grading/sandbox-helpers.ts';
import { ClusterLab, type Member } from './helpers/cluster.ts';
import { engineUnderTest } from './helpers/harness.ts';
import { startS3rver, type S3rverProcess } from './helpers/s3rver.ts';

const SUBMISSIONS = 100;
const haveSandbox = await sandboxWorks();
const skip = engineUnderTest !== 'postgres' ? 'servers and workers share a PostgreSQL database' : !haveSandbox ? 'bubblewrap is not usable here' : false;

describe('two servers and a worker killed mid-burst (PostgreSQL, S3)', { skip }, () => {
  const url = process.env.DATABASE_URL!;
  const schema = `t_${crypto.randomBytes(6).toString('hex')}`;
  let s3: S3rverProcess;
  let lab: ClusterLab;
  let servers: Member[];
  let worker: Member;

  before(async () => {
    s3 = await startS3rver();
    lab = await ClusterLab.open({ databaseUrl: url, schema, s3, leaseSeconds: 2, studentsPerApi: 5 });
    servers = await Promise.all([lab.startServer('server-1', 18000 + Math.floor(Math.random() * 2000)), lab.startServer('server-2', 20000 + Math.floor(Math.random() * 2000))]);
  });
  after(async () => {
    await lab?.close();
    await s3?.stop();
    await dropPostgresSchema(url, schema);
  });

  it('loses no accepted submission and grades none twice; a browser on one server follows a grading done by the worker', async (t) => {
    // Before any worker runs: a submission through server 1, followed live on server 2.
    const { token } = lab.students[0]!;
    const form = new FormData();
    form.append('file', new Blob(['42\n']), 'answer.txt');
    const made = await fetch(`${servers[0]!.base}/api/assay/v1/exercises/${lab.exerciseId}/submissions/`, { method: 'POST', body: form, headers: { authorization: `Bearer ${token}` } });
    assert.equal(made.status, 201);
    const probe = ((await made.json()) as { id: number }).id;
    const abort = new AbortController();
    const stream = await fetch(`${servers[1]!.base}/api/assay/v1/events/?submission=${probe}`, { headers: { authorization: `Bearer ${token}` }, signal: abort.signal });
    assert.equal(stream.status, 200);
    let heard = '';
    const listening = (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of stream.body!) {
        heard += decoder.decode(chunk as Uint8Array, { stream: true });
        if (/event: grading\ndata: \{[^\n]*"status":"done"/.test(heard)) return;
      }
    })().catch(() => undefined);

    worker = await lab.startWorker('worker-1', 3);
    let killed = false;
    const killing = (async () => {
      // Killed once it holds jobs (mid-grading), started again a moment later.
      for (let i = 0; i < 600 && (await lab.running()) === 0; i++) await new Promise((r) => setTimeout(r, 20));
      await lab.kill(worker);
      killed = true;
      worker = await lab.startWorker('worker-1b', 3);
    })();
    const sent = await lab.burst(SUBMISSIONS, 8, () => servers);
    await killing;
    assert.ok(killed);
    const outcome = await lab.outcome(sent, 60_000);
    await Promise.race([listening, new Promise((r) => setTimeout(r, 10_000))]);
    abort.abort();
    assert.match(heard, /event: grading\ndata: \{[^\n]*"status":"done"/, `server 2 heard the worker's result: ${heard}`);
    t.diagnostic(JSON.stringify(outcome));
    assert.equal(outcome.accepted, SUBMISSIONS, JSON.stringify(sent.filter((s) => s.id === null)));
    assert.deepEqual(new Set(sent.map((s) => s.server)), new Set(['server-1', 'server-2']));
    assert.equal(outcome.lost, 0, JSON.stringify(outcome.statuses));
    assert.equal(outcome.gradedTwice, 0);
    assert.deepEqual(outcome.statuses, { done: SUBMISSIONS });
    // Every grade came from the sandboxed check (the answer is right): nothing recorded half.
    const scores = await lab.runtime.services.db.selectFrom('feedback').select('points').execute();
    assert.equal(scores.length, SUBMISSIONS + 1);
    assert.ok(scores.every((s) => Number(s.points) > 0), JSON.stringify(scores.slice(0, 5)));
  });
});
