import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Engine } from '../columns.ts';

/**
 * The checker's dashboard polls `assignments/latest` by class with `last_staff_updated__gt`: the
 * class's students' assignments changed since the last poll (about 50 of 20,000). With this index
 * each student's few are one seek; through the exercises (0013) both engines read every changed
 * assignment of the course and test its student (bench:hive).
 */
export async function up(db: Kysely<unknown>, _engine: Engine): Promise<void> {
  await sql`CREATE INDEX assignments_user_id_last_staff_updated_idx ON assignments (user_id, last_staff_updated)`.execute(db);
}
