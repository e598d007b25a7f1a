import type { ServerResponse } from 'node:http';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Delivered, LiveEvent } from '../../core/events/event-bus.ts';
import type { FollowTarget } from '../../core/events/live-events.service.ts';
import { AssayError } from '../../core/errors.ts';
import { JOB_STATUSES } from '../../grading/queue/index.ts';
import type { HiveRouter } from '../hive/router.ts';
import { MAX_ID } from '../hive/router.ts';
import { DateTime, Enum, Nullable } from '../hive/schema-helpers.ts';
import { TIMELINE_ACTIONS, timelineAction } from './grading-steps.ts';
import { ErrorEnvelope } from './checker-wire.ts';

/** How often an idle stream gets a comment line, so proxies and browsers keep it open (tests shorten it). */
export const streamSettings = { heartbeatMs: 15_000 };
/** What a browser waits before reconnecting after a lost connection. */
const RETRY_MS = 3000;

const GradingEventWire = Type.Object(
  {
    submission: Type.Integer(),
    job: Type.Integer(),
    status: Enum(JOB_STATUSES),
    step: Nullable(Enum(TIMELINE_ACTIONS, { description: 'The latest timeline step, as `GET /submissions/{id}/` names it.' })),
    time: DateTime(),
  },
  { description: '`event: grading` on a submission stream.' },
);
const InboxEventWire = Type.Object(
  {
    course: Type.Integer(),
    item: Enum(['assignment', 'help'] as const),
    id: Type.Integer(),
    status: Nullable(Type.String()),
    locked_by: Nullable(Type.Integer()),
  },
  { description: '`event: inbox` on a course inbox stream.' },
);

/** Open streams by the scope serving them: ended when the server closes (they would hold it open). */
const openStreams = new WeakMap<FastifyInstance, Set<ServerResponse>>();

/** Call in the scope serving `eventRoutes`. */
export function endStreamsOnClose(scope: FastifyInstance): void {
  const streams = new Set<ServerResponse>();
  openStreams.set(scope, streams);
  scope.addHook('preClose', (done) => {
    for (const stream of streams) stream.end();
    done();
  });
}

/** The event's wire form: its SSE name and its data (the grading step in this API's words). */
function wire(event: LiveEvent): { name: string; data: object } {
  if (event.kind === 'grading') {
    const { submission, job, status, step, time } = event;
    return { name: 'grading', data: { submission, job, status, step: step && timelineAction(step), time } };
  }
  const { course, item, id, status, locked_by } = event;
  return { name: 'inbox', data: { course, item, id, status, locked_by } };
}

const frame = ({ id, event }: Delivered) => {
  const { name, data } = wire(event);
  return `id: ${id}\nevent: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
};

function target(query: Record<string, unknown>): FollowTarget {
  const named = (['submission', 'inbox'] as const).filter((k) => query[k] !== undefined);
  if (named.length !== 1) throw AssayError.field('non_field_errors', 'invalid', 'Give exactly one of submission or inbox.');
  const key = named[0]!;
  const raw = query[key];
  if (key === 'inbox' && raw === 'all') return { inbox: 'all' };
  if (typeof raw !== 'string' || !/^\d{1,10}$/.test(raw) || Number(raw) > MAX_ID) throw AssayError.field(key, 'invalid', 'A valid integer is required.');
  return key === 'submission' ? { submission: Number(raw) } : { inbox: Number(raw) };
}

/**
 * `GET /events/?submission=ID`, `GET /events/?inbox=COURSE_ID` and `GET /events/?inbox=all` (every
 * course the caller grades): a Server-Sent Events stream.
 * Who may follow is the core's decision (a submission: whoever may read it; an inbox: the course's
 * staff side), refused before the stream starts with the usual 400/401/403/404.
 *
 * The stream begins with `retry: 3000`, then carries `id: n`, `event: grading|inbox`, `data: {...}`
 * frames and a `: ping` comment every 15 s. Events are hints carrying the new state: on each one,
 * and after every reconnect, the client refetches what it shows. `Last-Event-ID` is accepted but
 * nothing is replayed: refetching is how a client catches up.
 */
export function eventRoutes(router: HiveRouter): void {
  router.get(
    '/events/',
    {
      schema: {
        operationId: 'assay_events_stream',
        summary: "Live events (Server-Sent Events) of a submission's grading or a course's checker inbox",
        tags: ['events'],
        querystring: Type.Object({
          submission: Type.Optional(Type.Integer({ description: 'Follow this submission’s grading.' })),
          inbox: Type.Optional(
            Type.Union([Type.Integer(), Type.Literal('all')], { description: 'Follow this course’s checker inbox, or `all`: every course the caller grades.' }),
          ),
        }),
        response: {
          400: ErrorEnvelope,
          401: ErrorEnvelope,
          403: ErrorEnvelope,
          404: ErrorEnvelope,
          200: Type.String({
            description: `text/event-stream. Events: \`grading\` ${JSON.stringify(Object.keys(GradingEventWire.properties))}, \`inbox\` ${JSON.stringify(Object.keys(InboxEventWire.properties))}.`,
          }),
        },
        produces: ['text/event-stream'],
      },
    },
    async ({ request, reply, services, actor, query }) => {
      const followed = target(query);
      const raw = reply.raw;
      const pending: Delivered[] = [];
      let open = false;
      const stop = await services.liveEvents.follow(actor, followed, (delivered) => {
        if (open) raw.write(frame(delivered));
        else pending.push(delivered);
      });
      reply.hijack();
      raw.writeHead(200, {
        ...(reply.getHeaders() as Record<string, string>),
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        'x-accel-buffering': 'no',
        connection: 'keep-alive',
      });
      raw.write(`retry: ${RETRY_MS}\n: following\n\n`);
      open = true;
      for (const delivered of pending.splice(0)) raw.write(frame(delivered));
      const heartbeat = setInterval(() => raw.write(': ping\n\n'), streamSettings.heartbeatMs);
      const streams = openStreams.get(request.server);
      streams?.add(raw);
      raw.once('close', () => {
        clearInterval(heartbeat);
        streams?.delete(raw);
        stop();
      });
    },
  );
}

export const eventSchemas = { GradingEventWire, InboxEventWire };
