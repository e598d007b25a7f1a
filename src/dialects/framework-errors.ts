import http from 'node:http';
import type { Socket } from 'node:net';

/**
 * A request the router refuses before any plugin sees it (malformed percent-encoding, an
 * over-long path segment, a body over the limit) still gets the envelope of the dialect whose path it is.
 * Each dialect answers null for a URL that is not its own.
 */
export type FrameworkErrorRenderer = (url: string, status: number) => { status: number; body: unknown; contentType?: string } | null;

export interface FrameworkAnswer {
  status: number;
  body: unknown;
  contentType: string;
}

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * The answer of the dialect that owns `url`; for a URL no dialect owns, Fastify's shape without
 * the URL or any other input echoed back (the answer stays small whatever the request held).
 */
export function renderFrameworkError(renderers: FrameworkErrorRenderer[], url: string, status: number): FrameworkAnswer {
  for (const render of renderers) {
    const answer = render(url, status);
    if (answer) return { status: answer.status, body: answer.body, contentType: answer.contentType ?? JSON_TYPE };
  }
  const error = http.STATUS_CODES[status] ?? 'Bad Request';
  return { status, body: { statusCode: status, error, message: error }, contentType: JSON_TYPE };
}

/** The request target of a raw request that Node's HTTP parser refused (`GET /path HTTP/1.1`), if it got that far. */
function requestTarget(rawPacket: unknown): string {
  if (!Buffer.isBuffer(rawPacket)) return '';
  const line = rawPacket.subarray(0, Math.min(rawPacket.length, 64 * 1024)).toString('latin1').split('\r\n', 1)[0]!;
  return /^[A-Za-z]+ (\S+) HTTP\/\d/.exec(line)?.[1] ?? '';
}

/**
 * Fastify's `clientErrorHandler`: requests Node's HTTP parser refuses (headers too large, a bad
 * Content-Length, a malformed request line) are answered as Fastify does (408, 431, else 400,
 * then the connection is closed), but in the envelope of the dialect the request line names.
 */
export function clientErrorAnswer(renderers: FrameworkErrorRenderer[]) {
  return (err: Error & { code?: string; rawPacket?: unknown }, socket: Socket): void => {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const status = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    const answer = renderFrameworkError(renderers, requestTarget(err.rawPacket), status);
    const body = JSON.stringify(answer.body);
    if (socket.writable) {
      socket.write(
        `HTTP/1.1 ${answer.status} ${http.STATUS_CODES[answer.status] ?? ''}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
          `Content-Type: ${answer.contentType}\r\nConnection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy(err);
  };
}
