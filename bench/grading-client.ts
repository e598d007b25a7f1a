/**
 * The HTTP client of bench/grading.ts, in a worker thread so that submitting and polling run on
 * their own event loop, as a separate client would, and not on the server's.
 *
 * Requests (one at a time, answered with the same `seq`):
 * - submit: POSTs each item as multipart (`file` part named answer.txt), `connections` at a time,
 *   in the order given; answers each item's status, submission id and the wall times around it.
 *   The client shares the machine with the server it measures, so it is kept light: node:http
 *   over kept-alive sockets, each body built once per distinct answer.
 * - poll: GETs the exercises' submission lists (staff token) every `intervalMs` until every
 *   submission id asked about has a job that is done or failed.
 * - details: GETs /submissions/{id}/ for each id and answers its grading status, outcome, score.
 */
import http from 'node:http';
import { parentPort } from 'node:worker_threads';

export interface SubmitItem {
  exerciseId: number;
  token: string;
  answer: string;
}

export interface Submitted {
  status: number;
  id: number | null;
  /** Wall-clock ms (epoch) when the request was sent and when its answer came back. */
  sentAt: number;
  answeredAt: number;
  error: string | null;
}

export interface PollAnswer {
  /** Wall-clock ms when the last poll saw every submission finished. */
  finishedAt: number;
  polls: number;
  statuses: Record<string, number>;
}

export interface Detail {
  id: number;
  httpStatus: number;
  status: string | null;
  outcome: string | null;
  score: number | null;
}

export type ClientRequest =
  | { kind: 'submit'; base: string; items: SubmitItem[]; connections: number }
  | { kind: 'poll'; base: string; token: string; exerciseIds: number[]; ids: number[]; intervalMs: number; timeoutMs: number }
  | { kind: 'details'; base: string; token: string; ids: number[]; connections: number };

const wallMs = () => performance.timeOrigin + performance.now();
const API = '/api/assay/v1';

/** Runs `work(i)` for every index, `connections` at a time. */
async function inParallel(count: number, connections: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const loop = async () => {
    for (let i = next++; i < count; i = next++) await work(i);
  };
  await Promise.all(Array.from({ length: Math.min(connections, count) }, loop));
}

const BOUNDARY = 'assay-bench-boundary';

function multipartBody(answer: string): Buffer {
  return Buffer.from(
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="answer.txt"\r\nContent-Type: text/plain\r\n\r\n${answer}\r\n--${BOUNDARY}--\r\n`,
  );
}

function postBody(agent: http.Agent, url: URL, token: string, body: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, 'content-length': body.length },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function submit(base: string, items: SubmitItem[], connections: number): Promise<Submitted[]> {
  const out: Submitted[] = new Array(items.length);
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const bodies = new Map<string, Buffer>();
  try {
    await inParallel(items.length, connections, async (i) => {
      const item = items[i]!;
      let body = bodies.get(item.answer);
      if (!body) bodies.set(item.answer, (body = multipartBody(item.answer)));
      const sentAt = wallMs();
      try {
        const res = await postBody(agent, new URL(`${base}${API}/exercises/${item.exerciseId}/submissions/`), item.token, body);
        const answeredAt = wallMs();
        const id = res.status === 201 ? ((JSON.parse(res.text) as { id: number }).id ?? null) : null;
        out[i] = { status: res.status, id, sentAt, answeredAt, error: res.status === 201 ? null : res.text.slice(0, 300) };
      } catch (err) {
        out[i] = { status: 0, id: null, sentAt, answeredAt: wallMs(), error: (err as Error).message };
      }
    });
  } finally {
    agent.destroy();
  }
  return out;
}

async function poll(request: Extract<ClientRequest, { kind: 'poll' }>): Promise<PollAnswer> {
  const wanted = new Set(request.ids);
  const deadline = wallMs() + request.timeoutMs;
  for (let polls = 1; ; polls++) {
    const statuses: Record<string, number> = {};
    for (const exerciseId of request.exerciseIds) {
      const res = await fetch(`${request.base}${API}/exercises/${exerciseId}/submissions/`, { headers: { authorization: `Bearer ${request.token}` } });
      if (res.status !== 200) throw new Error(`GET submissions of exercise ${exerciseId} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
      for (const s of (await res.json()) as { id: number; job: { status: string } | null }[]) {
        if (!wanted.has(s.id)) continue;
        const status = s.job?.status ?? 'none';
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }
    const finished = (statuses.done ?? 0) + (statuses.failed ?? 0);
    if (finished === wanted.size) return { finishedAt: wallMs(), polls, statuses };
    if (wallMs() > deadline) throw new Error(`not all graded after ${request.timeoutMs / 1000} s: ${JSON.stringify(statuses)}`);
    await new Promise((r) => setTimeout(r, request.intervalMs));
  }
}

async function details(base: string, token: string, ids: number[], connections: number): Promise<Detail[]> {
  const out: Detail[] = new Array(ids.length);
  await inParallel(ids.length, connections, async (i) => {
    const id = ids[i]!;
    const res = await fetch(`${base}${API}/submissions/${id}/`, { headers: { authorization: `Bearer ${token}` } });
    if (res.status !== 200) {
      out[i] = { id, httpStatus: res.status, status: null, outcome: null, score: null };
      await res.body?.cancel();
      return;
    }
    const body = (await res.json()) as { grading: { status: string; outcome: string | null; score: number | null } | null };
    out[i] = { id, httpStatus: 200, status: body.grading?.status ?? null, outcome: body.grading?.outcome ?? null, score: body.grading?.score ?? null };
  });
  return out;
}

async function handle(request: ClientRequest): Promise<unknown> {
  switch (request.kind) {
    case 'submit':
      return submit(request.base, request.items, request.connections);
    case 'poll':
      return poll(request);
    case 'details':
      return details(request.base, request.token, request.ids, request.connections);
  }
}

parentPort?.on('message', (message: { seq: number; request: ClientRequest }) => {
  handle(message.request).then(
    (result) => parentPort!.postMessage({ seq: message.seq, result }),
    (err: unknown) => parentPort!.postMessage({ seq: message.seq, error: err instanceof Error ? err.message : String(err) }),
  );
});
