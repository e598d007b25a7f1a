import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Engine } from '../columns.ts';
import type { TableSpec } from '../table-spec.ts';
import { createTable, flag, opt, ref, req } from '../table-spec.ts';

/**
 * Devilry's hierarchy on the core: a period is a course, an assignment an exercise, an assignment
 * group a core assignment (candidates and examiners in `assignment_members`), a delivery a
 * submission, a static feedback a `feedback` row. These tables hold only what the core lacks:
 * nodes and subjects above courses, the Devilry attributes of exercises and assignments, deadlines,
 * and the group's derived fields, maintained in the transaction of every write that changes them
 * so that the examiner's search filters and orders on indexed columns.
 */
const nodes = {
  name: 'devilry_nodes',
  columns: { parentnode_id: ref('devilry_nodes', false), short_name: req('text'), long_name: req('text', { default: '' }) },
} as const satisfies TableSpec;

const subjects = {
  name: 'devilry_subjects',
  columns: { node_id: ref('devilry_nodes'), short_name: req('text', { unique: true }), long_name: req('text', { default: '' }) },
} as const satisfies TableSpec;

const periods = {
  name: 'devilry_periods',
  id: false,
  primaryKey: ['course_id'],
  columns: { course_id: ref('courses'), subject_id: ref('devilry_subjects') },
} as const satisfies TableSpec;

const assignments = {
  name: 'devilry_assignments',
  id: false,
  primaryKey: ['exercise_id'],
  columns: {
    exercise_id: ref('exercises'),
    publishing_time: req('timestamp'),
    anonymous: flag(),
    delivery_types: req('int', { default: 0 }),
    scale_points_percent: req('int', { default: 100 }),
  },
} as const satisfies TableSpec;

const groups = {
  name: 'devilry_groups',
  id: false,
  primaryKey: ['assignment_id'],
  columns: {
    assignment_id: ref('assignments'),
    exercise_id: ref('exercises'),
    name: req('text', { default: '' }),
    is_open: flag(true),
    // Derived, maintained by the examination repository in the writing transaction.
    feedback_id: opt('int'),
    latest_delivery_id: opt('int'),
    latest_deadline_id: opt('int'),
    latest_deadline_deadline: opt('timestamp'),
    number_of_deliveries: req('int', { default: 0 }),
  },
  indexes: [['exercise_id', 'assignment_id'], ['number_of_deliveries'], ['feedback_id']],
} as const satisfies TableSpec;

const groupTags = {
  name: 'devilry_group_tags',
  columns: { assignment_id: ref('assignments'), tag: req('text') },
  uniques: [['assignment_id', 'tag']],
} as const satisfies TableSpec;

const candidateIds = {
  name: 'devilry_candidate_ids',
  id: false,
  primaryKey: ['assignment_id', 'user_id'],
  columns: { assignment_id: ref('assignments'), user_id: ref('users'), candidate_id: req('text') },
} as const satisfies TableSpec;

const deadlines = {
  name: 'devilry_deadlines',
  columns: {
    assignment_id: ref('assignments'),
    deadline: req('timestamp'),
    text: opt('text'),
    feedbacks_published: flag(),
    created_at: req('timestamp'),
  },
  indexes: [['assignment_id', 'deadline']],
} as const satisfies TableSpec;

const deliveries = {
  name: 'devilry_deliveries',
  id: false,
  primaryKey: ['submission_id'],
  columns: {
    submission_id: ref('submissions'),
    deadline_id: ref('devilry_deadlines'),
    number: req('int'),
    successful: flag(true),
    delivery_type: req('int', { default: 0 }),
    alias_delivery: opt('int'),
  },
  indexes: [['deadline_id']],
} as const satisfies TableSpec;

/** Candidates and examiners as Devilry objects: the id of each `assignment_members` row Devilry made. */
const members = {
  name: 'devilry_members',
  columns: { assignment_id: ref('assignments'), user_id: ref('users'), role: req('text') },
  uniques: [['assignment_id', 'user_id', 'role']],
  checks: ["role IN ('candidate', 'examiner')"],
} as const satisfies TableSpec;

/** What a period's related student or examiner (a core enrollment) has beyond the enrollment. */
const related = {
  name: 'devilry_related',
  id: false,
  primaryKey: ['enrollment_id'],
  columns: { enrollment_id: ref('enrollments'), candidate_id: opt('text'), tags: req('text', { default: '' }) },
} as const satisfies TableSpec;

const relatedStudentKeyValues = {
  name: 'devilry_related_student_kv',
  columns: {
    enrollment_id: ref('enrollments'),
    application: req('text'),
    key_name: req('text'),
    value_text: opt('text'),
    student_can_read: flag(),
  },
  uniques: [['enrollment_id', 'application', 'key_name']],
} as const satisfies TableSpec;

const periodKeyValues = {
  name: 'devilry_period_kv',
  columns: { course_id: ref('courses'), application: req('text'), key_name: req('text'), value_text: opt('text') },
  uniques: [['course_id', 'application', 'key_name']],
} as const satisfies TableSpec;

/** The files of a delivery by Devilry id: each names an entry of its submission's file tree. */
const fileMetas = {
  name: 'devilry_filemetas',
  columns: { submission_id: ref('submissions'), filename: req('text') },
  uniques: [['submission_id', 'filename']],
} as const satisfies TableSpec;

export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  const existing = new Set(['courses', 'exercises', 'assignments', 'users', 'submissions', 'enrollments']);
  const specs = [nodes, subjects, periods, assignments, groups, groupTags, candidateIds, deadlines, deliveries, members, related, relatedStudentKeyValues, periodKeyValues, fileMetas];
  for (const spec of specs) {
    await createTable(db, engine, spec, existing);
  }
  // Search orders by the latest deadline both ways with NULL as the smallest value (SQLite's
  // rule, kept on PostgreSQL): one index serves both directions on each engine.
  const order = engine === 'postgres' ? sql`latest_deadline_deadline DESC NULLS LAST, assignment_id DESC` : sql`latest_deadline_deadline DESC, assignment_id DESC`;
  await sql`CREATE INDEX devilry_groups_latest_deadline_idx ON devilry_groups (${order})`.execute(db);
  // Filters on feedback points and on the feedback's delivery reach the feedback row by id.
  await sql`CREATE INDEX devilry_feedback_points_idx ON feedback (points)`.execute(db);
  // Search is driven from the caller's memberships: (user_id, role) → assignment_id without a table read.
  await sql`CREATE INDEX devilry_members_user_role_assignment_idx ON assignment_members (user_id, role, assignment_id)`.execute(db);
}
