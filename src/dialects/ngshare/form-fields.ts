import { StringDecoder } from 'node:string_decoder';
import { parseFormText } from '../hive/body.ts';
import type { SpooledForm } from './form-spool.ts';

const AMPERSAND = 0x26;
const EQUALS = 0x3d;
const PLUS = 0x2b;
const PERCENT = 0x25;
const SPACE = 0x20;

/** Where a value lies in the raw (still encoded) body. */
export interface FieldRange {
  start: number;
  end: number;
}

export interface ScannedForm {
  /** Every field but `streamed` ones, decoded exactly as URLSearchParams decodes a form. */
  fields: Record<string, unknown>;
  /** The last value of each streamed field, left in the body to be read as a stream. */
  ranges: Map<string, FieldRange>;
}

/**
 * Splits a form-encoded body into fields in one pass over its bytes. The fields named in
 * `streamed` (ngshare's `files`, which may be hundreds of megabytes) are not decoded nor
 * held: only where their last value lies is kept.
 */
export async function scanForm(spool: SpooledForm, streamed: ReadonlySet<string>): Promise<ScannedForm> {
  const small: string[] = [];
  const ranges = new Map<string, FieldRange>();
  let offset = 0;
  let fieldStart = 0;
  let valueStart = -1;
  let name: Buffer[] = [];
  let value: Buffer[] = [];
  let streaming = false;

  const endField = (at: number) => {
    const hasEquals = valueStart !== -1;
    const rawName = Buffer.concat(name).toString('utf8');
    if (at > fieldStart) {
      const decodedName = decodeComponent(rawName);
      if (streamed.has(decodedName)) ranges.set(decodedName, hasEquals ? { start: valueStart, end: at } : { start: at, end: at });
      else small.push(hasEquals ? `${rawName}=${Buffer.concat(value).toString('utf8')}` : rawName);
    }
    fieldStart = at + 1;
    valueStart = -1;
    name = [];
    value = [];
    streaming = false;
  };

  for await (const data of spool.open()) {
    const chunk = data as Buffer;
    let i = 0;
    while (i < chunk.length) {
      const amp = chunk.indexOf(AMPERSAND, i);
      const stop = amp === -1 ? chunk.length : amp;
      if (valueStart === -1) {
        const eq = chunk.indexOf(EQUALS, i);
        if (eq !== -1 && eq < stop) {
          name.push(chunk.subarray(i, eq));
          valueStart = offset + eq + 1;
          streaming = streamed.has(decodeComponent(Buffer.concat(name).toString('utf8')));
          i = eq + 1;
          continue;
        }
        name.push(chunk.subarray(i, stop));
      } else if (!streaming) {
        value.push(chunk.subarray(i, stop));
      }
      if (amp === -1) break;
      endField(offset + amp);
      i = amp + 1;
    }
    offset += chunk.length;
  }
  endField(offset);
  return { fields: parseFormText(small.join('&')), ranges };
}

function decodeComponent(raw: string): string {
  return new URLSearchParams(raw).keys().next().value ?? '';
}

/** Each byte's value as a hex digit, -1 for bytes that are not one. */
const HEX = new Int8Array(256).fill(-1);
for (let i = 0; i < 16; i++) {
  HEX[i.toString(16).charCodeAt(0)] = i;
  HEX[i.toString(16).toUpperCase().charCodeAt(0)] = i;
}

/** `+` and `%XX` decoding of a byte stream, as URLSearchParams decodes; a `%` not followed by two hex digits stays. */
export class PercentDecoder {
  private carry: Buffer = Buffer.alloc(0);

  push(chunk: Buffer, final = false): Buffer {
    const data = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    this.carry = Buffer.alloc(0);
    if (data.indexOf(PERCENT) === -1 && data.indexOf(PLUS) === -1) return data;
    const out = Buffer.allocUnsafe(data.length);
    const length = data.length;
    let n = 0;
    for (let i = 0; i < length; i++) {
      const b = data[i]!;
      if (b === PERCENT) {
        if (i + 2 < length) {
          const high = HEX[data[i + 1]!]!;
          const low = HEX[data[i + 2]!]!;
          if (high >= 0 && low >= 0) {
            out[n++] = (high << 4) | low;
            i += 2;
            continue;
          }
        } else if (!final) {
          // An escape cut by the end of the chunk: completed by the next one.
          this.carry = Buffer.from(data.subarray(i));
          break;
        }
        out[n++] = b;
      } else {
        out[n++] = b === PLUS ? SPACE : b;
      }
    }
    return out.subarray(0, n);
  }

