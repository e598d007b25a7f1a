import type { Db } from '../../db/database.ts';
import type { Actor } from '../actor.ts';
import type { Clock } from '../clock.ts';
import { AssayError, doesNotExist } from '../errors.ts';
import type { ExercisesService } from '../courses/exercises.service.ts';
import type { FieldsService } from '../courses/fields.service.ts';
import type { Module, ModulesService } from '../courses/modules.service.ts';
import { dailyReviewRepo } from './daily-review.repo.ts';
import type { EventsService, ScheduleEvent } from './events.service.ts';
import { WORK_EVENT } from './events.service.ts';
import { schedulePolicy } from './policy.ts';

export interface DailyReviewInput {
  /** Any instant of the day (its UTC calendar date is used). */
  date: string;
  show_lesson_names: boolean;
  hide_work_details: boolean;
  /** Additive: the class the review is for (its events only; its program gets the module). */
  class?: number | null;
}

const SUBJECT_SYMBOL = 'Daily Review';
const EXERCISE_NAME = 'Reflection';

const clock24 = (t: string) => t.slice(11, 16);

/** One line of the day, as the review shows it. */
export function describeEvent(e: ScheduleEvent, options: { show_lesson_names: boolean; hide_work_details: boolean }): string {
  const hidden = options.hide_work_details && e.type === WORK_EVENT;
  let text = hidden ? e.type : (e.title ?? e.type);
  if (options.show_lesson_names && e.lesson_name) text += ` (${e.lesson_name})`;
  if (!hidden && e.location) text += ` @ ${e.location}`;
  return `${clock24(e.start)}–${clock24(e.end)} ${text}`;
}

/**
 * `daily_review`: a module (in the program's "Daily Review" subject, made on first use) named
 * after the day, holding one Reflection exercise whose description lists the day's events and
 * which has one text field per event. Asking again for the same day and class updates the
 * description and returns the same module.
 */
export class DailyReviewService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly events: EventsService,
    private readonly modules: ModulesService,
    private readonly exercises: ExercisesService,
    private readonly fields: FieldsService,
  ) {}

  async create(actor: Actor, input: DailyReviewInput): Promise<Module> {
    if (!schedulePolicy.mayPlan(actor)) throw AssayError.forbidden();
    const day = input.date.slice(0, 10);
    const from = `${day}T00:00:00.000000Z`;
    const to = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 19) + '.000000Z';
    const klass =
      input.class === undefined || input.class === null
        ? null
        : await dailyReviewRepo.classById(this.db, input.class);
    if (input.class !== undefined && input.class !== null && !klass) {
      throw AssayError.invalid([doesNotExist('class', input.class)]);
    }
    let events = await this.events.startingBetween(from, to);
    if (klass) events = events.filter((e) => !e.attendees || e.attendees.length === 0 || e.attendees.some((a) => a.id === klass.id));
    if (events.length === 0) throw AssayError.field('date', 'invalid', 'There are no events on this day.');
    const courseId = klass?.course_id ?? (await this.programOfEvents(events));
    if (courseId === null) throw AssayError.field('class', 'required', 'Name a class: the events of this day belong to no program.');

    const subjectId = await this.reviewSubject(courseId);
    const moduleName = klass ? `Daily Review ${day} ${klass.name}` : `Daily Review ${day}`;
    const existing = await dailyReviewRepo.moduleByName(this.db, subjectId, moduleName);
    const moduleId = existing?.id ?? (await this.modules.create(actor, { subject_id: subjectId, name: moduleName, order: day })).id;
    const description = ['# ' + moduleName, '', ...events.map((e) => `- ${describeEvent(e, input)}`), '', 'What did you learn today? What was hard?'].join('\n');
    const exercise = await dailyReviewRepo.exerciseByName(this.db, moduleId, EXERCISE_NAME);
    if (exercise) await this.exercises.update(actor, exercise.id, { description });
    else {
      const created = await this.exercises.create(actor, { module_id: moduleId, name: EXERCISE_NAME, description, order: '1' });
      let order = 0;
      for (const e of events) {
        await this.fields.create(actor, created.id, {
          name: describeEvent(e, input).slice(0, 255),
          type: 'text',
          order: ++order,
          required: false,
          staff_responses: false,
          hanich_responses: true,
          has_value: true,
          segel_only: false,
        });
      }
    }
    return this.modules.get(actor, moduleId);
  }

  private async programOfEvents(events: ScheduleEvent[]): Promise<number | null> {
    const subjectId = events.find((e) => e.subject_id !== null)?.subject_id;
    if (subjectId === undefined || subjectId === null) return null;
    return dailyReviewRepo.courseOfSubject(this.db, subjectId);
  }

  private async reviewSubject(courseId: number): Promise<number> {
    const found = await dailyReviewRepo.subjectBySymbol(this.db, courseId, SUBJECT_SYMBOL);
    if (found) return found.id;
    return dailyReviewRepo.insertSubject(this.db, { course_id: courseId, symbol: SUBJECT_SYMBOL, name: SUBJECT_SYMBOL, color: '', created_at: this.clock.now() });
  }
}
