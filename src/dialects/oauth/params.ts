import type { FastifyRequest } from 'fastify';

/** Rails merges query and body parameters; only single string values count. */
export function requestParams(request: FastifyRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const source of [request.query, request.body]) {
    if (!source || typeof source !== 'object') continue;
    for (const [key, value] of Object.entries(source as Record<string, unknown>)) {
      if (typeof value === 'string') out[key] = value;
    }
  }
  return out;
}

/** Client credentials from HTTP Basic (RFC 6749 §2.3.1) or, failing that, the form fields. */
export function clientCredentials(request: FastifyRequest, params: Record<string, string>): { clientId?: string; clientSecret?: string } {
  const header = request.headers.authorization;
  const match = header ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header) : null;
  if (match) {
    const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      try {
        return { clientId: decodeURIComponent(decoded.slice(0, colon)), clientSecret: decodeURIComponent(decoded.slice(colon + 1)) };
      } catch {
        return {};
      }
    }
  }
  return { clientId: params.client_id, clientSecret: params.client_secret };
}

/** An access token from `Authorization: Bearer`, or the `access_token` / `bearer_token` parameter. */
export function presentedAccessToken(request: FastifyRequest, params: Record<string, string>): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  return match?.[1] ?? params.access_token ?? params.bearer_token;
}
