import type { ColumnType, Generated } from 'kysely';

type Defaulted<T> = ColumnType<T, T | undefined, T>;

/** Tables added by migration 0015_autolab (Autolab), as Kysely sees them. Flags read 0/1 on SQLite: read them through Boolean(). */
export interface AutolabTables {
  autolab_courses: {
    id: Generated<number>;
    course_id: number;
    disabled: Defaulted<boolean>;
    disable_on_end: Defaulted<boolean>;
    version_threshold: Defaulted<number>;
  };
  autolab_assessments: {
    id: Generated<number>;
    exercise_id: number;
    max_grace_days: Defaulted<number>;
    disable_handins: Defaulted<boolean>;
    group_size: Defaulted<number>;
    allow_student_assign_group: Defaulted<boolean>;
    version_threshold: ColumnType<number | null, number | null | undefined, number | null>;
    handin_filename: Defaulted<string>;
    max_size_mb: Defaulted<number>;
    has_scoreboard: Defaulted<boolean>;
    embedded_quiz: Defaulted<boolean>;
    handout_url: ColumnType<string | null, string | null | undefined, string | null>;
    writeup_url: ColumnType<string | null, string | null | undefined, string | null>;
  };
  autolab_problems: { problem_id: number; starred: Defaulted<boolean> };
  autolab_enrollments: {
    enrollment_id: number;
    lecture: Defaulted<string>;
    grade_policy: Defaulted<string>;
    nickname: ColumnType<string | null, string | null | undefined, string | null>;
  };
  autolab_groups: { id: Generated<number>; exercise_id: number; name: string; created_at: string; updated_at: string };
  autolab_group_members: { exercise_id: number; user_id: number; group_id: number; status: Defaulted<string> };
  autolab_extensions: {
    id: Generated<number>;
    exercise_id: number;
    user_id: number;
    days: Defaulted<number>;
    infinite: Defaulted<boolean>;
    created_at: string;
    updated_at: string;
  };
}
