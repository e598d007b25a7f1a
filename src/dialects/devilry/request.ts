/**
 * What a Devilry request carries: parameters as a JSON body on every method (whatever the
 * Content-Type says), or in the query string when `getdata_in_qrystring` or the ExtJS header is
 * present (reference §3).
 */
import type { FastifyRequest } from 'fastify';
import { AssayError } from '../../core/errors.ts';
import { devilryErrors } from './errors.ts';

export const EXTJS_HEADER = 'x-devilry-use-extjs';

export const isExtjs = (request: FastifyRequest): boolean => request.headers[EXTJS_HEADER] !== undefined;

/** Search and read take their parameters from the query string in these cases. */
export function queryStringMode(request: FastifyRequest, query: Record<string, unknown>): boolean {
  return 'getdata_in_qrystring' in query || isExtjs(request);
}

/** GET bodies are not read by the framework: read them here, within the body limit. */
export async function readGetBody(request: FastifyRequest, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request.raw) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new AssayError('too_large', 'Request body is too large.');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The body as JSON: empty means `{}`; anything unparsable is Devilry's "Bad request data". */
export function parseJsonText(text: string | undefined): unknown {
  if (text === undefined || text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw devilryErrors.badRequestData((err as Error).message);
  }
}

/** An object parameter set (search, read, create, update), or a 400 when the body is some other JSON value. */
export function objectParams(data: unknown): Record<string, unknown> {
  if (data && typeof data === 'object' && !Array.isArray(data)) return data as Record<string, unknown>;
  throw devilryErrors.badRequestData('Expected a JSON object');
}
