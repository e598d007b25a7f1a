import type { Worker } from 'node:worker_threads';
import type { Config } from '../../config.ts';
import type { Services } from '../../core/services.ts';
import { createSandboxRunner } from '../engine/runner.ts';
import { startWorkerPool } from '../queue/index.ts';
import { defaultSandbox } from '../sandbox/index.ts';
import type { FromGradingThread, GradingThreadData, ToGradingThread } from './messages.ts';
import { startTsWorker } from './ts-worker.ts';

export interface EmbeddedWorkersOptions {
  /** Workers (default ASSAY_WORKERS). */
  concurrency?: number;
  onError?: (error: unknown, context: string) => void;
  /** Told when the sandbox does not work here (jobs then wait until it does). */
  onSandboxProblem?: (message: string) => void;
}

export interface EmbeddedWorkers {
  /** `thread` on PostgreSQL, `in-process` on SQLite (see startEmbeddedWorkers). */
  readonly where: 'thread' | 'in-process';
  /** Lets running jobs finish for `graceMs`, gives the rest back to the queue, stops the sandbox's launchers. */
  stop(graceMs?: number): Promise<void>;
}

const RESTART_DELAY_MS = 1000;

/**
 * The server's own grading workers (ASSAY_WORKERS). On PostgreSQL they run in a worker thread with
 * their own connections, so a burst of HTTP requests does not hold up the steps of running jobs
 * (each is an event-loop turn away) and spawning sandboxes does not hold up HTTP answers; a thread
 * that dies is started again. On SQLite they stay on the server's event loop and its one
 * connection: a second connection would be a second writer taking turns with the server's.
 */
export async function startEmbeddedWorkers(services: Services, config: Config, options: EmbeddedWorkersOptions = {}): Promise<EmbeddedWorkers> {
  const concurrency = options.concurrency ?? config.gradingWorkers;
  if (services.engine !== 'postgres') {
    const problem = await defaultSandbox()
      .warm()
      .then(() => null, (e: unknown) => (e instanceof Error ? e.message : String(e)));
    if (problem) options.onSandboxProblem?.(problem);
    const pool = startWorkerPool(services.grading, createSandboxRunner(services), config, { concurrency, onError: options.onError });
    return {
      where: 'in-process',
      async stop(graceMs) {
        await pool.stop(graceMs);
        await defaultSandbox().close();
      },
    };
  }
  return GradingThread.start(services, { config, concurrency }, options);
}

class GradingThread implements EmbeddedWorkers {
  readonly where = 'thread' as const;
  private worker: Worker | null = null;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | null = null;

  private constructor(
    private readonly services: Services,
    private readonly data: GradingThreadData,
    private readonly options: EmbeddedWorkersOptions,
  ) {
    services.grading.onEnqueued(() => this.post({ kind: 'wake' }));
  }

  static async start(services: Services, data: GradingThreadData, options: EmbeddedWorkersOptions): Promise<GradingThread> {
    const thread = new GradingThread(services, data, options);
    await thread.launch();
    return thread;
  }

  /** Starts the thread; resolves once its workers run, rejects if it could not start. */
  private launch(): Promise<void> {
    const worker = startTsWorker(new URL('./thread-entry.ts', import.meta.url), { workerData: this.data });
    this.worker = worker;
    return new Promise<void>((resolve, reject) => {
      let ready = false;
      worker.on('message', (message: FromGradingThread) => {
        switch (message.kind) {
          case 'ready':
            ready = true;
            if (message.sandboxProblem) this.options.onSandboxProblem?.(message.sandboxProblem);
            resolve();
            break;
          case 'failed':
            reject(new Error(`the grading thread could not start: ${message.message}`));
            break;
          case 'metric':
            this.services.grading.metrics.apply(message.observation);
            break;
          case 'job-changed':
            this.services.grading.jobChanged(message.change);
            break;
          case 'error':
            this.options.onError?.(new Error(message.message), message.context);
            break;
          case 'stopped':
            // Everything in it is closed: nothing is lost by ending it now rather than when its loop empties.
            void worker.terminate();
            break;
        }
      });
      worker.on('error', (e) => {
        if (!ready) reject(e);
        else this.options.onError?.(e, 'grading thread');
      });
      worker.on('exit', (code) => {
        if (this.worker === worker) this.worker = null;
        if (!ready) reject(new Error(`the grading thread exited (code ${code}) before it started`));
        else if (!this.stopping) this.restartLater(code);
      });
    });
  }

  private restartLater(code: number): void {
    this.options.onError?.(new Error(`the grading thread exited (code ${code}); starting it again`), 'grading thread');
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.stopping) return;
      this.launch().catch((e: unknown) => {
        this.options.onError?.(e, 'grading thread');
        if (!this.stopping) this.restartLater(1);
      });
    }, RESTART_DELAY_MS);
  }

  private post(message: ToGradingThread): void {
    this.worker?.postMessage(message);
  }

  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ kind: 'stop', graceMs } satisfies ToGradingThread);
    // The thread gives its jobs back after graceMs; past that and a margin, it is ended.
    const timer = setTimeout(() => void worker.terminate(), graceMs + 10_000);
    await exited;
    clearTimeout(timer);
  }
}
