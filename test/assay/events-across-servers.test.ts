/**
 * Live events across servers: two real app instances on one database (one PostgreSQL schema), a
 * browser's SSE stream open on server B, and the result recorded by a worker of server A (or an
 * event published on A's bus) reaching it, through PostgreSQL LISTEN/NOTIFY, or Redis pub/sub
 * when ASSAY_REDIS_URL is set. The control case keeps each bus in its process: the stream on B
 * then hears nothing while a follower on A does. On SQLite the bus stays in the process.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { Delivered, LiveEvent } from '../../src/core/events/event-bus.ts';
import { topics } from '../../src/core/events/event-bus.ts';
import { eventChannel } from '../../src/db/pg-broadcast.ts';
import type { JobRunner, WorkerPool } from '../../src/grading/queue/index.ts';
import { startWorkerPool } from '../../src/grading/queue/index.ts';
import { openRuntime } from '../../src/runtime.ts';
import { freshDatabase, type FreshDatabase } from '../helpers/fresh-db.ts';
import type { TestServer } from '../helpers/harness.ts';
import { engineUnderTest } from '../helpers/harness.ts';
import { makeCourseTree, makeExercise, makeStudent } from '../helpers/fixtures.ts';

const REDIS_URL = process.env.ASSAY_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** One app instance of the pair, listening on a port of its own. */
interface Instance extends TestServer {
  base: string;
}

/** Two app instances on one fresh database (the second does not migrate: the first did). */
async function twoInstances(fresh: FreshDatabase, env: Record<string, string>, eventsAcrossServers: boolean): Promise<[Instance, Instance]> {
  const config = loadConfig({ ...fresh.env, ASSAY_WORKERS: '0', ...env });
  const start = async (migrate: boolean): Promise<Instance> => {
    const runtime = await openRuntime(config, { migrate, eventsAcrossServers });
    const app = await buildApp(runtime.services, { logger: false });
    await app.listen({ port: 0, host: '127.0.0.1' });
    return {
      app,
      services: runtime.services,
      config,
      dataDir: fresh.dataDir,
      base: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
      async close() {
        await app.close();
        await runtime.close();
      },
    };
  };
  const a = await start(true);
  return [a, await start(false)];
}

/** An SSE stream's text as it arrives. */
class Stream {
  text = '';
  private readonly abort = new AbortController();
  private constructor() {}

  static async open(base: string, token: string, query: string): Promise<Stream> {
    const stream = new Stream();
    const res = await fetch(`${base}/api/assay/v1/events/?${query}`, { headers: { authorization: `Bearer ${token}` }, signal: stream.abort.signal });
    if (res.status !== 200) assert.fail(`GET /events/ answered ${res.status}: ${await res.text()}`);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    void (async () => {
      for (;;) {
        const chunk = await reader.read().catch(() => ({ done: true as const, value: undefined }));
        if (chunk.done) return;
        stream.text += decoder.decode(chunk.value, { stream: true });
      }
    })();
    return stream;
  }

  /** The data of the `grading` events received so far. */
  grading(): { status: string; submission: number }[] {
    return this.text
      .split('\n\n')
      .filter((frame) => frame.includes('event: grading'))
      .map((frame) => JSON.parse(frame.split('\n').find((l) => l.startsWith('data: '))!.slice(6)) as { status: string; submission: number });
  }

  close(): void {
    this.abort.abort();
  }
}

