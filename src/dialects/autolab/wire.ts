import type { Timestamp } from '../../core/clock.ts';
import { timestampToDate } from '../../core/clock.ts';

/**
 * Autolab's JSON as Rails writes it: floats always with a fractional part (`10.0`), which
 * JSON.stringify cannot do, so float-typed fields are wrapped in `Float` and this serializer
 * writes them. Everything else is written as JSON.stringify would.
 */
export class Float {
  constructor(readonly value: number) {}
}

/** A float-typed field (null stays null). */
export const float = (n: number | null): Float | null => (n === null ? null : new Float(n));

export function formatFloat(n: number): string {
  if (!Number.isFinite(n)) return 'null';
  const text = String(n);
  return /[.eE]/.test(text) ? text : `${text}.0`;
}

export function toAutolabJson(value: unknown): string {
  if (value instanceof Float) return formatFloat(value.value);
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : toAutolabJson(v))).join(',')}]`;
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const parts = Object.entries(value).flatMap(([k, v]) => (v === undefined ? [] : [`${JSON.stringify(k)}:${toAutolabJson(v)}`]));
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const offsets = new Map<string, Intl.DateTimeFormat>();

/** Minutes the zone is ahead of UTC at that instant. */
function offsetMinutes(ms: number, timeZone: string): number {
  if (timeZone === 'UTC') return 0;
  let format = offsets.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    offsets.set(timeZone, format);
  }
  const p = Object.fromEntries(format.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  const local = Date.UTC(+p.year!, +p.month! - 1, +p.day!, +p.hour!, +p.minute!, +p.second!);
  return Math.round((local - Math.floor(ms / 1000) * 1000) / 60_000);
}

/** `2024-01-01T00:00:00.000+00:00`: milliseconds and a numeric offset, never `Z` (autolab-cli reads nothing else). */
export function formatAutolabTime(t: Timestamp, timeZone: string): string {
  const ms = timestampToDate(t).getTime();
  const offset = offsetMinutes(ms, timeZone);
  const local = new Date(ms + offset * 60_000).toISOString().slice(0, 23);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** What the CLI needs where a date is required but the core has none (no end date): far in the future. */
export const NEVER: Timestamp = '9999-12-31T00:00:00.000000Z';
