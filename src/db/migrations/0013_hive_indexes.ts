import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Engine } from '../columns.ts';

/**
 * The checker's dashboard polls `assignments/latest` with `last_staff_updated__gt`. A checker sees
 * the assignments of their courses' exercises, so both engines reach the assignments through
 * their exercises; with only `(exercise_id, status)` to go on they read every assignment of every
 * exercise (20,000 rows for 500 students × 40 exercises) to keep the few changed since the last
 * poll. This index lets them seek to those few per exercise (bench:hive).
 */
export async function up(db: Kysely<unknown>, _engine: Engine): Promise<void> {
  await sql`CREATE INDEX assignments_exercise_id_last_staff_updated_idx ON assignments (exercise_id, last_staff_updated)`.execute(db);
}
