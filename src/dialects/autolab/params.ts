import type { FastifyRequest } from 'fastify';
import { isAssayError } from '../../core/errors.ts';
import type { Services } from '../../core/services.ts';
import type { UploadedFile } from '../hive/body.ts';
import { readHiveBody } from '../hive/body.ts';

/**
 * Rails-style parameters: the query string merged with the body (JSON, urlencoded or
 * multipart; the body wins), plus the uploaded files.
 */
export class AutolabParams {
  constructor(
    private readonly values: Record<string, unknown>,
    readonly files: UploadedFile[],
    /** A file went over the upload limit while it was read (and was dropped). */
    readonly overLimit: boolean,
  ) {}

  /** The value as sent (JSON bodies keep their types); a repeated form key gives its last value. */
  raw(name: string): unknown {
    const v = this.values[name];
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? v[v.length - 1] : v;
  }

  /** A scalar parameter as text (numbers and booleans of a JSON body included); undefined when absent. */
  text(name: string): string | undefined {
    const v = this.raw(name);
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    return undefined;
  }

  has(name: string): boolean {
    return this.values[name] !== undefined && this.values[name] !== null;
  }

  names(): string[] {
    return [...Object.keys(this.values), ...this.files.map((f) => f.field)];
  }
}

/** A structured parameter: JSON text (what form and query parameters carry), or the value itself in a JSON body; null when the text is not JSON. */
export function jsonParam(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  try {
    return JSON.parse(raw);
  } catch {
    return null;
  }
}

/** Rails' boolean casting: absent, empty, `false`, `f`, `0`, `off` (any case) are false; anything else true. */
export function railsBoolean(value: string | undefined): boolean {
  if (value === undefined || value === '') return false;
  return !['false', 'f', '0', 'off'].includes(value.toLowerCase());
}

export async function readParams(request: FastifyRequest, services: Services): Promise<AutolabParams> {
  const query = { ...((request.query ?? {}) as Record<string, unknown>) };
  try {
    const body = await readHiveBody(request, services);
    return new AutolabParams({ ...query, ...body.data }, body.files, false);
  } catch (err) {
    if (isAssayError(err) && err.kind === 'too_large' && request.isMultipart()) return new AutolabParams(query, [], true);
    throw err;
  }
}
