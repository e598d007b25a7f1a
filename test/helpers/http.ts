import type { FastifyInstance } from 'fastify';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  text: string;
  raw: Buffer;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export interface RequestOptions {
  token?: string;
  json?: unknown;
  form?: Record<string, string | string[]>;
  multipart?: FormData;
  raw?: string | Buffer;
  headers?: Record<string, string>;
  query?: Record<string, string>;
}

/** Calls the app in-process (app.inject: the full HTTP pipeline, no socket). */
export async function call(app: FastifyInstance, method: string, url: string, options: RequestOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let payload: string | Buffer | undefined;
  if (options.json !== undefined) {
    headers['content-type'] ??= 'application/json';
    payload = JSON.stringify(options.json);
  } else if (options.form) {
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(options.form)) for (const item of Array.isArray(v) ? v : [v]) params.append(k, item);
    payload = params.toString();
  } else if (options.multipart) {
    const encoded = new Response(options.multipart);
    headers['content-type'] = encoded.headers.get('content-type')!;
    payload = Buffer.from(await encoded.arrayBuffer());
  } else if (options.raw !== undefined) {
    payload = options.raw;
  }
  const res = await app.inject({ method: method as 'GET', url, headers, payload, query: options.query });
  const raw = res.rawPayload;
  let body: unknown = undefined;
  const type = String(res.headers['content-type'] ?? '');
  if (type.includes('json') && raw.length > 0) body = JSON.parse(raw.toString('utf8'));
  return { status: res.statusCode, headers: res.headers, text: raw.toString('utf8'), raw, body };
}

/** A client bound to one app and, optionally, one bearer token. */
export function client(app: FastifyInstance, token?: string) {
  const go = (method: string) => (url: string, options: RequestOptions = {}) => call(app, method, url, { token, ...options });
  return { get: go('GET'), post: go('POST'), put: go('PUT'), patch: go('PATCH'), delete: go('DELETE'), token };
}
export type Client = ReturnType<typeof client>;

/** A multipart form with each file as a `file` part named by its path, as submission uploads send them. */
export function filesForm(files: Record<string, string>): FormData {
  const form = new FormData();
  for (const [p, content] of Object.entries(files)) form.append('file', new Blob([content]), p);
  return form;
}
