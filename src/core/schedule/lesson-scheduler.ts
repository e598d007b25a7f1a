import type { Db } from '../../db/database.ts';
import type { Clock } from '../clock.ts';
import type { EventsService } from './events.service.ts';
import { settingsRepo } from '../settings.repo.ts';

/** Where the scheduler stopped, kept in `settings` so a restart neither repeats nor skips a lesson. */
const WATERMARK_KEY = 'schedule.lessons_applied_until';

export interface SchedulerTick {
  applied: { eventId: number; lessonId: number; classId: number }[];
}

/**
 * Applies a lesson to an event's classes when the event starts. `tick()` does one pass against
 * the injected clock: every lesson event that started after the last pass (and no later than
 * now) is applied, oldest first. The first pass only records "now": events that started before
 * the server ever ran are not replayed.
 */
export class LessonScheduler {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly events: EventsService,
    private readonly apply: (classId: number, lessonId: number) => Promise<number>,
  ) {}

  async tick(): Promise<SchedulerTick> {
    const now = this.clock.now();
    const watermark = await settingsRepo.get(this.db, WATERMARK_KEY);
    const applied: SchedulerTick['applied'] = [];
    if (watermark !== undefined && watermark < now) {
      for (const event of await this.events.lessonEventsStarting(watermark, now)) {
        for (const attendee of event.attendees ?? []) {
          await this.apply(attendee.id, event.lesson_id!);
          applied.push({ eventId: event.id, lessonId: event.lesson_id!, classId: attendee.id });
        }
      }
    }
    if (watermark === undefined) await settingsRepo.insert(this.db, WATERMARK_KEY, now);
    else if (watermark < now) await settingsRepo.update(this.db, WATERMARK_KEY, now);
    return { applied };
  }
}
