import type { Db } from '../../db/database.ts';
import type { AuditTables } from '../../db/tables/audit.ts';

type AuditRow = Omit<AuditTables['audit_events'], 'id'>;

export interface AuditRecord {
  id: number;
  kind: string;
  actor_id: number | null;
  actor_name: string;
  subject_id: number | null;
  subject_name: string;
  exercise_id: number | null;
  exercise_name: string | null;
  submission_id: number | null;
  field: string;
  before: string;
  after: string;
  created_at: string;
}

/** Queries of the audit trail (migration 0024). */
export const auditRepo = {
  async insert(db: Db, rows: AuditRow[]): Promise<void> {
    if (rows.length > 0) await db.insertInto('audit_events').values(rows).execute();
  },

  /** A submission's course, exercise and student (its author, else its assignment's student). */
  submissionPlace(db: Db, submissionId: number) {
    return db
      .selectFrom('submissions as s')
      .innerJoin('assignments as a', 'a.id', 's.assignment_id')
      .innerJoin('exercises as e', 'e.id', 'a.exercise_id')
      .select(['e.course_id', 'a.exercise_id', 's.user_id', 'a.user_id as assignment_user_id'])
      .where('s.id', '=', submissionId)
      .executeTakeFirst();
  },

  /** An assignment's course, exercise and student. */
  assignmentPlace(db: Db, assignmentId: number) {
    return db
      .selectFrom('assignments as a')
      .innerJoin('exercises as e', 'e.id', 'a.exercise_id')
      .select(['e.course_id', 'a.exercise_id', 'a.user_id'])
      .where('a.id', '=', assignmentId)
      .executeTakeFirst();
  },

  async usernames(db: Db, ids: number[]): Promise<Map<number, string>> {
    if (ids.length === 0) return new Map();
    const rows = await db.selectFrom('users').select(['id', 'username']).where('id', 'in', ids).execute();
    return new Map(rows.map((r) => [r.id, r.username]));
  },

  /** A course's entries, newest first: at most `limit`, older than entry `before` when given. */
  trail(db: Db, courseId: number, options: { kind: string | null; before: number | null; limit: number }): Promise<AuditRecord[]> {
    let q = db
      .selectFrom('audit_events as ae')
      .leftJoin('exercises as e', 'e.id', 'ae.exercise_id')
      .select([
        'ae.id',
        'ae.kind',
        'ae.actor_id',
        'ae.actor_name',
        'ae.subject_id',
        'ae.subject_name',
        'ae.exercise_id',
        'e.name as exercise_name',
        'ae.submission_id',
        'ae.field',
        'ae.before',
        'ae.after',
        'ae.created_at',
      ])
      .where('ae.course_id', '=', courseId);
    if (options.kind !== null) q = q.where('ae.kind', '=', options.kind);
    if (options.before !== null) q = q.where('ae.id', '<', options.before);
    return q.orderBy('ae.id', 'desc').limit(options.limit).execute();
  },
};
