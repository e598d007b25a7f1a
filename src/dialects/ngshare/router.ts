import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Static, TObject } from '@sinclair/typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import type { Actor } from '../../core/actor.ts';
import { AssayError } from '../../core/errors.ts';
import type { Services } from '../../core/services.ts';
import type { NgshareArgs } from './args.ts';
import { readArgs } from './args.ts';

type Method = 'GET' | 'POST' | 'DELETE';

/** Every ngshare answer, success or failure, is JSON labelled so (upstream says text/html). */
export const NGSHARE_JSON = 'application/json; charset=UTF-8';

export interface NgshareContext<Params = object> {
  request: FastifyRequest;
  reply: FastifyReply;
  /** The authenticated caller (routes marked public have none). */
  actor: Actor;
  services: Services;
  /** Path segments, percent-decoded (`+` stays a plus), typed from the route's params schema. */
  params: Params;
  /** The query and body arguments; the body is read on the first call. */
  args(): Promise<NgshareArgs>;
}

/** The endpoint's fields; the router adds `"success": true` and answers 200. */
export type NgshareHandler<Params = object> = (ctx: NgshareContext<Params>) => Promise<Record<string, unknown>>;

export interface NgshareRouteOptions<Params extends TObject> {
  /** The path parameters (params.ts); none when left out. */
  params?: Params;
  /** No authentication (health checks). */
  public?: boolean;
}

const NO_PARAMS = Type.Object({});

/** What the plugin's hooks read from a route's config. */
export interface NgshareRouteConfig {
  ngsharePublic: boolean;
}

/**
 * Registers ngshare routes and remembers which methods each path has, so other methods on a
 * known path answer 405 JSON (after authentication) instead of 404.
 */
export class NgshareRouter {
  private readonly methods = new Map<string, { methods: Set<Method>; public: boolean }>();

  constructor(
    private readonly app: FastifyInstance,
    private readonly services: Services,
  ) {}

  private add<P extends TObject>(method: Method, url: string, options: NgshareRouteOptions<P>, handler: NgshareHandler<Static<P>>): void {
    const known = this.methods.get(url) ?? { methods: new Set<Method>(), public: options.public ?? false };
    known.methods.add(method);
    this.methods.set(url, known);
    const services = this.services;
    this.app.withTypeProvider<TypeBoxTypeProvider>().route({
      method,
      url,
      config: { ngsharePublic: options.public ?? false } satisfies NgshareRouteConfig,
      schema: { hide: true, params: options.params ?? NO_PARAMS },
      handler: async (request, reply) => {
        let args: Promise<NgshareArgs> | null = null;
        const ctx: NgshareContext<Static<P>> = {
          request,
          reply,
          actor: request.actor as Actor,
          services,
          params: request.params,
          args: () => (args ??= readArgs(request, services)),
        };
        const fields = await handler(ctx);
        if (reply.sent) return reply;
        return reply.code(200).type(NGSHARE_JSON).send({ success: true, ...fields });
      },
    });
  }

  get<P extends TObject>(url: string, options: NgshareRouteOptions<P>, handler: NgshareHandler<Static<P>>): void {
    this.add('GET', url, options, handler);
  }
  post<P extends TObject>(url: string, options: NgshareRouteOptions<P>, handler: NgshareHandler<Static<P>>): void {
    this.add('POST', url, options, handler);
  }
  delete<P extends TObject>(url: string, options: NgshareRouteOptions<P>, handler: NgshareHandler<Static<P>>): void {
    this.add('DELETE', url, options, handler);
  }

  /** Adds the 405 answers. Call once, after every route is registered. */
  finish(): void {
    const all: HTTPMethods[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
    for (const [url, known] of this.methods) {
      const missing = all.filter((m) => !known.methods.has(m as Method));
      this.app.route({
        method: missing,
        url,
        config: { ngsharePublic: known.public } satisfies NgshareRouteConfig,
        schema: { hide: true } as never,
        handler: async () => {
          throw new AssayError('method_not_allowed', 'Method not allowed');
        },
      });
    }
  }
}
