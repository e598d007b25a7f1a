import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { TObject, TString } from '@sinclair/typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import type { Timestamp } from '../../core/clock.ts';
import type { Assessment, CourseContext } from '../../core/assessments/assessments.service.ts';
import type { OAuthScope } from '../../core/oauth/index.ts';
import type { Services } from '../../core/services.ts';
import type { AutolabCaller, RateLimiter } from './auth.ts';
import { authenticate, tokenOf } from './auth.ts';
import type { AutolabParams } from './params.ts';
import { readParams } from './params.ts';
import { formatAutolabTime, NEVER, toAutolabJson } from './wire.ts';

export const AUTOLAB_JSON = 'application/json; charset=utf-8';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** What an endpoint needs, checked in Autolab's order before its handler runs. */
export interface EndpointSpec {
  /** The OAuth scope required; null: any valid token. */
  scope: OAuthScope | null;
  needs?: 'admin' | 'instructor';
  /** Course-scoped (`:course_name`), or assessment-scoped (`:assessment_name` too). */
  within?: 'course' | 'assessment';
  /** Also counts against the submission rate limit. */
  submit?: boolean;
}

/** The names of a route's path parameters (`:name` segments), from its URL's type. */
type PathNames<U extends string> = U extends `${string}:${infer Name}/${infer Rest}` ? Name | PathNames<`/${Rest}`> : U extends `${string}:${infer Name}` ? Name : never;

/** A route's path parameters: one text per `:name` segment of its URL. */
export type PathOf<U extends string> = { [K in PathNames<U>]: string };

/** The params schema of a URL: each `:name` segment a string (the type provider types `request.params` from it). */
function pathSchema<U extends string>(url: U): TObject<{ [K in PathNames<U>]: TString }> {
  const names = [...url.matchAll(/:([A-Za-z_]+)/g)].map((m) => m[1] ?? '');
  return Type.Object(Object.fromEntries(names.map((name) => [name, Type.String()]))) as TObject<{ [K in PathNames<U>]: TString }>;
}

export interface AutolabContext<Path extends object = object> {
  request: FastifyRequest;
  reply: FastifyReply;
  services: Services;
  caller: AutolabCaller;
  params: AutolabParams;
  /** Path segments, percent-decoded, verbatim; typed from the route's URL. */
  path: Path;
  /** Set for course- and assessment-scoped endpoints. */
  course: CourseContext;
  /** Set for assessment-scoped endpoints. */
  assessment: Assessment;
  /** A date-time in the configured zone; null ones (no end date) as far in the future. */
  time(t: Timestamp | null): string;
  /** The success status (200 unless the endpoint says otherwise). */
  status: number;
}

/** A file download: raw bytes with `Content-Disposition` exactly as autolab-cli reads it. */
export class FileAnswer {
  constructor(
    readonly filename: string,
    readonly body: Buffer | Readable,
  ) {}
}

const TYPES: Record<string, string> = {
  pdf: 'application/pdf',
  zip: 'application/zip',
  tar: 'application/x-tar',
  gz: 'application/gzip',
  txt: 'text/plain',
  md: 'text/markdown',
  html: 'text/html',
  c: 'text/plain',
  h: 'text/plain',
  py: 'text/plain',
  java: 'text/plain',
};

/** A bare file name the CLI can join onto its directory and read between quotes. */
export function safeFilename(name: string): string {
  const bare = name.replace(/["\\/\r\n\t]/g, '_').replace(/[^\x20-\x7e]/g, '_');
  return bare === '' || bare === '.' || bare === '..' ? 'download' : bare;
}

function sendFile(reply: FastifyReply, file: FileAnswer): FastifyReply {
  const name = safeFilename(file.filename);
  const ext = name.includes('.') ? name.split('.').pop()!.toLowerCase() : '';
  // Set on the raw response so the header keeps this exact casing on the wire (the CLI searches for it case-sensitively).
  reply.raw.setHeader('Content-Disposition', `inline; filename="${name}"; filename*=UTF-8''${encodeURIComponent(file.filename)}`);
  return reply.code(200).type(TYPES[ext] ?? 'application/octet-stream').send(file.body);
}

export function sendJson(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.code(status).type(AUTOLAB_JSON).send(toAutolabJson(body));
}

export type AutolabHandler<Path extends object = object> = (ctx: AutolabContext<Path>) => Promise<unknown>;

/** Registers Autolab endpoints; each also answers with Rails' `.json` suffix when its path ends in a fixed segment. */
export class AutolabRouter {
  constructor(
    private readonly app: FastifyInstance,
    private readonly services: Services,
    private readonly limits: { api: RateLimiter; submit: RateLimiter },
  ) {}

  route<U extends string>(method: Method | Method[], url: U, spec: EndpointSpec, handler: AutolabHandler<PathOf<U>>): void {
    const params = pathSchema(url);
    // Course- and assessment-scoped endpoints open what their path names before the handler runs.
    const scope = spec.within === 'assessment' ? ['course_name', 'assessment_name'] : spec.within === 'course' ? ['course_name'] : [];
    const missing = scope.filter((name) => !(name in params.properties));
    if (missing.length > 0) throw new Error(`Autolab route ${url} is ${spec.within ?? ''}-scoped but has no :${missing.join(', :')}`);
    const urls = /\/[^/:]+$/.test(url) ? [url, `${url}.json`] : [url];
    for (const u of urls) {
      this.app.withTypeProvider<TypeBoxTypeProvider>().route({
        method,
        url: u,
        schema: { hide: true, params },
        // The params schema is built from this URL, so its static type is the URL's PathOf.
        handler: (request, reply) => this.run(request, request.params as PathOf<U>, reply, spec, handler),
      });
    }
  }

  private async run<Path extends object>(request: FastifyRequest, path: Path, reply: FastifyReply, spec: EndpointSpec, handler: AutolabHandler<Path>): Promise<FastifyReply> {
    const { services } = this;
    const early = tokenOf(request);
    // A token in the header or query is checked before the body is read.
    const earlyCaller = early !== null ? await authenticate(services, early) : null;
    const params = await readParams(request, services);
    const caller = earlyCaller ?? (await authenticate(services, tokenOf(request, params)));
    request.actor = caller.actor;
    await this.limits.api(request);
    if (spec.submit) await this.limits.submit(request);
    const grant = { scopes: caller.scopes, required: spec.scope, ...(spec.needs ? { needs: spec.needs } : {}) };
    const zone = services.config.autolab.timeZone;
    const ctx = {
      request,
      reply,
      services,
      caller,
      params,
      path,
      time: (t: Timestamp | null) => formatAutolabTime(t ?? NEVER, zone),
      status: 200,
    } as AutolabContext<Path>;
    const catalog = services.assessments.catalog;
    const segments: Partial<Record<string, string>> = path;
    if (spec.within) {
      ctx.course = await catalog.openCourse(caller.actor, segments.course_name ?? '', grant);
      if (spec.within === 'assessment') ctx.assessment = await catalog.openAssessment(ctx.course, segments.assessment_name ?? '');
    } else {
      catalog.authorize(caller.actor, grant);
    }
    const body = await handler(ctx);
    if (reply.sent) return reply;
    if (body instanceof FileAnswer) return sendFile(reply, body);
    return sendJson(reply, ctx.status, body);
  }
}

/** The not-found answer under `/api/v1/`: the token is checked first, so without one it is a 401. */
export async function answerUnknownPath(request: FastifyRequest, services: Services): Promise<void> {
  const params = await readParams(request, services).catch(() => undefined);
  await authenticate(services, tokenOf(request, params));
}
