import type { Config } from '../../config.ts';
import type { MetricObservation } from '../queue/metrics.ts';
import type { JobChange } from '../queue/types.ts';

/** What the grading thread is started with. */
export interface GradingThreadData {
  config: Config;
  concurrency: number;
}

export type ToGradingThread = { kind: 'wake' } | { kind: 'stop'; graceMs: number };

export type FromGradingThread =
  | { kind: 'ready'; sandboxProblem: string | null }
  | { kind: 'metric'; observation: MetricObservation }
  | { kind: 'job-changed'; change: JobChange }
  | { kind: 'error'; context: string; message: string }
  | { kind: 'stopped' }
  | { kind: 'failed'; message: string };
