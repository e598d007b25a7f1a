import cookie from '@fastify/cookie';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasResource } from '../../core/examination/policies.ts';
import type { DevilryRole } from '../../core/examination/policies.ts';
import type { Services } from '../../core/services.ts';
import type { FrameworkErrorRenderer } from '../framework-errors.ts';
import { devilryErrors, renderDevilryError } from './errors.ts';
import { isExtjs, parseJsonText, queryStringMode, readGetBody } from './request.ts';
import type { Answer } from './resources.ts';
import { dispatch } from './resources.ts';
import { assertSameOrigin, devilryActor, sessionKey, setSessionCookie } from './session.ts';

const JSON_TYPE = 'application/json; charset=utf-8';
const ROLES: DevilryRole[] = ['administrator', 'examiner', 'student'];
const ID = /^[a-zA-Z0-9]+$/;

/** `restfulsimplified<Model>[/<id>]`: the model's name and the item's id, as sent (checked by the handler). */
const ResourceParams = Type.Object({ model: Type.String(), id: Type.Optional(Type.String()) });
/** Query parameters: any names, repeated ones as lists (search and read may carry theirs here). */
const AnyQuery = Type.Record(Type.String(), Type.Unknown());

/** Raw bodies of every content type, read as text and parsed as JSON by the handlers (the client mislabels them). */
function rawBodies(app: FastifyInstance, limit: number): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: limit }, (_req, body, done) => done(null, body));
}

function errorHandling(app: FastifyInstance): void {
  app.setErrorHandler(async (error, request, reply) => {
    const rendered = renderDevilryError(error, request.method, isExtjs(request));
    if (rendered.status >= 500 && rendered.status !== 501) request.log.error({ err: error }, 'request failed');
    return reply.code(rendered.status).headers(rendered.headers).type(JSON_TYPE).send(rendered.body);
  });
  app.setNotFoundHandler(async (request, reply) => {
    const rendered = renderDevilryError(devilryErrors.notFound(), request.method, isExtjs(request));
    return reply.code(404).type(JSON_TYPE).send(rendered.body);
  });
}

/** The request's parameters: the query string (search/read in query-string mode) or the JSON body. */
async function requestData(request: FastifyRequest, query: Record<string, unknown>, services: Services, hasId: boolean): Promise<unknown> {
  if (request.method === 'GET') {
    const body = await readGetBody(request, services.config.maxBodyBytes);
    return queryStringMode(request, query) ? query : parseJsonText(body);
  }
  if (request.method === 'DELETE' && !hasId && 'deletedata_in_qrystring' in query) {
    const pks = query.pks;
    if (typeof pks !== 'string') throw devilryErrors.pksMissingInQuery();
    return parseJsonText(pks);
  }
  return parseJsonText(request.body as string | undefined);
}

function send(reply: FastifyReply, answer: Answer, extjs: boolean): FastifyReply {
  reply.type(JSON_TYPE);
  if (answer.kind === 'search') {
    return reply.code(200).send(extjs ? { items: answer.items, total: answer.total, success: true } : { items: answer.items, total: answer.total });
  }
  if (answer.kind === 'item' && extjs) return reply.code(answer.status).send({ items: answer.body, success: true });
  return reply.code(answer.status).send(answer.body);
}

function roleRoutes(services: Services, role: DevilryRole) {
  return async (app: FastifyInstance) => {
    rawBodies(app, services.config.maxBodyBytes);
    errorHandling(app);
    await app.register(cookie);
    const methods = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'] as const;
    for (const url of ['/restfulsimplified:model', '/restfulsimplified:model/:id']) {
      app.withTypeProvider<TypeBoxTypeProvider>().route({
        method: [...methods],
        url,
        schema: { hide: true, params: ResourceParams, querystring: AnyQuery },
        handler: async (request, reply) => {
          const { model, id } = request.params;
          if (!hasResource(role, model) || (id !== undefined && !ID.test(id))) throw devilryErrors.notFound();
          assertSameOrigin(request);
          const actor = await devilryActor(request, services);
          const data = await requestData(request, request.query, services, id !== undefined);
          const answer = await dispatch(services, request.method, { actor, role, model, id: id ?? null, data });
          return send(reply, answer, isExtjs(request));
        },
      });
    }
  };
}

function authenticateRoutes(services: Services, prefix: string) {
  return async (app: FastifyInstance) => {
    rawBodies(app, services.config.maxBodyBytes);
    errorHandling(app);
    await app.register(cookie);
    app.post('/login', async (request, reply) => {
      const text = (request.body as string | undefined) ?? '';
      const type = String(request.headers['content-type'] ?? '');
      const fields = type.includes('json') ? (parseJsonText(text) as Record<string, unknown>) : Object.fromEntries(new URLSearchParams(text));
      const username = String(fields.username ?? fields.user ?? '');
      const password = String(fields.password ?? '');
      assertSameOrigin(request);
      const token = await services.examination.sessions.login(username, password, request.ip);
      setSessionCookie(reply, services, token);
      const next = typeof fields.next === 'string' && fields.next.startsWith('/') && !fields.next.startsWith('//') ? fields.next : `${prefix}/`;
      return reply.code(302).header('location', next).type(JSON_TYPE).send({ success: true });
    });
    app.get('/logout', async (request, reply) => {
      const key = sessionKey(request);
      if (key) await services.examination.sessions.logout(key);
      setSessionCookie(reply, services, null);
      return reply.code(302).header('location', `${prefix}/authenticate/login`).type(JSON_TYPE).send({ success: true });
    });
  };
}

/** Devilry's simplified REST API (`/{administrator,examiner,student}/restfulsimplified…/`, `/authenticate/login`). */
export async function registerDevilry(app: FastifyInstance, services: Services): Promise<void> {
  const prefix = services.config.devilry.prefix;
  for (const role of ROLES) await app.register(roleRoutes(services, role), { prefix: `${prefix}/${role}` });
  await app.register(authenticateRoutes(services, prefix), { prefix: `${prefix}/authenticate` });
}

const DEVILRY_PATH = /^(\/[^?]*)?\/((administrator|examiner|student)\/restfulsimplified|authenticate\/)/;

/** Requests refused before any plugin sees them, rendered in this dialect's envelope when they are its own. */
export const devilryFrameworkError: FrameworkErrorRenderer = (url, status) => {
  if (!DEVILRY_PATH.test(url.split('?')[0]!)) return null;
  return { status, body: { errormessages: [status === 414 ? 'Request-URI too long' : 'Bad request'] }, contentType: JSON_TYPE };
};
