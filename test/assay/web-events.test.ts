import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AddressInfo } from 'node:net';
import type { GradingJob, JobResult, JobRunner, WorkerPool } from '../../src/grading/queue/index.ts';
import { startWorkerPool } from '../../src/grading/queue/index.ts';
import { streamSettings } from '../../src/dialects/assay/events.ts';
import { InProcessEventBus } from '../../src/core/events/event-bus.ts';
import { startEmbeddedWorkers } from '../../src/grading/thread/embedded-workers.ts';
import { engineUnderTest, startTestServer } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';
import { actorClient, makeCourseTree, makeExercise, makeStudent } from '../helpers/fixtures.ts';

/** Reads an SSE stream frame by frame. */
class EventStream {
  private buffer = '';
  private readerOnce: ReadableStreamDefaultReader<Uint8Array> | undefined;
  private readonly decoder = new TextDecoder();
  constructor(
    readonly response: Response,
    private readonly abort: AbortController,
  ) {
  }

  private get reader(): ReadableStreamDefaultReader<Uint8Array> {
    this.readerOnce ??= this.response.body!.getReader();
    return this.readerOnce;
  }

  /** The next frame (a block of lines up to a blank line), or throws after `timeoutMs`. */
  async next(timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = this.buffer.indexOf('\n\n');
      if (end >= 0) {
        const frame = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 2);
        return frame;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no frame within ${timeoutMs} ms; have ${JSON.stringify(this.buffer)}`);
      let timer: NodeJS.Timeout | undefined;
      const chunk = await Promise.race([
        this.reader.read(),
        new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no frame within ${timeoutMs} ms`)), left))),
      ]).finally(() => clearTimeout(timer));
      if (chunk.done) throw new Error('the stream ended');
      this.buffer += this.decoder.decode(chunk.value, { stream: true });
    }
  }

  close(): void {
    this.abort.abort();
  }
}

const fields = (frame: string) => Object.fromEntries(frame.split('\n').map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()]));

