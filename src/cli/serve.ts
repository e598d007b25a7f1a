import { buildApp } from '../app.ts';
import type { Config } from '../config.ts';
import type { EmbeddedWorkers } from '../grading/thread/embedded-workers.ts';
import { startEmbeddedWorkers } from '../grading/thread/embedded-workers.ts';
import { ensureAdmin, openRuntime } from '../runtime.ts';
import { startScheduleJobs } from '../core/schedule/schedule-jobs.ts';

/**
 * `assay serve`: migrate, make sure an admin exists, start the grading workers (a thread of their own on PostgreSQL)
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
  let workers: EmbeddedWorkers | null = null;
  if (config.gradingWorkers > 0) {
    // Without a working sandbox the server still serves; jobs wait (see /healthz) until it works.
    workers = await startEmbeddedWorkers(services, config, {
      onError: (err, context) => app.log.error({ err, context }, 'grading worker error'),
      onSandboxProblem: (message) => app.log.warn(`grading sandbox unavailable: ${message}`),
    });
  }
  const scheduleJobs = startScheduleJobs(services, { info: (m) => app.log.info(m), error: (m) => app.log.error(m) });
  let closing = false;
  const shutdown = async (code = 0) => {
    if (closing) return;
    closing = true;
    scheduleJobs.stop();
    await app.close();
    await workers?.stop();
    await runtime.close();
    process.exit(code);
  };
  // A signal handler has no caller to hand a failure to: a shutdown that fails says so and ends.
  const onSignal = () => {
    shutdown().catch((err: unknown) => {
      process.stderr.write(`assay: shutdown failed: ${(err as Error).message}\n`);
      process.exit(1);
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    // The workers, the schedule jobs and the database would keep a server that cannot listen alive.
    process.stderr.write(`assay: ${listenProblem(err, config)}\n`);
    await shutdown(1);
  }
}

function listenProblem(err: unknown, config: Config): string {
  const where = `${config.host}:${config.port}`;
  const code = (err as { code?: string }).code;
  if (code === 'EADDRINUSE') return `cannot listen on ${where}: the port is already in use (set PORT or --port)`;
  if (code === 'EACCES') return `cannot listen on ${where}: permission denied`;
  return `cannot listen on ${where}: ${err instanceof Error ? err.message : String(err)}`;
}
