import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Engine } from '../columns.ts';

/** Hive's outcome words as they were stored, and the engine's own. */
const OUTCOMES = [
  ['Success', 'success'],
  ['Error', 'error'],
  ['No Check', 'no_check'],
] as const;

/**
 * The grading engine's timeline speaks its own words (dialects name them on the wire): stored
 * steps and outcomes written in Hive's words are renamed once, here, so that every reader sees
 * one vocabulary. `Handling` was three things, told apart by the payload the queue gave each.
 *
 * A stored result is JSON text that JSON.stringify wrote; inside it the exact token
 * `"outcome":"Success"` can only be a member (a quote inside a string is escaped), and the only
 * other `outcome` members (a grade's) are lower-case, so a text replace renames it on both engines
 * without parsing (PostgreSQL's jsonb would refuse a result holding `\u0000`).
 */
export async function up(db: Kysely<unknown>, _engine: Engine): Promise<void> {
  await sql`UPDATE grading_job_events SET action = CASE
      WHEN action = 'Handling' AND payload LIKE 'waiting: %' THEN 'waiting'
      WHEN action = 'Handling' AND payload LIKE 'queued again: %' THEN 'queued'
      WHEN action = 'Handling' THEN 'started'
      WHEN action = 'Built' THEN 'prepared'
      WHEN action = 'Sending' THEN 'running'
      WHEN action = 'Finished' THEN 'finished'
      WHEN action = 'Success' THEN 'success'
      WHEN action = 'Error' THEN 'error'
      WHEN action = 'No Check' THEN 'no_check'
      ELSE action END
    WHERE action IN ('Handling', 'Built', 'Sending', 'Finished', 'Success', 'Error', 'No Check')`.execute(db);
  for (const [hive, engine] of OUTCOMES) {
    const from = `"outcome":"${hive}"`;
    const to = `"outcome":"${engine}"`;
    await sql`UPDATE grading_jobs SET result = REPLACE(result, ${from}, ${to}) WHERE result LIKE ${`%${from}%`}`.execute(db);
  }
}
