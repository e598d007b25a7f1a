import type { Db } from '../../db/database.ts';
import type { Actor } from '../actor.ts';
import type { Clock } from '../clock.ts';
import { AssayError, doesNotExist } from '../errors.ts';
import type { ExercisesService } from '../courses/exercises.service.ts';
import type { FieldsService } from '../courses/fields.service.ts';
import type { ModulesService } from '../courses/modules.service.ts';
import { applyLessonRules } from './apply-lesson.ts';
import { EventColorsService } from './colors.service.ts';
import { DailyReviewService } from './daily-review.ts';
import { EventsService } from './events.service.ts';
import type { ImportResult } from './ical-import.ts';
import { importCalendarEvents, parseCalendar, readCalendarSource } from './ical-import.ts';
import { LessonRulesService } from './lesson-rules.service.ts';
import { LessonScheduler } from './lesson-scheduler.ts';
import { LessonsService } from './lessons.service.ts';
import { lessonApplyRepo, lessonsRepo } from './lessons.repo.ts';
import { schedulePolicy } from './policy.ts';

/** The timetable: lessons and their rules, events (imported from iCalendar or written by staff), colors, the daily review. */
export class ScheduleService {
  readonly lessons: LessonsService;
  readonly rules: LessonRulesService;
  readonly colors: EventColorsService;
  readonly events: EventsService;
  readonly dailyReview: DailyReviewService;
  readonly scheduler: LessonScheduler;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    deps: { modules: ModulesService; exercises: ExercisesService; fields: FieldsService },
  ) {
    this.lessons = new LessonsService(db);
    this.rules = new LessonRulesService(db, this.lessons);
    this.colors = new EventColorsService(db);
    this.events = new EventsService(db, clock);
    this.dailyReview = new DailyReviewService(db, clock, this.events, deps.modules, deps.exercises, deps.fields);
    this.scheduler = new LessonScheduler(db, clock, this.events, (classId, lessonId) => this.applyLesson(null, classId, lessonId));
  }

  /**
   * Applies a lesson's rules to every student of a class (see apply-lesson.ts): each student's
   * `override_queue` becomes the queue of the most specific rule that reaches them. `lessonId`
   * null clears the class's overrides. `actor` null is the server itself (the scheduler); an
   * actor must be staff. Unknown class or lesson: not found. Returns how many students changed.
   */
  async applyLesson(actor: Actor | null, classId: number, lessonId: number | null): Promise<number> {
    if (actor && !schedulePolicy.mayPlan(actor)) throw AssayError.forbidden();
    if (!(await lessonApplyRepo.classExists(this.db, classId))) throw AssayError.notFound();
    if (lessonId === null) return applyLessonRules(this.db, classId, null);
    if (!(await lessonsRepo.exists(this.db, lessonId))) throw AssayError.invalid([doesNotExist('lesson', lessonId)]);
    return applyLessonRules(this.db, classId, await this.rules.rulesOf(lessonId));
  }

  /** `assay schedule import FILE|URL` and the periodic refresh. */
  async importCalendar(source: string): Promise<ImportResult> {
    return this.importCalendarText(await readCalendarSource(source));
  }

  importCalendarText(text: string): Promise<ImportResult> {
    return importCalendarEvents(this.db, this.clock, parseCalendar(text));
  }
}
