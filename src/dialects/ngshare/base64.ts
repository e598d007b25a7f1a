/**
 * Base64 as ngshare speaks it (reference §3.2, §3.4). Input is decoded the way Python's
 * lenient `base64.decodebytes` decodes it; output is MIME style like `base64.encodebytes`.
 */

const DATA = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/') DATA[c.charCodeAt(0)] = 1;
const EQUALS = 0x3d;
const NEWLINE = 0x0a;
const RETURN = 0x0d;

export interface Base64Scan {
  /** Whether Python would decode it. */
  ok: boolean;
  /** Where decoding stopped: the padding that completes a group ends it, the rest is ignored. */
  end: number;
  /** Only data characters, line breaks and the final padding before `end`: Node decodes it as is. */
  plain: boolean;
}

/**
 * Walks the text as CPython's `binascii.a2b_base64` does in non-strict mode, without decoding:
 * non-alphabet characters are skipped; `=` counts as padding only after two data characters
 * of a group, and the padding that fills a group stops decoding; a data character after an
 * `=` restarts the count; ending inside a group is an error.
 */
export function scanBase64(text: string): Base64Scan {
  // Fast path for what clients send (data and line breaks up to the first `=`): natively
  // checked and counted, so only the short tail is walked character by character.
  const firstPad = text.indexOf('=');
  const cleanEnd = firstPad === -1 ? text.length : firstPad;
  const prefix = cleanEnd === text.length ? text : text.slice(0, cleanEnd);
  if (!NOT_PLAIN.test(prefix)) {
    const data = cleanEnd - occurrences(prefix, '\n') - occurrences(prefix, '\r');
    return walk(text, cleanEnd, data % 4);
  }
  return walk(text, 0, 0);
}

const NOT_PLAIN = /[^A-Za-z0-9+/\r\n]/;

function occurrences(text: string, char: string): number {
  let n = 0;
  for (let i = text.indexOf(char); i !== -1; i = text.indexOf(char, i + 1)) n++;
  return n;
}

function walk(text: string, from: number, startQuad: number): Base64Scan {
  let quad = startQuad;
  let pads = 0;
  let plain = true;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === EQUALS) {
      if (quad >= 2) {
        pads++;
        if (quad + pads >= 4) return { ok: true, end: i + 1, plain };
      } else {
        plain = false;
      }
      continue;
    }
    if (c >= 128 || DATA[c] === 0) {
      if ((c !== NEWLINE && c !== RETURN) || pads > 0) plain = false;
      continue;
    }
    if (pads > 0) plain = false;
    pads = 0;
    quad = (quad + 1) % 4;
  }
  return { ok: quad === 0, end: text.length, plain };
}

const NOT_DATA = /[^A-Za-z0-9+/]/g;

/** The decoded bytes, or null where Python raises `binascii.Error`. */
export function decodeBase64(text: string): Buffer | null {
  const chunks = decodeBase64Chunks(text);
  return chunks === null ? null : Buffer.concat([...chunks]);
}

/** Text per decoded chunk: about 1 MiB of bytes. */
const CHUNK_CHARS = 1400 * 1024;

/**
 * The decoded bytes in chunks of about 1 MiB, or null where Python raises `binascii.Error`;
 * decoding a large file this way never holds the whole of it.
 */
export function decodeBase64Chunks(text: string): Iterable<Buffer> | null {
  const scan = scanBase64(text);
  if (!scan.ok) return null;
  const used = scan.end === text.length ? text : text.slice(0, scan.end);
  // Node's decoder agrees with Python on data characters and line breaks; anything else
  // (junk, `=` that Python skips) is removed first so Node sees only the data Python used.
  const plain = scan.plain ? used : used.replace(NOT_DATA, '');
  return plainChunks(plain);
}

function* plainChunks(text: string): Generator<Buffer> {
  // Padding, if any, is the tail; chunks are cut only in the data before it.
  const pad = text.indexOf('=');
  const dataEnd = pad === -1 ? text.length : pad;
  let from = 0;
  while (from < text.length) {
    let to = from + CHUNK_CHARS;
    if (to >= dataEnd) {
      to = text.length;
    } else {
      // A chunk must end on a whole group of four data characters (line breaks do not count).
      const slice = text.slice(from, to);
      let extra = (slice.length - occurrences(slice, '\n') - occurrences(slice, '\r')) % 4;
      while (extra > 0) {
        to--;
        const c = text.charCodeAt(to);
        if (c !== NEWLINE && c !== RETURN) extra--;
      }
    }
    yield Buffer.from(text.slice(from, to), 'base64');
    from = to;
  }
}

/** Bytes per MIME line: 57 bytes make the 76 base64 characters of `base64.encodebytes`. */
export const MIME_LINE_BYTES = 57;
const MIME_LINE_CHARS = 76;

/** `base64.encodebytes`: a newline after every 76 characters and after the last line; `""` when empty. */
export function encodeMimeBase64(bytes: Buffer): string {
  if (bytes.length === 0) return '';
  const flat = bytes.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < flat.length; i += MIME_LINE_CHARS) lines.push(flat.slice(i, i + MIME_LINE_CHARS));
  lines.push('');
  return lines.join('\n');
}

/**
 * The same encoding for a stream of chunks: `push` returns the text of the complete lines so
 * far, `end` the last short line. Memory is one chunk plus fewer than 57 carried bytes.
 */
export class MimeBase64Encoder {
  private carry: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): string {
    const data = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    const whole = data.length - (data.length % MIME_LINE_BYTES);
    this.carry = Buffer.from(data.subarray(whole));
    return whole > 0 ? encodeMimeBase64(data.subarray(0, whole)) : '';
  }

  end(): string {
    const rest = this.carry;
    this.carry = Buffer.alloc(0);
    return encodeMimeBase64(rest);
  }
}
