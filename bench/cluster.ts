/**
 * Cluster benchmark under faults: `npm run bench:cluster`. On PostgreSQL (a database of its own,
 * created if missing, a fresh schema in it per run) with the S3 blob store (s3rver, a real S3
 * protocol server, started here):
 *
 * 1. Baseline: one `assay serve` and one `assay worker`, BENCH_BASELINE submissions; results per second.
 * 2. Cluster: a second server (another port) and a second worker join; a burst of BENCH_SUBMISSIONS
 *    submissions, Assay's API and Hive's in turn, round robin over both servers. When a third of it
 *    is accepted, the second server and the second worker are killed with SIGKILL (the worker while
 *    it grades), and started again BENCH_DOWN_SECONDS later. A submission the killed server does not
 *    answer is sent to the other (as a load balancer would).
 *
 * Printed: accepted, lost (accepted, never graded), graded twice (two outcomes of a job or two
 * feedback rows of a submission), results per second of the cluster against the baseline measured
 * in the same run, and the wait (accepted to graded) p50/p95. Every process runs on this machine:
 * the servers, the workers, their sandboxes, PostgreSQL, s3rver and the client share its cores.
 *
 * Environment: BENCH_PG_URL (default postgres://root@127.0.0.1:5432/assay_cluster_bench; never the
 * tests' database), BENCH_SUBMISSIONS (2000), BENCH_BASELINE (300), BENCH_WORKER_CONCURRENCY (2),
 * BENCH_CONNECTIONS (16), BENCH_DOWN_SECONDS (3), BENCH_LEASE_SECONDS (5).
 */
import crypto from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { dropPostgresSchema } from '../src/db/database.ts';
import { BenchError, ensureDatabase } from './harness.ts';
import { ClusterLab, type Member, type Outcome, type Sent } from '../test/helpers/cluster.ts';
import { startS3rver } from '../test/helpers/s3rver.ts';

const env = process.env;
const PG_URL = env.BENCH_PG_URL ?? 'postgres://root@127.0.0.1:5432/assay_cluster_bench';
const SUBMISSIONS = Number(env.BENCH_SUBMISSIONS ?? 2000);
const BASELINE = Number(env.BENCH_BASELINE ?? 300);
const CONCURRENCY = Number(env.BENCH_WORKER_CONCURRENCY ?? 2);
const CONNECTIONS = Number(env.BENCH_CONNECTIONS ?? 16);
const DOWN_SECONDS = Number(env.BENCH_DOWN_SECONDS ?? 3);
const LEASE_SECONDS = Number(env.BENCH_LEASE_SECONDS ?? 5);


const print = (line = '') => process.stdout.write(`${line}\n`);
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function freePort(): number {
  return 20000 + crypto.randomInt(20000);
}

function report(name: string, sent: Sent[], outcome: Outcome, elapsedMs: number): void {
  const byApi = (api: string) => sent.filter((s) => s.api === api && s.id !== null).length;
  const retried = sent.filter((s) => s.tries > 1).length;
  const refused = sent.filter((s) => s.id === null);
  print(`${name}:`);
  print(`  sent ${sent.length}, accepted ${outcome.accepted} (Assay's API ${byApi('assay')}, Hive's ${byApi('hive')}), not accepted ${refused.length}${refused.length ? ` ${JSON.stringify(refused.slice(0, 3))}` : ''}`);
  print(`  sent again to the other server after no answer: ${retried}`);
  print(`  lost ${outcome.lost}, graded twice ${outcome.gradedTwice}, jobs ${JSON.stringify(outcome.statuses)}`);
  print(`  ${outcome.perSecond.toFixed(2)} results/s; wait (accepted to graded) p50 ${secs(outcome.waitP50)}, p95 ${secs(outcome.waitP95)}; burst to last result ${secs(elapsedMs)}`);
}

