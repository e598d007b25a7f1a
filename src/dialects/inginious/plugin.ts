import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Static, TObject } from '@sinclair/typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../../core/actor.ts';
import { AssayError, isAssayError } from '../../core/errors.ts';
import type { Services } from '../../core/services.ts';
import type { SubmissionView, TaskView } from '../../core/tasks/tasks.service.ts';
import { formatInZone } from '../../core/zoned-time.ts';
import type { FrameworkErrorRenderer } from '../framework-errors.ts';
import { tokenUserId } from '../hive/auth.ts';
import type { TextBody } from './body.ts';
import { fieldOf, readAnswers } from './body.ts';
import { INVALID_ARGUMENTS, renderInginiousError } from './errors.ts';
import { INGINIOUS_JSON, PyFloat, rstToHtml, toWire } from './wire.ts';

export const INGINIOUS_PREFIX = '/api/v0';
const COOKIE = 'assay_inginious_session';
const ALL_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;

const AUTH_METHODS = [
  {
    id: 0,
    name: 'INGInious account',
    input: [
      { id: 'login', name: 'Login', type: 'text' },
      { id: 'password', name: 'Password', type: 'password' },
    ],
  },
];

/** The OpenAPI document describes Hive's and Assay's own API; INGInious' wire protocol stays out of it. */
const HIDDEN = { hide: true } as never;

/** The path parameters, typed into each handler from these schemas. */
const Id = Type.String();
const NoParams = Type.Object({});
const CourseParams = Type.Object({ courseid: Id });
const TaskParams = Type.Object({ courseid: Id, taskid: Id });
const SubmissionParams = Type.Object({ courseid: Id, taskid: Id, submissionid: Id });

const send = (reply: FastifyReply, status: number, body: unknown) => reply.code(status).type(INGINIOUS_JSON).send(toWire(body));

/** `Authorization: Bearer <Assay token>`, else the login cookie; null when neither names an active user. */
async function callerOf(request: FastifyRequest, services: Services): Promise<Actor | null> {
  const header = request.headers.authorization;
  if (header) {
    const match = /^\s*bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) return null;
    const userId = await tokenUserId(match[1]!, services).catch((err: unknown) => {
      if (isAssayError(err)) return null;
      throw err;
    });
    return userId === null ? null : services.users.actorFor(userId);
  }
  const value = request.cookies[COOKIE];
  return value ? services.tasks.sessions.actorOf(value) : null;
}

/** State-changing POSTs from another site are refused (reference §2); scripts send no Origin. */
function assertSameOrigin(request: FastifyRequest): void {
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== `${request.protocol}://${request.host}`) throw new AssayError('forbidden', 'Cross-origin request refused', { reason: 'cross_origin' });
}

/** `deadline` is the one field upstream documents without emitting: the issue asks for it (wall clock in the zone, to the second). */
function renderTask(t: TaskView, zone: string) {
  return { ...t, deadline: t.deadline === null ? null : formatInZone(t.deadline, zone).slice(0, 19), grade: new PyFloat(t.grade) };
}

const STORED_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

function renderSubmission(s: SubmissionView, zone: string) {
  const out: Record<string, unknown> = { id: s.id, submitted_on: formatInZone(s.submitted_on, zone), status: s.state.status };
  if (s.state.status === 'done') {
    out.grade = new PyFloat(s.state.grade);
    out.result = s.state.result;
    out.feedback = rstToHtml(s.state.feedback);
    out.problems_feedback = Object.fromEntries(Object.entries(s.state.problems).map(([id, [result, text]]) => [id, [result, rstToHtml(text)]]));
  }
  if (s.input) {
    out.input = Object.fromEntries(
      Object.entries(s.input).map(([k, v]) => {
        // Submissions stored before `@time` was kept in upstream's form carry the core's timestamp.
        if (k === '@time' && typeof v === 'string' && STORED_TIMESTAMP.test(v)) return [k, formatInZone(v, zone)];
        const file = v as { filename?: unknown; content?: unknown };
        return [k, file && typeof file === 'object' && Buffer.isBuffer(file.content) ? { filename: file.filename, value: file.content.toString('base64') } : v];
      }),
    );
  }
  return out;
}

/**
 * The INGInious REST API v0: JSON served as `text/json`, `{"error": …}` for every failure
 * (unknown routes and unsupported methods included), 403 for callers who are not logged in.
 */
