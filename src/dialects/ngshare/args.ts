import type { FastifyRequest } from 'fastify';
import type { Services } from '../../core/services.ts';
import { readHiveBody } from '../hive/body.ts';
import type { FieldRange } from './form-fields.ts';
import { cleanArgument, fieldText, scanForm } from './form-fields.ts';
import type { SpooledForm } from './form-spool.ts';
import { isSpooledForm } from './form-spool.ts';

/**
 * ngshare's request arguments (reference §1.2), read the way Tornado reads them: from the query
 * string and from a form-encoded or multipart body, the last value winning and body values
 * coming after query values.
 *
 * Upstream reads a few arguments from the body only or the query only; we accept every argument
 * from either place, the body taking precedence (strictly more permissive). So the three
 * accessors answer alike; they keep upstream's names so each handler says what upstream reads.
 */
export interface NgshareArgs {
  /** Tornado's `get_argument`: query string or body. */
  argument(name: string): string | undefined;
  /** Tornado's `get_body_argument` (here also from the query). */
  bodyArgument(name: string): string | undefined;
  /** Tornado's `get_query_argument` (here also from the body). */
  queryArgument(name: string): string | undefined;
  /** The `files` argument as cleaned text, piece by piece: it may be hundreds of megabytes. */
  files(): AsyncIterable<string> | undefined;
}

/** Arguments read as streams rather than strings. */
const STREAMED = new Set(['files']);

function lastValue(source: Record<string, unknown>, name: string): string | undefined {
  if (!Object.hasOwn(source, name)) return undefined;
  const value = source[name];
  const last = Array.isArray(value) ? value[value.length - 1] : value;
  return last === undefined || last === null ? undefined : String(last);
}

export function argsFrom(query: Record<string, unknown>, body: Record<string, unknown>, spooled?: { form: SpooledForm; ranges: Map<string, FieldRange> }): NgshareArgs {
  const read = (name: string): string | undefined => {
    const value = lastValue(body, name) ?? lastValue(query, name);
    return value === undefined ? undefined : cleanArgument(value);
  };
  const files = () => {
    const range = spooled?.ranges.get('files');
    if (range) return fieldText(spooled!.form, range);
    const value = read('files');
    return value === undefined ? undefined : single(value);
  };
  return { argument: read, bodyArgument: read, queryArgument: read, files };
}

async function* single(text: string): AsyncGenerator<string> {
  yield text;
}

/** The arguments of a form body kept as it arrived: its `files` stays in the body, read later as a stream. */
export async function spooledArgs(query: Record<string, unknown>, form: SpooledForm): Promise<NgshareArgs> {
  const { fields, ranges } = await scanForm(form, STREAMED);
  return argsFrom(query, fields, { form, ranges });
}

/**
 * Reads the request's arguments. The body is parsed only here, inside the handler, so a
 * malformed body never hides an authentication, permission or lookup failure.
 */
export async function readArgs(request: FastifyRequest, services: Services): Promise<NgshareArgs> {
  const query = (request.query ?? {}) as Record<string, unknown>;
  if (isSpooledForm(request.body)) return spooledArgs(query, request.body);
  const body = await readHiveBody(request, services, { maxFileBytes: services.config.ngshareMaxBodyBytes });
  // A JSON body is not where Tornado looks for arguments.
  return argsFrom(query, body.form ? body.data : {});
}

/** JSON text inside a form field (`instructors`, `students`, `files`); undefined if it is not JSON. */
export function decodeJsonArgument(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}
