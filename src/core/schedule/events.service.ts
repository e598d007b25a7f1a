import type { Db } from '../../db/database.ts';
import type { Actor } from '../actor.ts';
import type { Clock } from '../clock.ts';
import { parseTimestamp } from '../clock.ts';
import { compact } from '../compact.ts';
import { AssayError } from '../errors.ts';
import { parseJson } from '../json-column.ts';
import type { EventColumns } from './events.repo.ts';
import { eventsRepo } from './events.repo.ts';
import { schedulePolicy } from './policy.ts';

export const EVENT_TYPES = ['פתבס', 'הרצאה', 'עע'] as const;
export type EventType = (typeof EVENT_TYPES)[number];
/** The type of a work session, whose title the kiosk may hide. */
export const WORK_EVENT: EventType = 'עע';

/** A class an event is for (stored in `events.attendees`). */
export interface Attendee {
  id: number;
  name: string;
}

export interface ScheduleEvent {
  id: number;
  uid: string | null;
  start: string;
  end: string;
  title: string | null;
  type: string;
  location: string | null;
  attendees: Attendee[] | null;
  lesson_id: number | null;
  lesson_name: string | null;
  module_id: number | null;
  subject_id: number | null;
  subject_name: string | null;
  color: string | null;
}

/** What the API sets on an event; title, attendees, lesson and color come from calendar imports. */
export interface EventInput {
  start?: string;
  end?: string;
  type?: string;
  location?: string | null;
}

export interface EventFilters {
  startGte?: string;
  endLte?: string;
  lessonId?: number;
}

/**
 * Timetable events: imported from iCalendar (their UID ties them to the calendar: a later import
 * updates or cancels them), and created, changed and deleted by staff through the API. An API
 * event has no UID, so imports never touch it; an imported event keeps its UID when staff edit it.
 */
export class EventsService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  private async render(rows: Awaited<ReturnType<typeof eventsRepo.list>>): Promise<ScheduleEvent[]> {
    const subjectIds = [...new Set(rows.map((r) => r.subject_id ?? r.module_subject_id).filter((id): id is number => id !== null))];
    const subjects = await eventsRepo.subjectNames(this.db, subjectIds);
    return rows.map((r) => {
      const subjectId = r.subject_id ?? r.module_subject_id ?? null;
      const attendees = parseJson(r.attendees);
      return {
        id: r.id,
        uid: r.uid,
        start: r.start_at,
        end: r.end_at,
        title: r.title,
        type: r.type,
        location: r.location,
        attendees: Array.isArray(attendees) ? (attendees as Attendee[]) : null,
        lesson_id: r.lesson_id,
        lesson_name: r.lesson_name ?? null,
        module_id: r.module_id ?? null,
        subject_id: subjectId,
        subject_name: subjectId === null ? null : (subjects.get(subjectId) ?? null),
        color: r.color ?? null,
      };
    });
  }

  /** Students see events for everyone (no attendees) and those of their classes; checkers and above see all. */
  private async visibleTo(actor: Actor, events: ScheduleEvent[]): Promise<ScheduleEvent[]> {
    if (schedulePolicy.seesEveryEvent(actor)) return events;
    const mine = await eventsRepo.classIdsOf(this.db, actor.id);
    return events.filter((e) => !e.attendees || e.attendees.length === 0 || e.attendees.some((a) => mine.has(a.id)));
  }

  async list(actor: Actor, filters: EventFilters = {}): Promise<ScheduleEvent[]> {
    const rows = await eventsRepo.list(this.db, { startGte: filters.startGte, endLte: filters.endLte, lessonId: filters.lessonId });
    return this.visibleTo(actor, await this.render(rows));
  }

  async get(actor: Actor, id: number): Promise<ScheduleEvent> {
    const [event] = await this.visibleTo(actor, await this.render(await eventsRepo.list(this.db, { id })));
    if (!event) throw AssayError.notFound();
    return event;
  }

  private assertStaff(actor: Actor): void {
    if (!schedulePolicy.mayPlan(actor)) throw AssayError.forbidden();
  }

  /** Checks the times and the type; `current` is the event being changed (for a partial update). */
  private columns(input: EventInput, current?: ScheduleEvent): Partial<EventColumns> {
    const time = (field: 'start' | 'end') => {
      const value = input[field];
      if (value === undefined) return undefined;
      const parsed = parseTimestamp(value);
      if (!parsed) throw AssayError.field(field, 'invalid', 'Datetime has wrong format.');
      return parsed;
    };
    const start = time('start');
    const end = time('end');
    if ((start ?? current?.start)! > (end ?? current?.end)!) throw AssayError.field('end', 'invalid', 'The end must not be before the start.');
    if (input.type !== undefined && !(EVENT_TYPES as readonly string[]).includes(input.type)) {
      throw AssayError.field('type', 'invalid_choice', `"${input.type}" is not a valid choice.`);
    }
    return compact({ start_at: start, end_at: end, type: input.type, location: input.location });
  }

  async create(actor: Actor, input: Required<Pick<EventInput, 'start' | 'end' | 'type'>> & EventInput): Promise<ScheduleEvent> {
    this.assertStaff(actor);
    const columns = this.columns(input) as EventColumns;
    const id = await eventsRepo.insert(this.db, { ...columns, location: input.location ?? null, created_at: this.clock.now() });
    return this.get(actor, id);
  }

  async update(actor: Actor, id: number, input: EventInput): Promise<ScheduleEvent> {
    const current = await this.get(actor, id);
    this.assertStaff(actor);
    await eventsRepo.update(this.db, id, this.columns(input, current));
    return this.get(actor, id);
  }

  /** An imported event comes back with the next import of its calendar unless the calendar cancels it. */
  async delete(actor: Actor, id: number): Promise<void> {
    await this.get(actor, id);
    this.assertStaff(actor);
    await eventsRepo.delete(this.db, id);
  }

  /** Events with a lesson that start in (after, upTo], oldest first; for the lesson scheduler. */
  async lessonEventsStarting(after: string, upTo: string): Promise<ScheduleEvent[]> {
    return this.render(await eventsRepo.list(this.db, { withLesson: true, startAfter: after, startLte: upTo }));
  }

  /** Every event starting within [from, to), for the daily review. */
  async startingBetween(from: string, to: string): Promise<ScheduleEvent[]> {
    return this.render(await eventsRepo.list(this.db, { startGte: from, startBefore: to }));
  }
}
