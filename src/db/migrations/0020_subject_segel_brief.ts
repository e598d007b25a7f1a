import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Engine } from '../columns.ts';

/** Hive's Subject carries `segel_brief` (staff notes), as its Exercise does; PyHiveLMS requires it. */
export async function up(db: Kysely<unknown>, _engine: Engine): Promise<void> {
  await sql`ALTER TABLE subjects ADD COLUMN segel_brief TEXT NOT NULL DEFAULT ''`.execute(db);
}
