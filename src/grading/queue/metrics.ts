import client from 'prom-client';
import type { Timestamp } from '../../core/clock.ts';
import { timestampToMicros } from '../../core/clock.ts';
import type { GradingQueue } from './types.ts';
import { JOB_STATUSES } from './types.ts';

/** How a run (or an attempt) ended, as counted by `assay_grading_job_outcomes_total`. */
export type OutcomeLabel = 'success' | 'error' | 'no_check' | 'retry' | 'failed' | 'waiting' | 'released';

const SECONDS_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

/** One observation, as the grading thread sends it to the server's metrics. */
export type MetricObservation =
  | { kind: 'wait'; createdAt: Timestamp; startedAt: Timestamp }
  | { kind: 'end'; outcome: OutcomeLabel; startedAt: Timestamp | null; endedAt: Timestamp };

/**
 * The queue's own metrics, observed where the job changes state. They belong to no registry
 * until `registerGradingMetrics` adds them to one (the server's `/metrics`, or a worker's). In the
 * grading thread they are relayed to the server's instance instead (see relayTo and apply).
 */
export class GradingMetrics {
  private relay: ((observation: MetricObservation) => void) | null = null;

  readonly waitSeconds = new client.Histogram({
    name: 'assay_grading_job_wait_seconds',
    help: 'Time from enqueue to the first start of a grading job',
    buckets: SECONDS_BUCKETS,
    registers: [],
  });
  readonly runSeconds = new client.Histogram({
    name: 'assay_grading_job_run_seconds',
    help: 'Time from the start of an attempt to its end, by how it ended',
    labelNames: ['outcome'],
    buckets: SECONDS_BUCKETS,
    registers: [],
  });
  readonly outcomes = new client.Counter({
    name: 'assay_grading_job_outcomes_total',
    help: 'Grading attempts by how they ended: success, error, no_check (recorded results), retry, failed, waiting, released',
    labelNames: ['outcome'],
    registers: [],
  });

  observeWait(createdAt: Timestamp, startedAt: Timestamp): void {
    this.apply({ kind: 'wait', createdAt, startedAt });
  }

  observeEnd(outcome: OutcomeLabel, startedAt: Timestamp | null, endedAt: Timestamp): void {
    this.apply({ kind: 'end', outcome, startedAt, endedAt });
  }

  /** From now on, hands every observation to `send` instead of recording it here. */
  relayTo(send: (observation: MetricObservation) => void): void {
    this.relay = send;
  }

  apply(o: MetricObservation): void {
    if (this.relay) return this.relay(o);
    if (o.kind === 'wait') {
      this.waitSeconds.observe(secondsBetween(o.createdAt, o.startedAt));
      return;
    }
    this.outcomes.inc({ outcome: o.outcome });
    if (o.startedAt) this.runSeconds.observe({ outcome: o.outcome }, secondsBetween(o.startedAt, o.endedAt));
  }
}

function secondsBetween(from: Timestamp, to: Timestamp): number {
  return Math.max(0, Number(timestampToMicros(to) - timestampToMicros(from)) / 1e6);
}

/**
 * Adds the queue's metrics to `registry`: its histograms and counter, and a gauge of the jobs in
 * each status read from the database at every scrape (so it is right whichever process ran them).
 */
export function registerGradingMetrics(registry: client.Registry, queue: GradingQueue): void {
  registry.registerMetric(queue.metrics.waitSeconds);
  registry.registerMetric(queue.metrics.runSeconds);
  registry.registerMetric(queue.metrics.outcomes);
  new client.Gauge({
    name: 'assay_grading_queue_jobs',
    help: 'Grading jobs by status (queued, running and waiting make the queue depth)',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const depth = await queue.depth();
      for (const status of JOB_STATUSES) this.set({ status }, depth[status]);
    },
  });
}
