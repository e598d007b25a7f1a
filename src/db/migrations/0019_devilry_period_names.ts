import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Engine } from '../columns.ts';

/**
 * A Devilry period's short name is unique within its subject, not across subjects (devilry.md
 * §6.6), while the course it lives in needs a slug unique everywhere. The period keeps its own
 * short name; the course's slug only starts out equal to it. Existing periods take their name
 * from their course's slug, which held it until now.
 */
export async function up(db: Kysely<unknown>, _engine: Engine): Promise<void> {
  await sql`ALTER TABLE devilry_periods ADD COLUMN short_name TEXT NOT NULL DEFAULT ''`.execute(db);
  await sql`UPDATE devilry_periods SET short_name = (SELECT courses.slug FROM courses WHERE courses.id = devilry_periods.course_id)`.execute(db);
  await sql`CREATE UNIQUE INDEX devilry_periods_subject_short_name ON devilry_periods (subject_id, short_name)`.execute(db);
}
