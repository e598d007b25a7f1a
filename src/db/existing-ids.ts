import type { Db } from './database.ts';
import type { TableName } from './types.ts';

/** Tables with an integer `id` primary key that references name. */
export type IdTable = Extract<TableName, 'courses' | 'users' | 'classes' | 'queues' | 'subjects' | 'modules' | 'exercises' | 'tags' | 'fields'>;

/** Which of `ids` (already known to fit an integer column) have a row in `table`. */
export async function existingIds(db: Db, table: IdTable, ids: number[]): Promise<Set<number>> {
  if (ids.length === 0) return new Set();
  return new Set((await db.selectFrom(table).select('id').where('id', 'in', ids).execute()).map((r) => r.id));
}