async function main(): Promise<void> {
  await ensureDatabase(PG_URL);
  const schema = `cluster_${crypto.randomBytes(5).toString('hex')}`;
  const s3 = await startS3rver();
  let lab: ClusterLab | null = null;
  try {
    lab = await ClusterLab.open({ databaseUrl: PG_URL, schema, s3, leaseSeconds: LEASE_SECONDS, studentsPerApi: 25 });
    print(`bench:cluster: PostgreSQL ${new URL(PG_URL).pathname.slice(1)} (schema ${schema}), S3 store on s3rver ${s3.endpoint}, ${lab.students.length} students`);
    print(`workers: ${CONCURRENCY} jobs at once each; lease ${LEASE_SECONDS} s; client: ${CONNECTIONS} connections; machine: ${(await import('node:os')).cpus().length} cores`);
    print();

    // 1. Baseline: one server, one worker.
    const portA = freePort();
    let portB = freePort();
    while (portB === portA) portB = freePort();
    const serverA = await lab.startServer('server-1', portA);
    const workerA = await lab.startWorker('worker-1', CONCURRENCY);
    let t0 = performance.now();
    const baseSent = await lab.burst(BASELINE, CONNECTIONS, () => [serverA]);
    const baseline = await lab.outcome(baseSent, 30 * 60_000);
    report(`1. baseline: 1 server + 1 worker, ${BASELINE} submissions`, baseSent, baseline, performance.now() - t0);
    print();

    // 2. The cluster: two servers, two workers, a burst, one server and one worker killed and started again.
    const servers: Member[] = [serverA, await lab.startServer('server-2', portB)];
    await lab.startWorker('worker-2', CONCURRENCY);
    const workerB = [...lab.members].find((m) => m.name === 'worker-2')!;
    const killAt = Math.floor(SUBMISSIONS / 3);
    const events: string[] = [];
    let chaos: Promise<void> | null = null;
    t0 = performance.now();
    const at = () => secs(performance.now() - t0);
    const sent = await lab.burst(SUBMISSIONS, CONNECTIONS, () => servers, (accepted) => {
      if (accepted !== killAt || chaos) return;
      chaos = (async () => {
        const running = await lab!.running();
        await Promise.all([lab!.kill(servers[1]!), lab!.kill(workerB)]);
        events.push(`${at()}: SIGKILL server-2 and worker-2 (${accepted} accepted, ${running} jobs running)`);
        await new Promise((r) => setTimeout(r, DOWN_SECONDS * 1000));
        const restart = performance.now();
        const [server] = await Promise.all([lab!.startServer('server-2b', portB), lab!.startWorker('worker-2b', CONCURRENCY)]);
        servers[1] = server;
        events.push(`${at()}: server-2 and worker-2 started again (up in ${secs(performance.now() - restart)})`);
      })();
    });
    await chaos;
    events.push(`${at()}: burst sent`);
    const outcome = await lab.outcome(sent, 60 * 60_000);
    events.push(`${at()}: last result`);
    report(`2. cluster: 2 servers + 2 workers, ${SUBMISSIONS} submissions, one server and one worker killed mid-burst`, sent, outcome, performance.now() - t0);
    for (const e of events) print(`  ${e}`);
    const served = (name: string) => sent.filter((s) => s.id !== null && s.server.startsWith(name)).length;
    print(`  accepted by server-1 ${served('server-1')}, by server-2 (before and after its restart) ${served('server-2')}`);
    print();
    print('summary:');
    print(`  accepted ${outcome.accepted} of ${SUBMISSIONS}`);
    print(`  lost ${outcome.lost}`);
    print(`  graded twice ${outcome.gradedTwice}`);
    print(`  results/s: cluster ${outcome.perSecond.toFixed(2)} (with the kill), 1 server + 1 worker ${baseline.perSecond.toFixed(2)} (same run): ${(outcome.perSecond / baseline.perSecond).toFixed(2)}x`);
    print(`  p95 wait: cluster ${secs(outcome.waitP95)}, 1 server + 1 worker ${secs(baseline.waitP95)}`);
    void workerA;
    if (outcome.lost !== 0 || outcome.gradedTwice !== 0 || outcome.accepted !== SUBMISSIONS) process.exitCode = 1;
  } finally {
    await lab?.close();
    await s3.stop();
    await dropPostgresSchema(PG_URL, schema).catch(() => undefined);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:cluster: ${err instanceof BenchError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