describe(`/api/assay/v1/events/: live grading events over a real HTTP server, on ${engineUnderTest}`, () => {
  let server: TestServer;
  let base: string;
  let pool: WorkerPool | null = null;
  let student: Awaited<ReturnType<typeof makeStudent>>;
  let other: Awaited<ReturnType<typeof makeStudent>>;
  let tree: Awaited<ReturnType<typeof makeCourseTree>>;
  let exerciseId: number;
  let release: () => void = () => undefined;
  let held = false;

  const runner: JobRunner = async (_job: GradingJob, context): Promise<JobResult> => {
    await context.report({ action: 'prepared', payload: 'test harness' });
    // Held here until the test has seen the first steps (so they arrive live, not at once).
    if (held) await new Promise<void>((resolve) => (release = resolve));
    await context.report({ action: 'running' });
    return {
      outcome: 'success',
      summary: 'ok',
      grade: { outcome: 'success', staffError: false, score: 1, maxScore: 1, feedback: 'ok', tests: [{ name: 't', score: 1, maxScore: 1, status: 'passed', output: 'fine', visibility: 'visible' }], problems: {}, scoreboard: null, log: '' },
    };
  };

  async function open(token: string, query: string, headers: Record<string, string> = {}): Promise<EventStream> {
    const abort = new AbortController();
    const response = await fetch(`${base}/api/assay/v1/events/?${query}`, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream', ...headers }, signal: abort.signal });
    return new EventStream(response, abort);
  }

  async function submit(token: string): Promise<{ id: number }> {
    const form = new FormData();
    form.append('file', new Blob(['print(1)\n']), 'main.py');
    const res = await fetch(`${base}/api/assay/v1/exercises/${exerciseId}/submissions/`, { method: 'POST', body: form, headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 201, await res.clone().text());
    return (await res.json()) as { id: number };
  }

  before(async () => {
    server = await startTestServer();
    await server.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
    tree = await makeCourseTree(server);
    exerciseId = (await makeExercise(server, tree.module.id)).id;
    student = await makeStudent(server, tree.program.id);
    other = await makeStudent(server, tree.program.id);
  });
  after(async () => {
    release();
    await pool?.stop(2000);
    await server?.close();
  });

  it('streams a submission’s grading steps as they happen, with ids, ending with done', async () => {
    const submission = await submit(student.api.token!);
    const stream = await open(student.api.token!, `submission=${submission.id}`);
    assert.equal(stream.response.status, 200);
    assert.match(stream.response.headers.get('content-type')!, /^text\/event-stream/);
    assert.equal(stream.response.headers.get('x-content-type-options'), 'nosniff');
    assert.match(await stream.next(), /^retry: 3000\n: following$/);

    held = true;
    pool = startWorkerPool(server.services.grading, runner, server.config, { concurrency: 1 });
    const seen: Record<string, string>[] = [];
    const nextEvent = async () => {
      let raw = await stream.next();
      while (raw.startsWith(':')) raw = await stream.next();
      const frame = fields(raw);
      seen.push(frame);
      return { id: Number(frame.id), event: frame.event, data: JSON.parse(frame.data!) as Record<string, unknown> };
    };
    // Each event carries the state when it was published (a hint): the claim's Handling may already read Built.
    let event = await nextEvent();
    assert.equal(event.event, 'grading');
    assert.deepEqual(event.data.submission, submission.id);
    assert.equal(event.data.status, 'running');
    assert.ok(event.id > 0);
    while (event.data.step !== 'Built') event = await nextEvent();
    // Still running: the runner is held, so these steps arrived live.
    assert.equal((await student.api.get(`/api/assay/v1/submissions/${submission.id}/`)).body.grading.status, 'running');
    release();
    while (event.data.status !== 'done') {
      const next = await nextEvent();
      assert.ok(next.id > event.id, 'ids grow');
      event = next;
    }
    assert.equal(event.data.step, 'Success');
    const steps = seen.map((f) => JSON.parse(f.data!).step as string);
    // Never backwards (a later event may already carry a later step than its own change: they are hints).
    const order = ['Handling', 'Built', 'Sending', 'Finished', 'Success'];
    assert.deepEqual([...steps].sort((a, b) => order.indexOf(a) - order.indexOf(b)), steps, steps.join(' '));
    const graded = await student.api.get(`/api/assay/v1/submissions/${submission.id}/`);
    assert.equal(graded.body.grading.tests[0].output, 'fine', 'the refetch the event hints at shows the result');
    stream.close();
    held = false;
  });

  it('refuses to stream another student’s submission (404) or an inbox to a student (403), and bad queries (400), before any stream starts', async () => {
    const submission = await submit(student.api.token!);
    const theirs = await open(other.api.token!, `submission=${submission.id}`);
    assert.equal(theirs.response.status, 404);
    assert.equal(((await theirs.response.json()) as { errors: { code: string }[] }).errors[0]!.code, 'not_found');
    const inbox = await open(student.api.token!, `inbox=${tree.program.id}`);
    assert.equal(inbox.response.status, 403);
    for (const query of ['', 'submission=abc', `submission=${submission.id}&inbox=${tree.program.id}`, 'submission=99999999999']) {
      const bad = await open(student.api.token!, query);
      assert.equal(bad.response.status, 400, query);
    }
    const nobody = await fetch(`${base}/api/assay/v1/events/?submission=${submission.id}`, { headers: { accept: 'text/event-stream' } });
    assert.equal(nobody.status, 401);
    assert.equal(server.services.liveEvents.bus.hasSubscribers(`submission:${submission.id}`), false, 'nothing left subscribed');
  });

  it('lets the course’s staff side follow an inbox; sends heartbeats; unsubscribes when the client goes away', async () => {
    const staff = await actorClient(server, 3);
    streamSettings.heartbeatMs = 50;
    try {
      const stream = await open(staff.api.token!, `inbox=${tree.program.id}`, { 'last-event-id': '41' });
      assert.equal(stream.response.status, 200);
      await stream.next();
      assert.equal(await stream.next(), ': ping');
      server.services.liveEvents.bus.publish(`inbox:${tree.program.id}`, { kind: 'inbox', course: tree.program.id, item: 'assignment', id: 7, status: 'Submitted', locked_by: null });
      let frame = await stream.next();
      while (frame === ': ping') frame = await stream.next();
      assert.equal(fields(frame).event, 'inbox');
      assert.deepEqual(JSON.parse(fields(frame).data!), { course: tree.program.id, item: 'assignment', id: 7, status: 'Submitted', locked_by: null });
      stream.close();
      const topic = `inbox:${tree.program.id}`;
      for (let i = 0; i < 100 && server.services.liveEvents.bus.hasSubscribers(topic); i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(server.services.liveEvents.bus.hasSubscribers(topic), false);
    } finally {
      streamSettings.heartbeatMs = 15_000;
    }
  });

  it('relays the steps of jobs the grading thread runs (PostgreSQL runs the server’s workers in a thread)', { skip: engineUnderTest !== 'postgres' }, async () => {
    await pool?.stop(2000);
    pool = null;
    // An exercise without a grader: the thread's real runner ends its job as No Check.
    const ungraded = (await makeExercise(server, tree.module.id)).id;
    const form = new FormData();
    form.append('file', new Blob(['x\n']), 'x.txt');
    const res = await fetch(`${base}/api/assay/v1/exercises/${ungraded}/submissions/`, { method: 'POST', body: form, headers: { authorization: `Bearer ${student.api.token}` } });
    const submission = (await res.json()) as { id: number };
    const stream = await open(student.api.token!, `submission=${submission.id}`);
    await stream.next();
    const workers = await startEmbeddedWorkers(server.services, server.config, { concurrency: 1 });
    try {
      assert.equal(workers.where, 'thread');
      let data: Record<string, unknown> = {};
      while (data.status !== 'done') {
        const frame = await stream.next(30_000);
        // A heartbeat comes along when the thread takes its time starting.
        if (!frame.startsWith(':')) data = JSON.parse(fields(frame).data!) as Record<string, unknown>;
      }
      assert.equal(data.step, 'No Check');
      assert.equal(data.submission, submission.id);
    } finally {
      stream.close();
      await workers.stop(2000);
    }
  });

  it('keeps delivering to other listeners when one throws', () => {
    const bus = new InProcessEventBus();
    const got: number[] = [];
    bus.subscribe('t', () => {
      throw new Error('broken listener');
    });
    bus.subscribe('t', (d) => got.push(d.id));
    const event = { kind: 'inbox', course: 1, item: 'help', id: 1, status: null, locked_by: null } as const;
    bus.publish('t', event);
    bus.publish('t', event);
    assert.deepEqual(got, [1, 2]);
  });
});
