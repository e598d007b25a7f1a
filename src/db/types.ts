import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { OAuthTables } from './tables/oauth.ts';
import type { AutolabTables } from './tables/autolab.ts';
import type { InginiousTables } from './tables/inginious.ts';
import type { DevilryTables } from './tables/devilry.ts';
import type { ReviewTables } from './tables/review.ts';
import type { AuditTables } from './tables/audit.ts';
import type { SimilarityTables } from './tables/similarity.ts';
import type { schemaV1 } from './schema-v1.ts';

/** The database's TypeScript shape, derived from the table specs so the two never drift apart. */
interface KindTypes {
  int: number;
  text: string;
  timestamp: string;
  json: string;
  real: number;
  bigint: number;
}

type Value<C> = C extends { kind: 'bool' }
  ? ColumnType<boolean, boolean, boolean>
  : C extends { kind: infer K extends keyof KindTypes }
    ? KindTypes[K]
    : never;

type Column<C> = C extends { required: false }
  ? Value<C> extends ColumnType<infer S, infer I, infer U>
    ? ColumnType<S | null, I | null | undefined, U | null>
    : ColumnType<Value<C> | null, Value<C> | null | undefined, Value<C> | null>
  : C extends { default: unknown }
    ? Value<C> extends ColumnType<infer S, infer I, infer U>
      ? ColumnType<S, I | undefined, U>
      : Generated<Value<C>>
    : Value<C>;

type Row<T> = T extends { columns: infer Cols }
  ? (T extends { id: false } ? unknown : { id: Generated<number> }) & { [K in keyof Cols]: Column<Cols[K]> }
  : never;

type V1 = typeof schemaV1;

type DatabaseV1 = { [K in keyof V1]: Row<V1[K]> };

/** Tables added after schema v1 (migration 0010): the grading queue. */
export interface GradingJobsTable {
  id: Generated<number>;
  course_id: number;
  exercise_id: number;
  submission_id: number | null;
  response_id: number | null;
  kind: string;
  priority: ColumnType<number, number | undefined, number>;
  fair_rank: ColumnType<number, number | undefined, number>;
  status: ColumnType<string, string | undefined, string>;
  attempts: ColumnType<number, number | undefined, number>;
  max_attempts: ColumnType<number, number | undefined, number>;
  lease_owner: string | null;
  lease_until: string | null;
  payload: string;
  result: string | null;
  error: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface GradingJobEventsTable {
  id: Generated<number>;
  job_id: number;
  time: string;
  action: string;
  payload: string | null;
}

/** Migration 0011: per-exercise grader configuration. */
export interface GradersTable {
  id: Generated<number>;
  exercise_id: number;
  convention: string;
  command: string;
  harness_tree_id: number | null;
  wall_seconds: ColumnType<number, number | undefined, number>;
  cpu_seconds: ColumnType<number, number | undefined, number>;
  memory_mb: ColumnType<number, number | undefined, number>;
  processes: ColumnType<number, number | undefined, number>;
  output_bytes: ColumnType<number, number | undefined, number>;
  file_size_mb: ColumnType<number, number | undefined, number>;
  /** SQLite answers 0/1 here (the boolean plugin only knows schema v1's columns): read it through Boolean(). */
  check_solution: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: string;
  updated_at: string;
}

/** Migration 0012: the grading job an AutoCheck response reports. */
interface ResponsesTable extends DatabaseV1Responses {
  autocheck_job_id: ColumnType<number | null, number | null | undefined, number | null>;
}
type DatabaseV1Responses = DatabaseV1['responses'];

/** Migration 0018: a member's names and email in one course, as ngshare sets them (null: never set). */
interface EnrollmentsTable extends DatabaseV1Enrollments {
  first_name: ColumnType<string | null, string | null | undefined, string | null>;
  last_name: ColumnType<string | null, string | null | undefined, string | null>;
  email: ColumnType<string | null, string | null | undefined, string | null>;
}
type DatabaseV1Enrollments = DatabaseV1['enrollments'];

/** Migration 0020: Hive's staff notes on a subject. */
interface SubjectsTable extends DatabaseV1Subjects {
  segel_brief: ColumnType<string, string | undefined, string>;
}
type DatabaseV1Subjects = DatabaseV1['subjects'];

export type Database = Omit<DatabaseV1, 'responses' | 'enrollments' | 'subjects'> & {
  responses: ResponsesTable;
  enrollments: EnrollmentsTable;
  subjects: SubjectsTable;
  grading_jobs: GradingJobsTable;
  grading_job_events: GradingJobEventsTable;
  graders: GradersTable;
} & OAuthTables & AutolabTables & InginiousTables & DevilryTables & ReviewTables & AuditTables & SimilarityTables;

export type TableName = keyof Database;
export type RowOf<T extends TableName> = Selectable<Database[T]>;
export type NewRow<T extends TableName> = Insertable<Database[T]>;
export type RowPatch<T extends TableName> = Updateable<Database[T]>;
