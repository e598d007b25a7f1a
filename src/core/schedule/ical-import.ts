import fs from 'node:fs/promises';
import ICAL from 'ical.js';
import type { Db } from '../../db/database.ts';
import type { Clock } from '../clock.ts';
import { microsToTimestamp } from '../clock.ts';
import { AssayError } from '../errors.ts';
import { toJson } from '../json-column.ts';
import type { Attendee } from './events.service.ts';
import { EVENT_TYPES } from './events.service.ts';
import { eventsRepo } from './events.repo.ts';

/**
 * How a VEVENT maps onto an event:
 * - UID keeps the event's identity: importing again updates it; STATUS:CANCELLED deletes it.
 * - SUMMARY → title, LOCATION → location, DTSTART/DTEND (or DURATION) → start/end in UTC.
 * - X-ASSAY-LESSON names the lesson (its id or its exact name).
 * - ATTENDEE entries name the classes the event is for: by the class's e-mail (mailto:) or by
 *   CN equal to the class name. Attendees that are not classes are ignored.
 * - X-ASSAY-TYPE, else the first CATEGORIES value that is an event type, gives the Hebrew type;
 *   the default is `הרצאה` (lecture).
 * - COLOR (RFC 7986) or X-ASSAY-COLOR names an event color (`/schedule/colors/` name).
 */
export interface CalendarEvent {
  uid: string;
  start: string;
  end: string;
  title: string | null;
  location: string | null;
  lesson: string | null;
  type: string | null;
  categories: string[];
  attendees: { cn: string | null; email: string | null }[];
  color: string | null;
  cancelled: boolean;
}

export interface ImportResult {
  created: number;
  updated: number;
  deleted: number;
  skipped: number;
}

const DEFAULT_TYPE = 'הרצאה';

const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);

function toTimestamp(time: ICAL.Time): string {
  // Floating times (no zone) count as UTC, so the result never depends on the server's zone.
  return microsToTimestamp(BigInt(time.toUnixTime()) * 1_000_000n);
}

/** Parses iCalendar text into plain events. Throws AssayError invalid when it is not iCalendar. */
export function parseCalendar(source: string): { events: CalendarEvent[]; skipped: number } {
  let root: ICAL.Component;
  try {
    root = new ICAL.Component(ICAL.parse(source));
  } catch (e) {
    throw AssayError.field(null, 'invalid', `Not an iCalendar file: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (root.name !== 'vcalendar') throw AssayError.field(null, 'invalid', 'Not an iCalendar file: no VCALENDAR.');
  for (const tz of root.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(tz);
  const events: CalendarEvent[] = [];
  let skipped = 0;
  for (const component of root.getAllSubcomponents('vevent')) {
    const event = new ICAL.Event(component);
    const uid = text(event.uid);
    // A moved occurrence of a recurring event shares its series' UID; only the series is kept.
    if (!uid || !event.startDate || component.hasProperty('recurrence-id')) {
      skipped++;
      continue;
    }
    const start = toTimestamp(event.startDate);
    const end = event.endDate ? toTimestamp(event.endDate) : start;
    events.push({
      uid,
      start,
      end: end < start ? start : end,
      title: text(event.summary),
      location: text(event.location),
      lesson: text(component.getFirstPropertyValue('x-assay-lesson')),
      type: text(component.getFirstPropertyValue('x-assay-type')),
      categories: component.getAllProperties('categories').flatMap((p) => p.getValues().map(String)),
      attendees: component.getAllProperties('attendee').map((p) => {
        const value = text(p.getFirstValue());
        const cn = p.getParameter('cn');
        return {
          cn: text(Array.isArray(cn) ? cn[0] : cn),
          email: value && /^mailto:/i.test(value) ? value.slice(7).toLowerCase() : null,
        };
      }),
      color: text(component.getFirstPropertyValue('color')) ?? text(component.getFirstPropertyValue('x-assay-color')),
      cancelled: String(component.getFirstPropertyValue('status') ?? '').toUpperCase() === 'CANCELLED',
    });
  }
  return { events, skipped };
}

/** Reads a calendar from a file path or an http(s) URL. */
export async function readCalendarSource(source: string): Promise<string> {
  if (/^https?:\/\//i.test(source)) {
    const res = await fetch(source, { headers: { accept: 'text/calendar' }, signal: AbortSignal.timeout(30_000) });
    if (!res.ok) throw new AssayError('unavailable', `Fetching ${source} failed: HTTP ${res.status}`);
    return res.text();
  }
  return fs.readFile(source, 'utf8');
}

/** Stores parsed events: updates those whose UID is known, inserts the rest, deletes cancelled ones. */
export async function importCalendarEvents(db: Db, clock: Clock, parsed: { events: CalendarEvent[]; skipped: number }): Promise<ImportResult> {
  const { lessons, classes, colors } = await eventsRepo.importCatalog(db);
  const lessonFor = (ref: string | null) => {
    if (ref === null) return null;
    if (/^\d+$/.test(ref)) return lessons.find((l) => l.id === Number(ref)) ?? null;
    return lessons.find((l) => l.name === ref) ?? null;
  };
  const classesFor = (attendees: CalendarEvent['attendees']): Attendee[] => {
    const found = new Map<number, Attendee>();
    for (const a of attendees) {
      const c = classes.find((k) => (a.email !== null && k.email !== '' && k.email.toLowerCase() === a.email) || (a.cn !== null && k.name === a.cn));
      if (c) found.set(c.id, { id: c.id, name: c.name });
    }
    return [...found.values()].sort((x, y) => x.id - y.id);
  };
  const typeOf = (e: CalendarEvent) =>
    [e.type, ...e.categories].find((t): t is string => t !== null && (EVENT_TYPES as readonly string[]).includes(t)) ?? DEFAULT_TYPE;
  const result: ImportResult = { created: 0, updated: 0, deleted: 0, skipped: parsed.skipped };
  await db.transaction().execute(async (tx) => {
    for (const e of parsed.events) {
      const existing = await eventsRepo.byUid(tx, e.uid);
      if (e.cancelled) {
        if (existing) {
          await eventsRepo.delete(tx, existing.id);
          result.deleted++;
        }
        continue;
      }
      const lesson = lessonFor(e.lesson);
      const attendees = classesFor(e.attendees);
      const values = {
        start_at: e.start,
        end_at: e.end,
        title: e.title === null ? null : e.title.slice(0, 255),
        type: typeOf(e),
        location: e.location === null ? null : e.location.slice(0, 100),
        lesson_id: lesson?.id ?? null,
        color_id: colors.find((c) => c.name === e.color)?.id ?? null,
        attendees: toJson(attendees),
      };
      if (existing) {
        await eventsRepo.updateImported(tx, existing.id, values);
        result.updated++;
      } else {
        await eventsRepo.insertImported(tx, { ...values, uid: e.uid, created_at: clock.now() });
        result.created++;
      }
    }
  });
  return result;
}