async function until<T>(what: string, probe: () => T | null | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const runner: JobRunner = async (_job, context) => {
  await context.report({ action: 'prepared', payload: 'test' });
  return { outcome: 'no_check', summary: 'nothing to check' };
};

/** A course, an exercise and a student (signed in on server A: the signing secret is shared). */
async function scene(a: Instance) {
  const tree = await makeCourseTree(a);
  const exercise = await makeExercise(a, tree.module.id);
  const student = await makeStudent(a, tree.program.id);
  return { tree, exercise, student, token: student.api.token! };
}

async function submit(server: Instance, exerciseId: number, token: string): Promise<number> {
  const form = new FormData();
  form.append('file', new Blob(['print(1)\n']), 'main.py');
  const res = await fetch(`${server.base}/api/assay/v1/exercises/${exerciseId}/submissions/`, { method: 'POST', body: form, headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 201, await res.clone().text());
  return ((await res.json()) as { id: number }).id;
}

const inbox = (course: number, lockedBy: number | null = null): LiveEvent => ({ kind: 'inbox', course, item: 'assignment', id: 7, status: 'Submitted', locked_by: lockedBy });

for (const via of ['postgres', 'redis'] as const) {
  describe(`live events across two servers through ${via === 'postgres' ? 'PostgreSQL LISTEN/NOTIFY' : 'Redis pub/sub'}`, { skip: engineUnderTest !== 'postgres' && 'the bus across servers is PostgreSQL’s' }, () => {
    const prefix = `assay-test-${crypto.randomBytes(5).toString('hex')}:`;
    const env: Record<string, string> = via === 'redis' ? { ASSAY_REDIS_URL: REDIS_URL, ASSAY_REDIS_PREFIX: prefix } : {};
    let fresh: FreshDatabase;
    let a: Instance;
    let b: Instance;
    let pool: WorkerPool | null = null;
    let watcher: Redis | null = null;
    const onTheWire: string[] = [];

    before(async () => {
      fresh = freshDatabase();
      [a, b] = await twoInstances(fresh, env, true);
      if (via === 'redis') {
        // What crosses Redis: the test listens on the installation's channel too.
        watcher = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
        watcher.on('message', (_channel: string, message: string) => onTheWire.push(message));
        await watcher.subscribe(`${prefix}events`);
      }
    });
    after(async () => {
      await pool?.stop(2000);
      await b?.close();
      await a?.close();
      watcher?.disconnect();
      await fresh?.cleanup();
    });

    it('a burst of publishes on server A reaches server B whole and in order, one statement at a time on the connection', async () => {
      const topic = topics.inbox(515151);
      const onB: Delivered[] = [];
      const stopB = b.services.liveEvents.bus.subscribe(topic, (d) => onB.push(d));
      // The driver warns (once per process: this test comes first) when a statement is sent while another is on its way.
      const warnings: string[] = [];
      const onWarning = (w: Error) => warnings.push(w.message);
      process.on('warning', onWarning);
      try {
        const sent = Array.from({ length: 50 }, (_, i) => inbox(515151, i));
        for (const event of sent) a.services.liveEvents.bus.publish(topic, event);
        await until('the burst on B', () => onB.length >= sent.length || null);
        assert.deepEqual(onB.map((d) => d.event), sent);
        await new Promise((r) => setImmediate(r));
        assert.deepEqual(warnings.filter((w) => w.includes('already executing a query')), []);
      } finally {
        process.off('warning', onWarning);
        stopB();
      }
    });

    it('a result recorded by a worker of server A reaches a browser following on server B', async () => {
      const { exercise, token } = await scene(a);
      const submission = await submit(a, exercise.id, token);
      const stream = await Stream.open(b.base, token, `submission=${submission}`);
      try {
        await until('the stream to start', () => stream.text.includes(': following'));
        pool = startWorkerPool(a.services.grading, runner, a.config, { concurrency: 1 });
        const events = await until('the result on server B', () => {
          const got = stream.grading();
          return got.some((e) => e.status === 'done') ? got : null;
        });
        assert.ok(events.every((e) => e.submission === submission));
        // Each change once: server B delivers what A published, and A's own broadcast is not echoed back to it.
        assert.equal(events.filter((e) => e.status === 'done').length, 1);
        if (via === 'redis') assert.ok(onTheWire.some((m) => m.includes(`"submission":${submission}`) && m.includes('"done"')), 'the event went through Redis');
      } finally {
        stream.close();
      }
    });

    it('an event published on server A’s bus reaches a subscriber on server B, once, with B’s own ids', async () => {
      const topic = topics.inbox(424242);
      const onB: Delivered[] = [];
      const onA: Delivered[] = [];
      const stopB = b.services.liveEvents.bus.subscribe(topic, (d) => onB.push(d));
      const stopA = a.services.liveEvents.bus.subscribe(topic, (d) => onA.push(d));
      try {
        a.services.liveEvents.bus.publish(topic, inbox(424242));
        a.services.liveEvents.bus.publish(topic, inbox(424242, 3));
        await until('both events on B', () => onB.length >= 2 || null);
        await new Promise((r) => setTimeout(r, 200));
        assert.deepEqual(onB.map((d) => d.event), [inbox(424242), inbox(424242, 3)]);
        assert.equal(onA.length, 2, 'A delivers its own publishes once');
        assert.ok(onB[1]!.id > onB[0]!.id);
      } finally {
        stopA();
        stopB();
      }
    });

  });
}

describe('without the bus across servers, live events stay on the server that publishes them', { skip: engineUnderTest !== 'postgres' && 'the bus across servers is PostgreSQL’s' }, () => {
  let fresh: FreshDatabase;
  let a: Instance;
  let b: Instance;
  let pool: WorkerPool | null = null;

  before(async () => {
    fresh = freshDatabase();
    [a, b] = await twoInstances(fresh, {}, false);
  });
  after(async () => {
    await pool?.stop(2000);
    await b?.close();
    await a?.close();
    await fresh?.cleanup();
  });

  it('a browser on server B hears nothing of a result recorded by server A, while one on A does', async () => {
    const { exercise, token } = await scene(a);
    const submission = await submit(a, exercise.id, token);
    const onB = await Stream.open(b.base, token, `submission=${submission}`);
    const onA = await Stream.open(a.base, token, `submission=${submission}`);
    try {
      await until('both streams to start', () => onA.text.includes(': following') && onB.text.includes(': following'));
      pool = startWorkerPool(a.services.grading, runner, a.config, { concurrency: 1 });
      await until('the result on server A', () => onA.grading().some((e) => e.status === 'done'));
      await new Promise((r) => setTimeout(r, 500));
      assert.deepEqual(onB.grading(), []);
    } finally {
      onA.close();
      onB.close();
    }
  });
});

describe(`the live events' bus on ${engineUnderTest}`, () => {
  it(engineUnderTest === 'postgres' ? 'reaches other servers (shared) unless kept in the process' : 'stays in the process on SQLite', async () => {
    const fresh = freshDatabase();
    try {
      const runtime = await openRuntime(loadConfig({ ...fresh.env, ASSAY_WORKERS: '0' }));
      try {
        assert.equal(runtime.services.liveEvents.bus.acrossServers, engineUnderTest === 'postgres');
      } finally {
        await runtime.close();
      }
    } finally {
      await fresh.cleanup();
    }
  });

  it('names one PostgreSQL channel per installation (schema), within 63 bytes', () => {
    assert.equal(eventChannel('public'), 'assay_events:public');
    assert.notEqual(eventChannel('t_a'), eventChannel('t_b'));
    const long = eventChannel('s'.repeat(63));
    assert.ok(Buffer.byteLength(long) <= 63, long);
    assert.notEqual(long, eventChannel(`${'s'.repeat(62)}t`));
  });
});
