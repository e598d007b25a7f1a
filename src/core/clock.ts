/**
 * One clock for the whole server. Timestamps are ISO-8601 UTC strings with exactly six
 * fractional digits (`2024-05-01T09:30:00.123456Z`), so they sort as text and keep microseconds.
 */
export type Timestamp = string;

export interface Clock {
  now(): Timestamp;
  nowMs(): number;
}

let lastMicros = 0n;

/** Wall clock with microsecond resolution, strictly increasing within this process. */
export const systemClock: Clock = {
  now() {
    let micros = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000));
    if (micros <= lastMicros) micros = lastMicros + 1n;
    lastMicros = micros;
    return microsToTimestamp(micros);
  },
  nowMs() {
    return Date.now();
  },
};

/** A clock tests can set and advance. */
export class ManualClock implements Clock {
  private micros: bigint;
  constructor(start: Timestamp | Date = new Date()) {
    this.micros = typeof start === 'string' ? timestampToMicros(start) : BigInt(start.getTime()) * 1000n;
  }
  now(): Timestamp {
    return microsToTimestamp(this.micros);
  }
  nowMs(): number {
    return Number(this.micros / 1000n);
  }
  set(t: Timestamp): void {
    this.micros = timestampToMicros(t);
  }
  advance(ms: number): void {
    this.micros += BigInt(Math.round(ms * 1000));
  }
}

export function microsToTimestamp(micros: bigint): Timestamp {
  const ms = Number(micros / 1000n);
  const frac = (micros % 1_000_000n).toString().padStart(6, '0');
  return new Date(ms).toISOString().slice(0, 19) + '.' + frac + 'Z';
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|UTC|[+-]\d{2}(?::?\d{2})?)?$/i;

/** Parses any ISO-8601 date-time (offset optional: none means UTC). Returns null when malformed. */
export function parseTimestamp(text: string): Timestamp | null {
  const m = ISO.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s = '00', frac = '', zone = 'Z'] = m;
  const base = Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +s);
  if (Number.isNaN(base)) return null;
  const check = new Date(base);
  if (check.getUTCFullYear() !== +y! || check.getUTCMonth() !== +mo! - 1 || check.getUTCDate() !== +d! || +h! > 23 || +mi! > 59 || +s > 59) return null;
  let offsetMinutes = 0;
  const z = zone.toUpperCase();
  if (z !== 'Z' && z !== 'UTC') {
    const sign = z.startsWith('-') ? -1 : 1;
    const digits = z.slice(1).replace(':', '');
    offsetMinutes = sign * (+digits.slice(0, 2) * 60 + +(digits.slice(2, 4) || '0'));
  }
  const micros = BigInt(base - offsetMinutes * 60_000) * 1000n + BigInt((frac + '000000').slice(0, 6));
  return microsToTimestamp(micros);
}

export function timestampToMicros(t: Timestamp): bigint {
  const parsed = parseTimestamp(t);
  if (!parsed) throw new Error(`bad timestamp ${t}`);
  const ms = BigInt(Date.parse(parsed.slice(0, 19) + 'Z'));
  return ms * 1000n + BigInt(parsed.slice(20, 26));
}

export function timestampToDate(t: Timestamp): Date {
  return new Date(Number(timestampToMicros(t) / 1000n));
}

export function addSeconds(t: Timestamp, seconds: number): Timestamp {
  return microsToTimestamp(timestampToMicros(t) + BigInt(Math.round(seconds * 1_000_000)));
}
