import type { Kysely } from 'kysely';
import type { Engine } from '../columns.ts';
import type { TableSpec } from '../table-spec.ts';
import { createTable, flag, opt, ref, req } from '../table-spec.ts';

/**
 * Autolab's settings that the core has no concept for, each keyed by the core row it extends
 * (course, exercise, problem, enrollment), plus groups and per-student extensions.
 * A core row without its settings row reads as the defaults here.
 */
const courses = {
  name: 'autolab_courses',
  columns: {
    course_id: ref('courses', true, { unique: true }),
    disabled: flag(),
    disable_on_end: flag(),
    /** Submissions before penalties start; -1: unlimited. */
    version_threshold: req('int', { default: -1 }),
  },
} as const satisfies TableSpec;

const assessments = {
  name: 'autolab_assessments',
  columns: {
    exercise_id: ref('exercises', true, { unique: true }),
    max_grace_days: req('int', { default: 0 }),
    disable_handins: flag(),
    group_size: req('int', { default: 1 }),
    allow_student_assign_group: flag(true),
    /** null: the course's threshold. */
    version_threshold: opt('int'),
    handin_filename: req('text', { default: 'handin' }),
    /** Largest handin, in MiB. */
    max_size_mb: req('int', { default: 2 }),
    has_scoreboard: flag(),
    embedded_quiz: flag(),
    handout_url: opt('text'),
    writeup_url: opt('text'),
  },
  checks: ['group_size >= 1', 'max_grace_days >= 0', 'max_size_mb >= 1'],
} as const satisfies TableSpec;

const problems = {
  name: 'autolab_problems',
  id: false,
  primaryKey: ['problem_id'],
  columns: { problem_id: ref('problems'), starred: flag() },
} as const satisfies TableSpec;

const enrollments = {
  name: 'autolab_enrollments',
  id: false,
  primaryKey: ['enrollment_id'],
  columns: {
    enrollment_id: ref('enrollments'),
    lecture: req('text', { default: '' }),
    grade_policy: req('text', { default: '' }),
    nickname: opt('text'),
  },
} as const satisfies TableSpec;

const groups = {
  name: 'autolab_groups',
  columns: {
    exercise_id: ref('exercises'),
    name: req('text'),
    created_at: req('timestamp'),
    updated_at: req('timestamp'),
  },
} as const satisfies TableSpec;

const groupMembers = {
  name: 'autolab_group_members',
  id: false,
  /** One group per user and assessment. */
  primaryKey: ['exercise_id', 'user_id'],
  columns: {
    exercise_id: ref('exercises'),
    user_id: ref('users'),
    group_id: ref('autolab_groups'),
    status: req('text', { default: 'confirmed' }),
  },
  indexes: [['group_id']],
  checks: ["status IN ('unconfirmed', 'group_confirmed', 'member_confirmed', 'confirmed')"],
} as const satisfies TableSpec;

const extensions = {
  name: 'autolab_extensions',
  columns: {
    exercise_id: ref('exercises'),
    user_id: ref('users'),
    days: req('int', { default: 0 }),
    infinite: flag(),
    created_at: req('timestamp'),
    updated_at: req('timestamp'),
  },
  uniques: [['exercise_id', 'user_id']],
  checks: ['days >= 0'],
} as const satisfies TableSpec;

export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  const existing = new Set(['courses', 'exercises', 'problems', 'enrollments', 'users']);
  for (const spec of [courses, assessments, problems, enrollments, groups, groupMembers, extensions]) {
    await createTable(db, engine, spec, existing);
  }
}
