import type { ColumnType, Generated } from 'kysely';

/** A column with a database default. */
type Defaulted<T> = ColumnType<T, T | undefined, T>;
/** SQLite answers 0/1 for these (the boolean plugin knows only schema v1's columns): read through Boolean(). */
type Bool = Defaulted<boolean>;

/** Tables added by migration 0017_devilry (Devilry), as Kysely sees them. */
export interface DevilryTables {
  devilry_nodes: { id: Generated<number>; parentnode_id: number | null; short_name: string; long_name: Defaulted<string> };
  devilry_subjects: { id: Generated<number>; node_id: number; short_name: string; long_name: Defaulted<string> };
  /** short_name: migration 0019 (unique per subject; the course's slug is unique everywhere). */
  devilry_periods: { course_id: number; subject_id: number; short_name: string };
  devilry_assignments: {
    exercise_id: number;
    publishing_time: string;
    anonymous: Bool;
    delivery_types: Defaulted<number>;
    scale_points_percent: Defaulted<number>;
  };
  devilry_groups: {
    assignment_id: number;
    exercise_id: number;
    name: Defaulted<string>;
    is_open: Bool;
    feedback_id: ColumnType<number | null, number | null | undefined, number | null>;
    latest_delivery_id: ColumnType<number | null, number | null | undefined, number | null>;
    latest_deadline_id: ColumnType<number | null, number | null | undefined, number | null>;
    latest_deadline_deadline: ColumnType<string | null, string | null | undefined, string | null>;
    number_of_deliveries: Defaulted<number>;
    /** What query words match, kept by triggers (migration 0031): on open assignments, and on anonymous ones. */
    search_text: Defaulted<string>;
    search_text_anonymous: Defaulted<string>;
  };
  devilry_group_tags: { id: Generated<number>; assignment_id: number; tag: string };
  devilry_candidate_ids: { assignment_id: number; user_id: number; candidate_id: string };
  devilry_deadlines: {
    id: Generated<number>;
    assignment_id: number;
    deadline: string;
    text: string | null;
    feedbacks_published: Bool;
    created_at: string;
  };
  devilry_deliveries: {
    submission_id: number;
    deadline_id: number;
    number: number;
    successful: Bool;
    delivery_type: Defaulted<number>;
    alias_delivery: number | null;
  };
  devilry_members: { id: Generated<number>; assignment_id: number; user_id: number; role: 'candidate' | 'examiner' };
  devilry_related: { enrollment_id: number; candidate_id: string | null; tags: Defaulted<string> };
  devilry_related_student_kv: {
    id: Generated<number>;
    enrollment_id: number;
    application: string;
    key_name: string;
    value_text: string | null;
    student_can_read: Bool;
  };
  devilry_period_kv: { id: Generated<number>; course_id: number; application: string; key_name: string; value_text: string | null };
  devilry_filemetas: { id: Generated<number>; submission_id: number; filename: string };
}
