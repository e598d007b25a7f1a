import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Engine } from '../columns.ts';

/**
 * Hive's AutoCheck responses report one grading job: its timeline is their `autocheck_statuses`.
 * (A Submission response finds its jobs through `grading_jobs.response_id`, indexed since 0010.)
 */
export async function up(db: Kysely<unknown>, _engine: Engine): Promise<void> {
  await sql`ALTER TABLE responses ADD COLUMN autocheck_job_id INTEGER REFERENCES grading_jobs (id) ON DELETE SET NULL`.execute(db);
  await sql`CREATE INDEX responses_autocheck_job_id_idx ON responses (autocheck_job_id)`.execute(db);
}
