/**
 * Secrets never reach the log: Autolab's clients put `access_token` in every query string, OAuth
 * callbacks carry `code`, sign-in forms carry `password`. Values of these names are replaced in
 * logged URLs, in message strings and in logged objects (bodies, error details).
 */
import type { FastifyRequest } from 'fastify';
import type { LoggerOptions } from 'pino';

export const SECRET_NAMES = [
  'access_token',
  'bearer_token',
  'code',
  'device_code',
  'user_code',
  'refresh_token',
  'token',
  'password',
  'current_password',
  'client_secret',
  'secret',
  // The S3 blob store's secret key (its settings, ASSAY_S3_SECRET_ACCESS_KEY).
  'secretAccessKey',
  'secret_access_key',
] as const;

export const REDACTED = '[REDACTED]';

const SECRET_SET = new Set<string>(SECRET_NAMES);

function decodedName(raw: string): string {
  const plus = raw.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(plus).toLowerCase();
  } catch {
    return plus.toLowerCase();
  }
}

/** `user[password]` (Rails' nested parameters) is as secret as `password`. */
function isSecretName(raw: string): boolean {
  const name = decodedName(raw);
  return SECRET_SET.has(name) || SECRET_SET.has(/\[([^\]]*)\]$/.exec(name)?.[1] ?? '');
}

/** `name=value` pairs of a query string or form body: after `?`, `&` or `;`, or at the start of the text. */
const PAIR = /(^|[?&;])([^=&;#?\s]+)=([^&;#\s]*)/g;

/** The text with the value of every secret `name=value` pair replaced (URLs, form bodies, messages quoting them). */
export function redactSecrets(text: string): string {
  if (!text.includes('=')) return text;
  return text.replace(PAIR, (pair, lead: string, name: string) => (isSecretName(name) ? `${lead}${name}=${REDACTED}` : pair));
}

/** Fastify's request serializer (the same fields), with the URL's secrets redacted; other `req` objects pass to the path redaction. */
function requestSerializer(request: FastifyRequest) {
  if (typeof request?.url !== 'string') return request;
  return {
    method: request.method,
    url: redactSecrets(request.url),
    version: request.headers?.['accept-version'],
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

/** Object paths pino censors: a secret key at the top level or one or two levels down (`body.password`, `req.body.code`, `err.details.token`). */
const REDACT_PATHS = [
  ...SECRET_NAMES.flatMap((name) => [name, `*.${name}`, `*.*.${name}`]),
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
];

/** The server's pino options: its level, and every place a secret could be written redacted. */
export function redactingLoggerOptions(level: string): LoggerOptions {
  return {
    level,
    serializers: { req: requestSerializer as never },
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    hooks: {
      // Messages may quote a URL (Fastify's "Route GET:/x?access_token=… not found").
      logMethod(args, method) {
        method.apply(this, args.map((arg) => (typeof arg === 'string' ? redactSecrets(arg) : arg)) as Parameters<typeof method>);
      },
    },
  };
}
