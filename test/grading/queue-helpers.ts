import type { Clock } from '../../src/core/clock.ts';
import { systemClock } from '../../src/core/clock.ts';
import { dropPostgresSchema } from '../../src/db/database.ts';
import type { GradingQueue, JobRunner } from '../../src/grading/queue/index.ts';
import { EmbeddedQueue, PgBossQueue, pgBossSchema, WorkerPool } from '../../src/grading/queue/index.ts';
import type { WorkerPoolOptions } from '../../src/grading/queue/worker-pool.ts';
import type { TestServer } from '../helpers/harness.ts';
import { engineUnderTest, startTestServer } from '../helpers/harness.ts';
import { makeCourseTree, makeExercise } from '../helpers/fixtures.ts';

export type Mode = 'embedded' | 'pgboss';
/** Every queue the engine under test supports: pg-boss only on PostgreSQL. */
export const modes: Mode[] = engineUnderTest === 'postgres' ? ['embedded', 'pgboss'] : ['embedded'];

export interface QueueOptions {
  clock?: Clock;
  leaseSeconds?: number;
  maxAttempts?: number;
  recheckSeconds?: number;
}

export interface Course {
  courseId: number;
  exerciseId: number;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns a truthy value (returned) or `timeoutMs` passes (throws). */
export async function waitFor<T>(what: string, check: () => Promise<T> | T, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/**
 * One test server (a fresh database) with two courses, plus the queues and pools a test opens,
 * all closed at the end. Queues share the server's database like separate servers would.
 */
export class QueueLab {
  server!: TestServer;
  courseA!: Course;
  courseB!: Course;
  private queues: GradingQueue[] = [];
  private pools: WorkerPool[] = [];

  async open(): Promise<void> {
    this.server = await startTestServer();
    this.courseA = await this.course();
    this.courseB = await this.course();
  }

  async course(): Promise<Course> {
    const tree = await makeCourseTree(this.server);
    const exercise = await makeExercise(this.server, tree.module.id);
    return { courseId: tree.program.id, exerciseId: exercise.id };
  }

  get db() {
    return this.server.services.db;
  }

  queue(mode: Mode, options: QueueOptions = {}): GradingQueue {
    const settings = { leaseSeconds: options.leaseSeconds ?? 30, maxAttempts: options.maxAttempts ?? 3, recheckSeconds: options.recheckSeconds ?? 30 };
    const deps = { db: this.db, engine: this.server.services.engine, clock: options.clock ?? systemClock, settings };
    const queue =
      mode === 'pgboss'
        ? new PgBossQueue({ ...deps, url: this.server.config.databaseUrl, schema: this.server.config.databaseSchema, wallSeconds: 60, maintenanceIntervalSeconds: 1 })
        : new EmbeddedQueue(deps);
    this.queues.push(queue);
    return queue;
  }

  /** A started pool with test-speed timings (the lease must match the queue's). */
  pool(queue: GradingQueue, runner: JobRunner, options: Partial<WorkerPoolOptions> = {}): WorkerPool {
    const pool = new WorkerPool(queue, runner, {
      concurrency: 1,
      leaseSeconds: 30,
      recheckSeconds: 30,
      idlePollMs: 20,
      recoverEveryMs: 200,
      onError: (e, context) => process.stderr.write(`pool ${context}: ${e instanceof Error ? e.stack : String(e)}\n`),
      ...options,
    });
    pool.start();
    this.pools.push(pool);
    return pool;
  }

  /** Stops the pools and closes the queues a test opened, and empties the job tables. */
  async reset(): Promise<void> {
    await Promise.all(this.pools.map((p) => p.stop(500)));
    await Promise.all(this.queues.map((q) => q.close()));
    this.pools = [];
    this.queues = [];
    await this.db.deleteFrom('grading_job_events').execute();
    await this.db.deleteFrom('grading_jobs').execute();
    // Under the schema lock: a server migrating meanwhile (any test file's) inspects every schema's
    // tables, and a table dropped in the middle of that inspection fails its start.
    if (engineUnderTest === 'postgres') await dropPostgresSchema(this.server.config.databaseUrl, pgBossSchema(this.server.config.databaseSchema));
  }

  async close(): Promise<void> {
    await this.reset();
    await this.server.close();
  }

  /** A submission row (with its assignment) for `course`'s exercise. */
  async submission(course: Course, options: { assignmentId?: number; number?: number } = {}): Promise<{ id: number; assignmentId: number }> {
    const now = this.server.services.clock.now();
    const assignmentId =
      options.assignmentId ??
      (
        await this.db
          .insertInto('assignments')
          .values({ exercise_id: course.exerciseId, last_staff_updated: now, created_at: now, updated_at: now })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    const row = await this.db
      .insertInto('submissions')
      .values({ assignment_id: assignmentId, number: options.number ?? 1, created_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { id: row.id, assignmentId };
  }
}
