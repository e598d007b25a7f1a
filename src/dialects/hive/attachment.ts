import type { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';

/** A name safe to offer as a download: no directory part, no `/` or `\`, never empty. */
export function bareFileName(name: string): string {
  const bare = name.replace(/[/\\]/g, '_').replace(/[\r\n\0]/g, '').trim();
  return bare.length > 0 ? bare : 'file';
}

/**
 * `attachment; filename="<ascii>"; filename*=UTF-8''<percent-encoded>` (RFC 6266): old clients
 * read the ASCII fallback, current ones the exact UTF-8 name.
 */
export function contentDisposition(name: string): string {
  const bare = bareFileName(name);
  const ascii = bare.replace(/[^\x20-\x7e]|["%]/g, '_');
  const encoded = encodeURIComponent(bare).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/** Sends a file download; return the result from the route handler. */
export function sendAttachment(reply: FastifyReply, body: Readable | Buffer, name: string, contentType: string, size?: number): Readable | Buffer {
  reply.type(contentType).header('content-disposition', contentDisposition(name)).header('x-content-type-options', 'nosniff');
  if (size !== undefined) reply.header('content-length', String(size));
  return body;
}
