import { buildApp } from '../app.ts';
import type { Config } from '../config.ts';
import { createSandboxRunner } from '../grading/engine/runner.ts';
import { startWorkerPool } from '../grading/queue/index.ts';
import type { WorkerPool } from '../grading/queue/index.ts';
import { defaultSandbox } from '../grading/sandbox/index.ts';
import { ensureAdmin, openRuntime } from '../runtime.ts';
import { startScheduleJobs } from '../core/schedule/schedule-jobs.ts';

/**
 * `assay serve`: migrate, make sure an admin exists, start the in-process grading workers
 * (ASSAY_WORKERS), listen, and shut down cleanly on a signal.
 */
export async function serve(config: Config): Promise<void> {
  const runtime = await openRuntime(config);
  const { services } = runtime;
  const admin = await ensureAdmin(services);
  if (admin?.generatedPassword) {
    process.stdout.write(
      `\n  Created the admin account "${admin.username}".\n  Its password (shown only this once): ${admin.generatedPassword}\n\n`,
    );
  }
  const app = await buildApp(services);
  await services.grading.start();
  let pool: WorkerPool | null = null;
  if (config.gradingWorkers > 0) {
    // Without a working sandbox the server still serves; jobs wait (see /healthz) until it works.
    await defaultSandbox()
      .warm()
      .catch((err: unknown) => app.log.warn(`grading sandbox unavailable: ${err instanceof Error ? err.message : String(err)}`));
    pool = startWorkerPool(services.grading, createSandboxRunner(services), config, {
      onError: (err, context) => app.log.error({ err, context }, 'grading worker error'),
    });
  }
  const scheduleJobs = startScheduleJobs(services, { info: (m) => app.log.info(m), error: (m) => app.log.error(m) });
  let closing = false;
  const shutdown = async () => {
    if (closing) return;
    closing = true;
    scheduleJobs.stop();
    await app.close();
    await pool?.stop();
    await defaultSandbox().close();
    await runtime.close();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  await app.listen({ port: config.port, host: config.host });
}
