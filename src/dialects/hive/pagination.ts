import type { FastifyRequest } from 'fastify';
import type { Config } from '../../config.ts';

/**
 * DRF's LimitOffsetPagination, which only `/help/` uses (hive.md §3.4): a page when `limit` is a
 * positive integer, the bare list otherwise; `next` and `previous` are absolute URLs.
 */
export interface PageRequest {
  limit: number;
  offset: number;
}

export interface Page<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

/** Bigger numbers cannot be a row count on either engine; they behave as this one. */
const MAX = 2_147_483_647;

const lastValue = (raw: unknown): string | undefined => {
  const v = Array.isArray(raw) ? raw[raw.length - 1] : raw;
  return typeof v === 'string' ? v : undefined;
};

/** DRF's `_positive_int`: an optional sign, digits and surrounding blanks; null when not an integer. */
function integer(raw: unknown): number | null {
  const text = lastValue(raw);
  if (text === undefined || !/^\s*\+?\d+\s*$/.test(text)) return null;
  return Math.min(Number.parseInt(text.trim().replace('+', ''), 10), MAX);
}

/** The page asked for, or null for the bare list (no `limit`, or one that is not a positive integer). */
export function pageRequest(query: Record<string, unknown>): PageRequest | null {
  const limit = integer(query.limit);
  if (limit === null || limit === 0) return null;
  return { limit, offset: integer(query.offset) ?? 0 };
}

/**
 * The request's own URL, absolute: scheme and host from the configured public URL, else from
 * the request (forwarded headers count only behind a trusted proxy, Fastify's `trustProxy`).
 * The path always ends in a slash, as Hive's do.
 */
function requestUrl(request: FastifyRequest, config: Pick<Config, 'publicUrl'>): { base: string; params: URLSearchParams } {
  const [path = '/', query = ''] = request.url.split('?', 2) as [string, string?];
  const origin = config.publicUrl ?? `${request.protocol}://${request.host}`;
  return { base: `${origin}${path.endsWith('/') ? path : `${path}/`}`, params: new URLSearchParams(query) };
}

/** As DRF's replace_query_param / remove_query_param: every other parameter kept, sorted by name. */
function link(request: FastifyRequest, config: Pick<Config, 'publicUrl'>, limit: number, offset: number | null): string {
  const { base, params } = requestUrl(request, config);
  params.set('limit', String(limit));
  if (offset === null) params.delete('offset');
  else params.set('offset', String(offset));
  params.sort();
  return `${base}?${params.toString()}`;
}

export function pageOf<T>(request: FastifyRequest, config: Pick<Config, 'publicUrl'>, page: PageRequest, count: number, results: T[]): Page<T> {
  const { limit, offset } = page;
  const next = offset + limit >= count ? null : link(request, config, limit, offset + limit);
  const previous = offset <= 0 ? null : link(request, config, limit, offset - limit <= 0 ? null : offset - limit);
  return { count, next, previous, results };
}
