import type { Kysely } from 'kysely';
import type { Engine } from '../columns.ts';
import type { TableSpec } from '../table-spec.ts';
import { createTable, flag, opt, ref, req } from '../table-spec.ts';

/** What an INGInious course.yaml says beyond the core course: visibility and registration. */
const inginiousCourses = {
  name: 'inginious_courses',
  columns: {
    course_id: ref('courses', true, { unique: true }),
    /** `accessible: false`: listed to nobody but the course's staff. */
    hidden: flag(),
    registration_open: flag(),
    registration_start_at: opt('timestamp'),
    registration_end_at: opt('timestamp'),
    require_password: flag(),
  },
} as const satisfies TableSpec;

/** What a task.yaml says beyond the core exercise: the problems (answers included), authors, grading rules. */
const inginiousTasks = {
  name: 'inginious_tasks',
  columns: {
    exercise_id: ref('exercises', true, { unique: true }),
    /** JSON array of problem definitions, each with its `id`, as task.yaml gives them. */
    problems: req('json'),
    /** JSON array of strings. */
    authors: req('json'),
    contact_url: req('text', { default: '' }),
    /** The statement, raw reStructuredText. */
    context: req('text', { default: '' }),
    /** `best` or `last`. */
    evaluate: req('text', { default: 'best' }),
    weight: req('real', { default: 1 }),
    /** `accessible: false`. */
    hidden: flag(),
    /** Token bucket: `amount` submissions per `period` hours; -1 means unlimited. */
    submission_amount: req('int', { default: -1 }),
    submission_period: req('int', { default: -1 }),
  },
  checks: ["evaluate IN ('best', 'last')", 'weight >= 0'],
} as const satisfies TableSpec;

/** Who opened which task (a task's `notviewed` status). */
const inginiousViews = {
  name: 'inginious_views',
  id: false,
  primaryKey: ['exercise_id', 'user_id'],
  columns: { exercise_id: ref('exercises'), user_id: ref('users'), viewed_at: req('timestamp') },
} as const satisfies TableSpec;

/**
 * At most one waiting submission per user and task: the row is taken before the submission is
 * written (the primary key refuses a second), and names the submission once it exists.
 */
const inginiousPending = {
  name: 'inginious_pending',
  id: false,
  primaryKey: ['exercise_id', 'user_id'],
  columns: {
    exercise_id: ref('exercises'),
    user_id: ref('users'),
    submission_id: ref('submissions', false),
    created_at: req('timestamp'),
  },
} as const satisfies TableSpec;

/** Results graded in the core, without a sandbox (tasks made only of multiple-choice problems). */
const inginiousResults = {
  name: 'inginious_results',
  id: false,
  primaryKey: ['submission_id'],
  columns: { submission_id: ref('submissions'), result: req('json'), created_at: req('timestamp') },
} as const satisfies TableSpec;

export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  const existing = new Set(['courses', 'exercises', 'users', 'submissions']);
  for (const spec of [inginiousCourses, inginiousTasks, inginiousViews, inginiousPending, inginiousResults]) await createTable(db, engine, spec, existing);
}
