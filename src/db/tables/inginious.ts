import type { ColumnType } from 'kysely';

/** Booleans: SQLite answers 0/1 (the boolean plugin only knows schema v1's columns): read them through Boolean(). */
type Flag = ColumnType<boolean, boolean | undefined, boolean>;
type Defaulted<T> = ColumnType<T, T | undefined, T>;

export interface InginiousCoursesTable {
  id: ColumnType<number, never, never>;
  course_id: number;
  hidden: Flag;
  registration_open: Flag;
  registration_start_at: string | null;
  registration_end_at: string | null;
  require_password: Flag;
}

export interface InginiousTasksTable {
  id: ColumnType<number, never, never>;
  exercise_id: number;
  problems: string;
  authors: string;
  contact_url: Defaulted<string>;
  context: Defaulted<string>;
  evaluate: Defaulted<string>;
  weight: Defaulted<number>;
  hidden: Flag;
  submission_amount: Defaulted<number>;
  submission_period: Defaulted<number>;
}

export interface InginiousViewsTable {
  exercise_id: number;
  user_id: number;
  viewed_at: string;
}

export interface InginiousPendingTable {
  exercise_id: number;
  user_id: number;
  submission_id: number | null;
  created_at: string;
}

export interface InginiousResultsTable {
  submission_id: number;
  result: string;
  created_at: string;
}

/** Tables added by migration 0016_inginious (Inginious), as Kysely sees them. */
export interface InginiousTables {
  inginious_courses: InginiousCoursesTable;
  inginious_tasks: InginiousTasksTable;
  inginious_views: InginiousViewsTable;
  inginious_pending: InginiousPendingTable;
  inginious_results: InginiousResultsTable;
}
