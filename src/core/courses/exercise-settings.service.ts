import type { Db } from '../../db/database.ts';
import type { Actor } from '../actor.ts';
import type { Clock } from '../clock.ts';
import { parseTimestamp } from '../clock.ts';
import type { FieldProblem } from '../errors.ts';
import { AssayError } from '../errors.ts';
import type { AssessmentsService } from '../assessments/assessments.service.ts';
import { assessmentsRepo } from '../assessments/assessments.repo.ts';
import { MAX_GRACE_DAYS, MAX_LATE_SLACK_SECONDS } from '../assessments/late-policy.ts';
import type { PatbasPolicy, PreviewType } from './exercise-access.ts';
import { PATBAS_POLICIES, PREVIEW_TYPES } from './exercise-access.ts';
import type { ExercisesService } from './exercises.service.ts';
import { exercisesRepo } from './exercises.repo.ts';

/**
 * An exercise's settings as the people who run its course edit them on one page: its deadlines,
 * its submission limits, who sees its files, and its late policy (the exercise's own grace-day
 * cap; the course's grace days and late slack, which every exercise of the course shares).
 */
export interface ExerciseSettings {
  start_at: string | null;
  due_at: string | null;
  end_at: string | null;
  /** Submissions a student may make; null: no limit. */
  max_submissions: number | null;
  /** Submissions before a penalty applies (Autolab's version threshold); -1: no penalty; null: the course's. */
  version_threshold: number | null;
  /** Students may download the handout files. */
  download: boolean;
  /** How the statement's preview is shown. */
  preview: PreviewType;
  /** When students see the reference solution. */
  patbas: PatbasPolicy;
  patbas_download: boolean;
  patbas_preview: PreviewType;
  /** Grace days one submission may spend on this exercise. */
  max_grace_days: number;
  /** The course's: grace days a student may spend across its exercises. */
  course_grace_days: number;
  /** The course's: seconds past a deadline not counted as a started late day. */
  course_late_slack: number;
}

export type ExerciseSettingsPatch = Partial<ExerciseSettings>;

/** The settings with what they belong to (read-only: the exercise's name, its course). */
export interface ExerciseSettingsView extends ExerciseSettings {
  name: string;
  course: { id: number; name: string };
}

const DEADLINES = ['start_at', 'due_at', 'end_at'] as const;
const MAX_SUBMISSIONS = 100_000;

function checkPatch(patch: ExerciseSettingsPatch, current: ExerciseSettings): { problems: FieldProblem[]; deadlines: Partial<Record<(typeof DEADLINES)[number], string | null>> } {
  const problems: FieldProblem[] = [];
  const deadlines: Partial<Record<(typeof DEADLINES)[number], string | null>> = {};
  for (const key of DEADLINES) {
    const raw = patch[key];
    if (raw === undefined) continue;
    if (raw === null || raw === '') deadlines[key] = null;
    else {
      const parsed = parseTimestamp(raw);
      if (parsed === null) problems.push({ field: key, code: 'invalid', message: 'Not a date and time.' });
      else deadlines[key] = parsed;
    }
  }
  const merged = { ...current, ...deadlines };
  if (merged.start_at && merged.due_at && merged.due_at < merged.start_at) problems.push({ field: 'due_at', code: 'invalid', message: 'The due date is before the start.' });
  if (merged.due_at && merged.end_at && merged.end_at < merged.due_at) problems.push({ field: 'end_at', code: 'invalid', message: 'The end is before the due date.' });
  else if (merged.start_at && merged.end_at && merged.end_at < merged.start_at) problems.push({ field: 'end_at', code: 'invalid', message: 'The end is before the start.' });
  const whole = (field: keyof ExerciseSettings, value: unknown, min: number, max: number, nullable: boolean) => {
    if (value === undefined || (nullable && value === null)) return;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
      problems.push({ field, code: 'invalid', message: `Ensure this value is a whole number from ${min} to ${max}${nullable ? ', or empty' : ''}.` });
    }
  };
  whole('max_submissions', patch.max_submissions, 1, MAX_SUBMISSIONS, true);
  whole('version_threshold', patch.version_threshold, -1, MAX_SUBMISSIONS, true);
  whole('max_grace_days', patch.max_grace_days, 0, MAX_GRACE_DAYS, false);
  whole('course_grace_days', patch.course_grace_days, 0, MAX_GRACE_DAYS, false);
  whole('course_late_slack', patch.course_late_slack, 0, MAX_LATE_SLACK_SECONDS, false);
  for (const key of ['preview', 'patbas_preview'] as const) {
    if (patch[key] !== undefined && !PREVIEW_TYPES.includes(patch[key])) problems.push({ field: key, code: 'invalid_choice', message: `Choose one of ${PREVIEW_TYPES.join(', ')}.` });
  }
  if (patch.patbas !== undefined && !PATBAS_POLICIES.includes(patch.patbas)) problems.push({ field: 'patbas', code: 'invalid_choice', message: `Choose one of ${PATBAS_POLICIES.join(', ')}.` });
  for (const key of ['download', 'patbas_download'] as const) {
    if (patch[key] !== undefined && typeof patch[key] !== 'boolean') problems.push({ field: key, code: 'invalid', message: 'Must be true or false.' });
  }
  return { problems, deadlines };
}

