// A worker process for the crash test: it takes one job, says so, and hangs (heartbeating) until
// it is killed. Environment: DATABASE_URL / DATABASE_SCHEMA / ASSAY_DATA_DIR / ASSAY_QUEUE as for
// `assay`, plus ASSAY_JOB_LEASE_SECONDS (short, so the test does not wait long).
import { loadConfig } from '../../src/config.ts';
import { systemClock } from '../../src/core/clock.ts';
import { openDatabase } from '../../src/db/database.ts';
import { createGradingQueue, WorkerPool } from '../../src/grading/queue/index.ts';

const config = loadConfig(process.env);
const handle = await openDatabase({ url: config.databaseUrl, schema: config.databaseSchema });
const queue = createGradingQueue({ db: handle.db, engine: handle.engine, clock: systemClock, config });
await queue.start();
const pool = new WorkerPool(
  queue,
  async (job) => {
    process.stdout.write(`running ${job.id}\n`);
    return new Promise(() => {});
  },
  { concurrency: 1, leaseSeconds: config.jobLeaseSeconds, recheckSeconds: config.jobRecheckSeconds, idlePollMs: 50, workerIdPrefix: `child-${process.pid}` },
);
pool.start();
