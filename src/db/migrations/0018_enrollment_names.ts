import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Engine } from '../columns.ts';

/**
 * ngshare keeps a member's names and email per course (upstream stores them on its membership
 * rows): a course's staff name their members for that course, never the user's own profile.
 * null: never set. Existing instructor and student enrolments start with what ngshare showed
 * until now, the user's profile.
 */
export async function up(db: Kysely<unknown>, _engine: Engine): Promise<void> {
  for (const column of ['first_name', 'last_name', 'email']) {
    await sql`ALTER TABLE enrollments ADD COLUMN ${sql.ref(column)} TEXT`.execute(db);
  }
  await sql`
    UPDATE enrollments SET
      first_name = (SELECT users.first_name FROM users WHERE users.id = enrollments.user_id),
      last_name = (SELECT users.last_name FROM users WHERE users.id = enrollments.user_id),
      email = (SELECT users.email FROM users WHERE users.id = enrollments.user_id)
    WHERE role IN ('instructor', 'student')`.execute(db);
}