/** Reads and changes ExerciseSettings; staff and the course's instructors (ExercisesService.getForWrite), others are refused. */
export class ExerciseSettingsService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly exercises: ExercisesService,
    private readonly assessments: AssessmentsService,
  ) {}

  async get(actor: Actor, exerciseId: number): Promise<ExerciseSettingsView> {
    const exercise = await this.exercises.getForWrite(actor, exerciseId);
    const autolab = await this.assessments.assessmentSettings(actor, exercise.id);
    const course = await this.assessments.courseSettings(actor, exercise.course_id);
    return {
      name: exercise.name,
      course: { id: exercise.course_id, name: exercise.course_name },
      start_at: exercise.start_at,
      due_at: exercise.due_at,
      end_at: exercise.end_at,
      max_submissions: exercise.max_submissions,
      version_threshold: autolab.version_threshold,
      download: Boolean(exercise.download),
      preview: exercise.preview,
      patbas: exercise.patbas,
      patbas_download: Boolean(exercise.patbas_download),
      patbas_preview: exercise.patbas_preview,
      max_grace_days: autolab.max_grace_days,
      course_grace_days: course.grace_days,
      course_late_slack: course.late_slack,
    };
  }

  /** Changes the keys given, all in one transaction; every problem is reported at once and nothing is written then. */
  async update(actor: Actor, exerciseId: number, patch: ExerciseSettingsPatch): Promise<ExerciseSettingsView> {
    const current = await this.get(actor, exerciseId);
    const exercise = await this.exercises.getForWrite(actor, exerciseId);
    const { problems, deadlines } = checkPatch(patch, current);
    if (problems.length > 0) throw AssayError.invalid(problems);
    const own = { ...deadlines, ...pick(patch, ['max_submissions', 'download', 'preview', 'patbas', 'patbas_download', 'patbas_preview']) };
    const autolab = pick(patch, ['version_threshold', 'max_grace_days']);
    const course = { ...(patch.course_grace_days !== undefined ? { grace_days: patch.course_grace_days } : {}), ...(patch.course_late_slack !== undefined ? { late_slack: patch.course_late_slack } : {}) };
    await this.db.transaction().execute(async (tx) => {
      if (Object.keys(own).length > 0) await exercisesRepo.update(tx, exercise.id, { ...own, updated_at: this.clock.now() });
      await assessmentsRepo.saveAssessmentSettings(tx, exercise.id, autolab);
      await assessmentsRepo.saveCourseSettings(tx, exercise.course_id, course);
    });
    return this.get(actor, exerciseId);
  }
}

function pick<T extends object, K extends keyof T>(from: T, keys: readonly K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const k of keys) if (from[k] !== undefined) out[k] = from[k];
  return out;
}