  end(): Buffer {
    return this.push(Buffer.alloc(0), true);
  }
}

// What Tornado's get_argument does to a value: control characters other than \t \n \v \f \r
// become spaces, then Python's str.strip() removes whitespace at both ends (its set, not
// JavaScript's trim()).
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\x00-\x08\x0e-\x1f]/g;
const CONTROL_ONE = new RegExp(CONTROL.source);
const PY_SPACE = '[\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const LEADING = new RegExp(`^${PY_SPACE}+`);
const ONE_SPACE = new RegExp(`^${PY_SPACE}$`);

export function cleanArgument(value: string): string {
  // Most values, a hand-in's megabytes of JSON among them, have nothing to clean: one scan, no copy.
  if (value === '' || (!CONTROL_ONE.test(value) && !ONE_SPACE.test(value[0]!) && !ONE_SPACE.test(value[value.length - 1]!))) return value;
  const text = value.replace(CONTROL, ' ').replace(LEADING, '');
  return text.slice(0, trailingSpaceStart(text));
}

/**
 * A form value's raw bytes decoded exactly as URLSearchParams decodes them (`+` is a space, `%XX`
 * a byte, the bytes UTF-8 with U+FFFD for bad sequences). decodeURIComponent does the same several
 * times faster when every escape is well formed and the bytes are UTF-8 (what clients send); it
 * throws otherwise, and URLSearchParams answers.
 */
export function decodeFormValue(raw: Buffer): string {
  const text = raw.toString('utf8');
  const spaced = raw.indexOf(PLUS) === -1 ? text : text.replace(/\+/g, ' ');
  if (raw.indexOf(PERCENT) === -1) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return new URLSearchParams(`v=${text}`).get('v') ?? '';
  }
}

/** Where the run of whitespace that ends `text` starts (a backward scan: no regex backtracking). */
function trailingSpaceStart(text: string): number {
  let i = text.length;
  while (i > 0 && ONE_SPACE.test(text[i - 1]!)) i--;
  return i;
}

/** Up to this many bytes, a value is decoded whole, natively, rather than piece by piece. */
const WHOLE_FIELD_BYTES = 8 * 1024 * 1024;

/**
 * One field's value as cleaned text, piece by piece: percent-decoded, UTF-8 decoded (invalid
 * sequences become U+FFFD, as in URLSearchParams), then cleaned as Tornado cleans arguments.
 * Trailing whitespace is held back until text follows it, so it is stripped only at the end.
 */
export async function* fieldText(spool: SpooledForm, range: FieldRange): AsyncGenerator<string> {
  if (range.end - range.start <= WHOLE_FIELD_BYTES) {
    let raw = spool.slice(range.start, range.end);
    if (raw === null) {
      const chunks: Buffer[] = [];
      for await (const chunk of spool.open(range.start, range.end)) chunks.push(chunk as Buffer);
      raw = Buffer.concat(chunks);
    }
    // The range holds no `&`: it is one value, decoded exactly as the form parser decodes it.
    yield cleanArgument(decodeFormValue(raw));
    return;
  }
  const percent = new PercentDecoder();
  const utf8 = new StringDecoder('utf8');
  let started = false;
  let held = '';
  const clean = function* (decoded: string): Generator<string> {
    let text = held + decoded.replace(CONTROL, ' ');
    if (!started) {
      text = text.replace(LEADING, '');
      if (text === '') return;
      started = true;
    }
    const cut = trailingSpaceStart(text);
    held = text.slice(cut);
    const body = text.slice(0, cut);
    if (body !== '') yield body;
  };
  for await (const chunk of spool.open(range.start, range.end)) yield* clean(utf8.write(percent.push(chunk as Buffer)));
  yield* clean(utf8.write(percent.end()) + utf8.end());
}
