import type { Static, TObject, TSchema } from '@sinclair/typebox';
import { Kind, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import type { Actor } from '../../core/actor.ts';
import type { CoreAction } from '../../core/attempts.ts';
import { AssayError } from '../../core/errors.ts';
import type { Services } from '../../core/services.ts';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HiveContext<Params extends object = object> {
  request: FastifyRequest;
  reply: FastifyReply;
  actor: Actor;
  services: Services;
  /** Integer path parameter; anything else is "not found", as in DRF. */
  id(name?: string): number;
  /** The path parameters the route's `schema.params` declares, typed from it (integers checked as `id()` does, literal unions as choices; a mismatch is "not found"). */
  params: Params;
  query: Record<string, unknown>;
}

export interface HiveRouteOptions<P extends TObject = TObject> {
  /** No authentication needed (token, refresh, register, schema, time). */
  public?: boolean;
  /** View-level permission: the core action this route attempts; a caller the core refuses gets 403 before anything else is looked at. */
  action?: CoreAction;
  /** Requests per client address and time window (@fastify/rate-limit); above it 429. */
  rateLimit?: { max: number; timeWindow: number };
  status?: number;
  /** OpenAPI description of the route. */
  schema?: {
    operationId?: string;
    summary?: string;
    tags?: string[];
    /** The path parameters (Type.Integer ids, Type.String, or a union of Type.Literal choices): typed into the handler's `params` and checked before it runs. */
    params?: P;
    body?: TSchema;
    querystring?: TSchema;
    response?: Record<number, TSchema>;
    produces?: string[];
  };
}

export type HiveHandler<Params extends object = object> = (ctx: HiveContext<Params>) => Promise<unknown>;

const INT = /^\d{1,10}$/;
/** Ids are 32-bit integers in both engines; anything larger cannot name a row. */
export const MAX_ID = 2_147_483_647;

const NO_PARAMS = Type.Object({});
type NoParams = typeof NO_PARAMS;

/** An integer path parameter, or null when it cannot name a row. */
function intParam(raw: string | undefined): number | null {
  return raw === undefined || !INT.test(raw) || Number(raw) > MAX_ID ? null : Number(raw);
}

/**
 * The path parameters a params schema declares, checked as DRF's URL converters do: a segment
 * that does not fit (an integer id out of range, a choice not listed) is "not found".
 */
function readParams<P extends TObject>(schema: P, raw: Record<string, string | undefined>): Static<P> {
  const out: Record<string, string | number> = {};
  for (const [name, property] of Object.entries<TSchema>(schema.properties)) {
    const text = raw[name];
    if (property[Kind] === 'Integer') {
      const id = intParam(text);
      if (id === null) throw AssayError.notFound();
      out[name] = id;
    } else if (property[Kind] === 'Union') {
      const choices = (property.anyOf as TSchema[]).map((choice) => String(choice.const));
      if (text === undefined || !choices.includes(text)) throw AssayError.notFound();
      out[name] = text;
    } else {
      if (text === undefined) throw AssayError.notFound();
      out[name] = text;
    }
  }
  // Each declared property was checked against its schema just above.
  return out as Static<P>;
}

/** Empty-bodied answers (actions return 200 with nothing; deletes 204). */
export const EMPTY = Symbol('empty');

/**
 * Registers Hive routes and remembers which methods each path has, so any other method on a
 * known path answers 405 (after authentication, as DRF does) instead of 404.
 */
export class HiveRouter {
  private readonly methods = new Map<string, Set<Method>>();

  constructor(
    private readonly app: FastifyInstance,
    private readonly services: Services,
  ) {}

  private add<P extends TObject>(method: Method, url: string, options: HiveRouteOptions<P>, handler: HiveHandler<Static<P>>): void {
    const known = this.methods.get(url) ?? new Set<Method>();
    known.add(method);
    this.methods.set(url, known);
    const services = this.services;
    const schema = options.schema;
    this.app.route({
      method,
      url,
      config: { public: options.public ?? false, ...(options.action ? { action: options.action } : {}), ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}) },
      schema: schema as never,
      handler: async (request, reply) => {
        // Path and query values are text (the validator is off: DRF's checks run in the handlers).
        const params = request.params as Record<string, string | undefined>;
        const ctx: HiveContext<Static<P>> = {
          request,
          reply,
          actor: request.actor as Actor,
          services,
          query: request.query as Record<string, unknown>,
          id(name = 'id') {
            const id = intParam(params[name]);
            if (id === null) throw AssayError.notFound();
            return id;
          },
          params: readParams(schema?.params ?? (NO_PARAMS as P), params),
        };
        const result = await handler(ctx);
        if (reply.sent) return reply;
        if (result === EMPTY) {
          const status = options.status ?? (method === 'DELETE' ? 204 : 200);
          reply.code(status);
          // 200 actions answer with a zero-length body, as upstream does.
          return reply.removeHeader('content-type').send();
        }
        reply.code(options.status ?? (method === 'POST' ? 201 : 200));
        return result;
      },
    });
  }

  get<P extends TObject = NoParams>(url: string, o: HiveRouteOptions<P>, h: HiveHandler<Static<P>>): void {
    this.add('GET', url, o, h);
  }
  post<P extends TObject = NoParams>(url: string, o: HiveRouteOptions<P>, h: HiveHandler<Static<P>>): void {
    this.add('POST', url, o, h);
  }
  put<P extends TObject = NoParams>(url: string, o: HiveRouteOptions<P>, h: HiveHandler<Static<P>>): void {
    this.add('PUT', url, o, h);
  }
  patch<P extends TObject = NoParams>(url: string, o: HiveRouteOptions<P>, h: HiveHandler<Static<P>>): void {
    this.add('PATCH', url, o, h);
  }
  delete<P extends TObject = NoParams>(url: string, o: HiveRouteOptions<P>, h: HiveHandler<Static<P>>): void {
    this.add('DELETE', url, o, h);
  }

  /** Adds the 405 answers. Call once, after every route is registered. */
  finish(): void {
    const all: Method[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
    for (const [url, known] of this.methods) {
      const missing = all.filter((m) => !known.has(m));
      if (missing.length === 0) continue;
      const isPublic = [...known].length > 0 && url.match(/^\/(token|token\/refresh|schema|time|management\/register)\/$/) !== null;
      this.app.route({
        method: missing as HTTPMethods[],
        url,
        config: { public: isPublic },
        schema: { hide: true } as never,
        handler: async (request) => {
          throw new AssayError('method_not_allowed', `Method "${request.method}" not allowed.`);
        },
      });
    }
  }
}
