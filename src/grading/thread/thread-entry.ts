import { parentPort, workerData } from 'node:worker_threads';
import { openRuntime } from '../../runtime.ts';
import { createSandboxRunner } from '../engine/runner.ts';
import { startWorkerPool } from '../queue/index.ts';
import { defaultSandbox } from '../sandbox/index.ts';
import type { FromGradingThread, GradingThreadData, ToGradingThread } from './messages.ts';

/**
 * The grading thread (see embedded-workers.ts): its own database connections, its own sandbox
 * launchers and the worker pool, on an event loop that the server's HTTP traffic does not share.
 */
const port = parentPort!;
const { config, concurrency } = workerData as GradingThreadData;
const send = (message: FromGradingThread) => port.postMessage(message);
const text = (e: unknown) => (e instanceof Error ? e.message : String(e));

try {
  const runtime = await openRuntime(config, { migrate: false, eventsAcrossServers: false });
  const queue = runtime.services.grading;
  queue.metrics.relayTo((observation) => send({ kind: 'metric', observation }));
  queue.onJobChanged((change) => send({ kind: 'job-changed', change }));
  await queue.start();
  // Without a working sandbox the jobs wait (see /healthz) until it works.
  const sandboxProblem = await defaultSandbox()
    .warm()
    .then(() => null, text);
  const pool = startWorkerPool(queue, createSandboxRunner(runtime.services), config, {
    concurrency,
    onError: (e, context) => send({ kind: 'error', context, message: text(e) }),
  });
  port.on('message', (message: ToGradingThread) => {
    if (message.kind === 'wake') queue.wake();
    if (message.kind === 'stop') {
      void (async () => {
        await pool.stop(message.graceMs);
        await defaultSandbox().close();
        await runtime.close();
        send({ kind: 'stopped' });
        port.close();
      })();
    }
  });
  send({ kind: 'ready', sandboxProblem });
} catch (e) {
  send({ kind: 'failed', message: text(e) });
  port.close();
}
