import type { Kysely } from 'kysely';
import type { Engine } from '../columns.ts';
import type { TableSpec } from '../table-spec.ts';
import { createTable, ref, req } from '../table-spec.ts';

/**
 * The audit trail: every change of a grade, a course role or an extension, with who made it, when,
 * and the values before and after (JSON). An entry goes with its course (cascade) and outlives
 * the accounts and exercises it names (set null); `actor_name` and `subject_name` keep the names.
 */
const auditEvents = {
  name: 'audit_events',
  columns: {
    course_id: ref('courses'),
    /** Null: the system or the command line. */
    actor_id: ref('users', false),
    actor_name: req('text'),
    /** 'grade', 'role' or 'extension'. */
    kind: req('text'),
    /** Whose grade, role or extension. */
    subject_id: ref('users', false),
    subject_name: req('text'),
    exercise_id: ref('exercises', false),
    submission_id: ref('submissions', false),
    /** What changed, e.g. a problem's name, `verdict`, `role`. */
    field: req('text'),
    /** JSON values; `null` for none. */
    before: req('text'),
    after: req('text'),
    created_at: req('timestamp'),
  },
  indexes: [['course_id', 'id']],
  checks: ["kind IN ('grade', 'role', 'extension')"],
} as const satisfies TableSpec;

export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  await createTable(db, engine, auditEvents, new Set(['courses', 'users', 'exercises', 'submissions']));
}
