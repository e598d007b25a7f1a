import http from 'node:http';
import client from 'prom-client';
import type { Config } from '../config.ts';
import type { JobRunner } from '../grading/queue/index.ts';
import { createSandboxRunner } from '../grading/engine/runner.ts';
import { registerGradingMetrics, startWorkerPool } from '../grading/queue/index.ts';
import { openRuntime } from '../runtime.ts';

export interface WorkerOptions {
  concurrency: number;
  /** Serve this process's grading metrics on http://0.0.0.0:<port>/metrics. */
  metricsPort?: number;
  runner?: JobRunner;
  /** How long running jobs may take to finish on SIGTERM/SIGINT before they are given back. */
  graceMs?: number;
}

/**
 * `assay worker`: grading workers without the HTTP server, on any machine that reaches the
 * database. With ASSAY_QUEUE=pgboss jobs come from pg-boss; otherwise from the lease table.
 */
export async function worker(config: Config, options: WorkerOptions): Promise<void> {
  const runtime = await openRuntime(config);
  const queue = runtime.services.grading;
  await queue.start();
  const log = (line: string) => process.stderr.write(`assay worker: ${line}\n`);
  const pool = startWorkerPool(queue, options.runner ?? createSandboxRunner(runtime.services), config, {
    concurrency: options.concurrency,
    onError: (e, context) => log(`${context}: ${e instanceof Error ? e.message : String(e)}`),
  });
  let server: http.Server | null = null;
  if (options.metricsPort !== undefined) {
    const registry = new client.Registry();
    client.collectDefaultMetrics({ register: registry, prefix: 'assay_worker_' });
    registerGradingMetrics(registry, queue);
    server = http.createServer((req, res) => {
      if (req.url !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
    });
    server.listen(options.metricsPort);
  }
  process.stdout.write(`assay worker: ${options.concurrency} workers on the ${queue.mode} queue\n`);
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    await pool.stop(options.graceMs ?? 10_000);
    server?.close();
    await queue.close();
    await runtime.close();
    process.exit(0);
  };
  // A signal handler has no caller to hand a failure to: a shutdown that fails says so and ends.
  const onSignal = () => {
    shutdown().catch((err: unknown) => {
      process.stderr.write(`assay worker: shutdown failed: ${(err as Error).message}\n`);
      process.exit(1);
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
