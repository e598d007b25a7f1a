import type { Timestamp } from '../../core/clock.ts';
import { parseTimestamp } from '../../core/clock.ts';
import { AssayError } from '../../core/errors.ts';

/**
 * ngshare timestamps (reference §4). Upstream emits `YYYY-MM-DD HH:MM:SS.ffffff` (UTC, no zone
 * suffix, never a `+`) and parses input with Python's `strptime`, first as
 * `%Y-%m-%d %H:%M:%S.%f %Z`, then (stripped) as `%Y-%m-%d %H:%M:%S.%f`. The patterns below are
 * strptime's own field patterns: single-digit fields, a day written as space + digit, 1–6
 * fraction digits, and one or more whitespace characters wherever the format has a space.
 * The zone word is limited to `UTC`/`GMT` (any case) and ignored: the value is UTC.
 */
const YEAR = String.raw`(\d{4})`;
const MONTH = String.raw`(1[0-2]|0[1-9]|[1-9])`;
const DAY = String.raw`(3[01]|[12]\d|0[1-9]|[1-9]| [1-9])`;
const HOUR = String.raw`(2[0-3]|[01]\d|\d)`;
const MINUTE = String.raw`([0-5]\d|\d)`;
// strptime's %S also matches 60 and 61; Python's datetime then rejects them, as the range check below does.
const SECOND = String.raw`(6[01]|[0-5]\d|\d)`;
const FRACTION = String.raw`([0-9]{1,6})`;
const DATE_TIME = String.raw`${YEAR}-${MONTH}-${DAY}\s+${HOUR}:${MINUTE}:${SECOND}\.${FRACTION}`;
const WITH_ZONE = new RegExp(String.raw`^${DATE_TIME}\s+(?:utc|gmt)$`, 'i');
const WITHOUT_ZONE = new RegExp(String.raw`^${DATE_TIME}$`);

/** The core's stored form; anything else is normalised through the core parser first. */
const CANONICAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** Every ngshare timestamp parse failure answers with this message (400). */
export const TIME_FORMAT_INCORRECT = 'Time format incorrect';

/**
 * Parses a `timestamp` argument into the core's timestamp, or null when upstream would answer
 * `Time format incorrect`. Surrounding whitespace is ignored, as Tornado strips arguments.
 */
export function parseNgshareTimestamp(text: string): Timestamp | null {
  const value = text.trim();
  const m = WITH_ZONE.exec(value) ?? WITHOUT_ZONE.exec(value);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map((f) => Number(f!.trim())) as [number, number, number, number, number, number];
  if (year < 1 || second > 59) return null;
  // A day past the month's end (2021-02-29) would roll over in Date; Python rejects it.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  // Built from the fields rather than from epoch arithmetic, so years before 1970 come out right.
  const two = (n: number) => String(n).padStart(2, '0');
  return `${String(year).padStart(4, '0')}-${two(month)}-${two(day)}T${two(hour)}:${two(minute)}:${two(second)}.${m[7]!.padEnd(6, '0')}Z`;
}

function canonical(t: Timestamp): Timestamp | null {
  return CANONICAL.test(t) ? t : parseTimestamp(t);
}

/** The form upstream emits: `2020-01-30 10:30:47.524219`. */
export function formatNgshareTimestamp(t: Timestamp): string {
  const c = canonical(t);
  if (!c) throw new Error(`not a timestamp: ${t}`);
  return `${c.slice(0, 10)} ${c.slice(11, 26)}`;
}

/** Whether a client-sent timestamp names the same microsecond as a stored one (§4.3: by value). */
export function ngshareTimestampMatches(stored: Timestamp, sent: string): boolean {
  const parsed = parseNgshareTimestamp(sent);
  return parsed !== null && parsed === canonical(stored);
}

/** Parses or throws the 400 `Time format incorrect`. */
export function requireNgshareTimestamp(text: string): Timestamp {
  const parsed = parseNgshareTimestamp(text);
  if (parsed === null) {
    throw new AssayError('invalid', TIME_FORMAT_INCORRECT, { reason: 'timestamp_format', fields: [{ field: 'timestamp', code: 'timestamp_format', message: TIME_FORMAT_INCORRECT }] });
  }
  return parsed;
}
