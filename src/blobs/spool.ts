import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AssayError } from '../core/errors.ts';
import type { StoredBlob } from './store.ts';

export const SHA256 = /^[0-9a-f]{64}$/;

function tooLarge(maxBytes: number): AssayError {
  return AssayError.tooLarge(`File is too large (limit ${maxBytes} bytes).`, maxBytes, 'file');
}

/** The address of bytes already in memory; `too_large` past `maxBytes`. */
export function digestOf(data: Buffer, maxBytes = Number.POSITIVE_INFINITY): StoredBlob {
  if (data.length > maxBytes) throw tooLarge(maxBytes);
  return {
    sha256: crypto.createHash('sha256').update(data).digest('hex'),
    size: data.length,
    md5: crypto.createHash('md5').update(data).digest('hex'),
  };
}

/**
 * Streams `source` into a new file (`file` must not exist), hashing it on the way; past `maxBytes`
 * it stops with `too_large`. On any failure the file is removed, so a refusal leaves nothing behind.
 */
export async function spoolToFile(source: Readable | Buffer, file: string, maxBytes = Number.POSITIVE_INFINITY): Promise<StoredBlob> {
  const sha = crypto.createHash('sha256');
  const md5 = crypto.createHash('md5');
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (size > maxBytes) {
        done(tooLarge(maxBytes));
        return;
      }
      sha.update(chunk);
      md5.update(chunk);
      done(null, chunk);
    },
  });
  // A multipart file stream is destroyed when its body ends early, possibly before anyone reads
  // it (the handler was still authenticating); Node 20's pipeline never settles on a source
  // destroyed before it attaches, which would hang the request and leak the open temp file.
  if (!Buffer.isBuffer(source) && source.destroyed) throw source.errored ?? new Error('Unexpected end of the uploaded file.');
  const input = Buffer.isBuffer(source) ? Readable.from([source]) : source;
  try {
    await pipeline(input, meter, fs.createWriteStream(file, { flags: 'wx' }));
  } catch (err) {
    await fsp.rm(file, { force: true });
    // Drain what the client still sends so the connection can answer cleanly.
    if (!Buffer.isBuffer(source) && !source.destroyed) source.resume();
    throw err;
  }
  return { sha256: sha.digest('hex'), size, md5: md5.digest('hex') };
}
