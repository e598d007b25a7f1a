import type { Timestamp } from '../../core/clock.ts';
import { zoneOffsetMs } from '../../core/zoned-time.ts';
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

/** `2024-01-01T00:00:00.000+00:00`: milliseconds and a numeric offset, never `Z` (autolab-cli reads nothing else). */
export function formatAutolabTime(t: Timestamp, timeZone: string): string {
  const ms = timestampToDate(t).getTime();
  const offset = timeZone === 'UTC' ? 0 : Math.round(zoneOffsetMs(timeZone, ms) / 60_000);
  const local = new Date(ms + offset * 60_000).toISOString().slice(0, 23);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** What the CLI needs where a date is required but the core has none (no end date): far in the future. */
export const NEVER: Timestamp = '9999-12-31T00:00:00.000000Z';
