import type { Generated } from 'kysely';

/** The table added by migration 0024_audit (the audit trail of grades, roles and extensions), as Kysely sees it. */
export interface AuditTables {
  audit_events: {
    id: Generated<number>;
    course_id: number;
    actor_id: number | null;
    actor_name: string;
    kind: string;
    subject_id: number | null;
    subject_name: string;
    exercise_id: number | null;
    submission_id: number | null;
    field: string;
    before: string;
    after: string;
    created_at: string;
  };
}
