import type { Timestamp } from './clock.ts';
import { microsToTimestamp } from './clock.ts';

/** One formatter per zone: building one costs far more than using it. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(zone, format);
  }
  return format;
}

/** Wall-clock fields of an instant in a zone. */
function wallClock(zone: string, ms: number): { y: number; mo: number; d: number; h: number; mi: number; s: number } {
  const parts = formatter(zone).formatToParts(new Date(ms));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return { y: get('year'), mo: get('month'), d: get('day'), h: get('hour'), mi: get('minute'), s: get('second') };
}

/** How far the zone's wall clock is ahead of UTC at that instant, in milliseconds (whole seconds). */
export function zoneOffsetMs(zone: string, ms: number): number {
  const w = wallClock(zone, ms);
  return Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s) - Math.floor(ms / 1000) * 1000;
}

/** Whether the zone is an IANA zone this runtime knows. */
export function isKnownZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `YYYY-MM-DD HH:MM:SS.ffffff` in the zone, no zone suffix (Python's str() of a naive datetime, always 6 digits). */
export function formatInZone(t: Timestamp, zone: string): string {
  const ms = Date.parse(t);
  const w = wallClock(zone, ms);
  const fraction = /\.(\d{6})/.exec(t)?.[1] ?? '000000';
  return `${pad(w.y, 4)}-${pad(w.mo)}-${pad(w.d)} ${pad(w.h)}:${pad(w.mi)}:${pad(w.s)}.${fraction}`;
}

/** A wall-clock date-time (`YYYY-MM-DD[ HH:MM[:SS]]`) read in the zone; null when malformed. */
export function parseInZone(text: string, zone: string): Timestamp | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(text.trim());
  if (!m) return null;
  const [y, mo, d, h = 0, mi = 0, s = 0] = m.slice(1).map((v) => (v === undefined ? undefined : Number(v))) as number[];
  const guess = Date.UTC(y!, mo! - 1, d!, h, mi, s);
  if (Number.isNaN(guess) || new Date(guess).getUTCDate() !== d) return null;
  let utc = guess - zoneOffsetMs(zone, guess);
  utc = guess - zoneOffsetMs(zone, utc);
  return microsToTimestamp(BigInt(utc) * 1000n);
}