function inginiousPlugin(services: Services) {
  const zone = services.config.inginious.timezone;
  const { tasks, sessions } = services.tasks;
  const uploadLimit = services.config.maxUploadBytes;

  return async (app: FastifyInstance) => {
    app.removeAllContentTypeParsers();
    for (const kind of ['form', 'json'] as const) {
      const type = kind === 'form' ? 'application/x-www-form-urlencoded' : 'application/json';
      app.addContentTypeParser(type, { parseAs: 'string' }, (_req, body, done) => done(null, { kind, text: body as string } satisfies TextBody));
    }
    app.addContentTypeParser('*', (_req, payload, done) => {
      payload.on('error', done);
      payload.on('end', () => done(null, undefined));
      payload.resume();
    });
    await app.register(multipart, { limits: { fileSize: uploadLimit, fieldSize: uploadLimit, parts: 1000 } });
    await app.register(cookie);

    const actorOf = async (request: FastifyRequest): Promise<Actor> => {
      const actor = await callerOf(request, services);
      if (!actor) throw new AssayError('unauthenticated', 'You are not authenticated', { reason: 'not_authenticated' });
      return actor;
    };

    app.setErrorHandler(async (error, request, reply) => {
      const rendered = renderInginiousError(error, request.method);
      if (rendered.status >= 500) request.log.error({ err: error }, 'request failed');
      return send(reply, rendered.status, rendered.body);
    });
    app.setNotFoundHandler(async (_request, reply) => send(reply, 404, { error: 'Not found' }));

    /** One path: its handlers, and 405 with `Allow` for every other method. */
    type Handler<P> = (request: FastifyRequest, reply: FastifyReply, params: P) => Promise<unknown>;
    const route = <S extends TObject>(url: string, params: S, handlers: Partial<Record<'GET' | 'POST', Handler<Static<S>>>>) => {
      const allowed = Object.keys(handlers) as ('GET' | 'POST')[];
      for (const method of allowed) {
        app.withTypeProvider<TypeBoxTypeProvider>().route({
          method,
          url,
          schema: { hide: true, params },
          // The provider types params as Static<S>; TypeScript cannot reduce that inside this generic.
          handler: async (request, reply) => send(reply, 200, await handlers[method]!(request, reply, request.params as Static<S>)),
        });
      }
      const others = ALL_METHODS.filter((m) => !(allowed as string[]).includes(m));
      app.route({
        method: [...others],
        url,
        schema: HIDDEN,
        handler: async (_request, reply) => {
          reply.header('allow', allowed.join(','));
          return send(reply, 405, { error: 'This endpoint has no such method' });
        },
      });
    };

    route('/auth_methods', NoParams, { GET: async () => AUTH_METHODS });

    route('/authentication', NoParams, {
      GET: async (request) => {
        const actor = await callerOf(request, services);
        return actor ? { authenticated: true, username: actor.username } : { authenticated: false };
      },
      POST: async (request, reply) => {
        assertSameOrigin(request);
        const body = await readAnswers(request, uploadLimit);
        const login = fieldOf(body, 'login');
        const password = fieldOf(body, 'password');
        if (login === undefined || password === undefined) throw new AssayError('invalid', 'login and password are both required', { reason: 'invalid_arguments' });
        const session = await sessions.logIn(login, password, request.ip);
        if (!session) return reply.code(403).type(INGINIOUS_JSON).send(toWire({ status: 'error' }));
        reply.setCookie(COOKIE, session.cookie, {
          httpOnly: true,
          sameSite: 'lax',
          path: '/',
          secure: request.protocol === 'https',
          maxAge: sessions.lifetimeSeconds,
        });
        return { status: 'success', username: session.actor.username };
      },
    });

    route('/courses', NoParams, { GET: async (request) => tasks.courses(await actorOf(request)) });
    route('/courses/:courseid', CourseParams, { GET: async (request, _reply, p) => tasks.courses(await actorOf(request), p.courseid) });

    route('/courses/:courseid/tasks', CourseParams, {
      GET: async (request, _reply, p) => (await tasks.tasks(await actorOf(request), p.courseid)).map((t) => renderTask(t, zone)),
    });
    route('/courses/:courseid/tasks/:taskid', TaskParams, {
      GET: async (request, _reply, p) => (await tasks.tasks(await actorOf(request), p.courseid, p.taskid)).map((t) => renderTask(t, zone)),
    });

    const wantsInput = (request: FastifyRequest) => Object.hasOwn((request.query ?? {}) as object, 'input');
    route('/courses/:courseid/tasks/:taskid/submissions', TaskParams, {
      GET: async (request, _reply, p) => {
        const list = await tasks.submissions(await actorOf(request), p.courseid, p.taskid, wantsInput(request));
        return list.map((s) => renderSubmission(s, zone));
      },
      POST: async (request, _reply, p) => {
        const actor = await actorOf(request);
        assertSameOrigin(request);
        const answers = await readAnswers(request, uploadLimit);
        const { id } = await tasks.submit(actor, p.courseid, p.taskid, answers);
        return { submissionid: id };
      },
    });
    route('/courses/:courseid/tasks/:taskid/submissions/:submissionid', SubmissionParams, {
      GET: async (request, _reply, p) => [
        renderSubmission(await tasks.submission(await actorOf(request), p.courseid, p.taskid, p.submissionid, wantsInput(request)), zone),
      ],
    });
  };
}

/** INGInious API v0 under `/api/v0/`. */
export async function registerInginious(app: FastifyInstance, services: Services): Promise<void> {
  await app.register(inginiousPlugin(services), { prefix: INGINIOUS_PREFIX });
}

/** Requests refused before any plugin sees them, rendered in this dialect's envelope when they are its own. */
export const inginiousFrameworkError: FrameworkErrorRenderer = (url, status) => {
  const path = url.split('?')[0]!;
  if (path !== INGINIOUS_PREFIX && !path.startsWith(`${INGINIOUS_PREFIX}/`)) return null;
  return { status, body: { error: status === 413 ? 'Request too large' : INVALID_ARGUMENTS }, contentType: INGINIOUS_JSON };
};
