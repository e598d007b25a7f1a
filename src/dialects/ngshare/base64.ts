/**
 * Base64 as ngshare speaks it (reference §3.2, §3.4). Input is decoded the way Python's
 * lenient `base64.decodebytes` decodes it; output is MIME style like `base64.encodebytes`.
 */

const DATA = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/') DATA[c.charCodeAt(0)] = 1;
const EQUALS = 0x3d;

const NOT_PLAIN = /[^A-Za-z0-9+/\r\n]/;
const LINE_BREAKS = /[\r\n]/g;
const EMPTY = Buffer.alloc(0);

/**
 * Decodes text fed in pieces the way CPython's `binascii.a2b_base64` decodes it in non-strict
 * mode: non-alphabet characters are skipped; `=` counts as padding only after two data
 * characters of a group, and the padding that fills a group ends decoding (the rest is
 * ignored); a data character after an `=` restarts the count; ending inside a group is an
 * error. Memory is one piece plus at most three carried characters.
 */
export class Base64StreamDecoder {
  private quad = 0;
  private pads = 0;
  private done = false;
  private carry = '';

  /** The bytes of the whole groups completed so far. */
  push(text: string): Buffer {
    if (this.done || text.length === 0) return EMPTY;
    // What clients send is data and line breaks up to the padding: that part takes the native
    // path, and only what follows the first `=` is walked character by character.
    const pad = text.indexOf('=');
    const head = pad === -1 ? text : text.slice(0, pad);
    let data = NOT_PLAIN.test(head) ? this.walk(head) : this.plain(head);
    if (pad !== -1 && !this.done) data += this.walk(text.slice(pad));
    const all = this.carry + data;
    const whole = this.done ? all.length : all.length - (all.length % 4);
    this.carry = all.slice(whole);
    return whole > 0 ? Buffer.from(whole === all.length ? all : all.slice(0, whole), 'base64') : EMPTY;
  }

  /** Whether Python would have decoded the whole text (nothing is left to emit either way). */
  end(): boolean {
    return this.done || this.quad === 0;
  }

  /** The fast path: only data characters and line breaks. */
  private plain(text: string): string {
    const data = text.replace(LINE_BREAKS, '');
    if (data.length > 0) {
      this.pads = 0;
      this.quad = (this.quad + data.length) % 4;
    }
    return data;
  }

  private walk(text: string): string {
    let data = '';
    let run = -1;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      const isData = c < 128 && DATA[c] === 1;
      if (isData) {
        if (run === -1) run = i;
        this.pads = 0;
        this.quad = (this.quad + 1) % 4;
        continue;
      }
      if (run !== -1) {
        data += text.slice(run, i);
        run = -1;
      }
      if (c === EQUALS && this.quad >= 2) {
        this.pads++;
        if (this.quad + this.pads >= 4) {
          this.done = true;
          return data;
        }
      }
    }
    if (run !== -1) data += text.slice(run);
    return data;
  }
}

/** The decoded bytes, or null where Python raises `binascii.Error`. */
export function decodeBase64(text: string): Buffer | null {
  const plain = decodePlainBase64(text);
  if (plain) return plain;
  const decoder = new Base64StreamDecoder();
  const bytes = decoder.push(text);
  return decoder.end() ? bytes : null;
}

const NOT_DATA_OR_LF = /[^A-Za-z0-9+/\n]/;
const LF = 0x0a;

/**
 * What clients send, decoded natively in one pass: data characters and `\n` line breaks, then
 * padding that completes the last group (`=`, `==`, either followed by one `\n`) or none when the
 * groups are whole. Node's decoder skips the line breaks, and on this shape it gives Python's
 * bytes. Null for anything else, which the character-by-character decoder then answers.
 */
function decodePlainBase64(text: string): Buffer | null {
  let end = text.length;
  if (end > 0 && text.charCodeAt(end - 1) === LF) end--;
  let pads = 0;
  while (pads < 2 && end > 0 && text.charCodeAt(end - 1) === EQUALS) {
    end--;
    pads++;
  }
  const head = end === text.length ? text : text.slice(0, end);
  if (NOT_DATA_OR_LF.test(head)) return null;
  let breaks = 0;
  for (let at = head.indexOf('\n'); at !== -1; at = head.indexOf('\n', at + 1)) breaks++;
  const quad = (head.length - breaks) % 4;
  // Whole groups, or padding that ends the last one; `=` after a whole group is skipped by both.
  if (!(quad === 0 || (quad === 2 && pads === 2) || (quad === 3 && pads >= 1))) return null;
  return Buffer.from(head, 'base64');
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
