import type { Db } from '../../db/database.ts';
import type { NewRow } from '../../db/types.ts';

/** Queries that record a finished job's grade: its feedback (`feedback`) and its problems' scores (`grades`). */
export const resultsRepo = {
  /** The exercise's problems (the names a grade scores). */
  problemsOf(db: Db, exerciseId: number): Promise<{ id: number; name: string }[]> {
    return db.selectFrom('problems').select(['id', 'name']).where('exercise_id', '=', exerciseId).execute();
  },

  async insertFeedback(db: Db, row: NewRow<'feedback'>): Promise<void> {
    await db.insertInto('feedback').values(row).execute();
  },

  async insertGrades(db: Db, rows: NewRow<'grades'>[]): Promise<void> {
    if (rows.length > 0) await db.insertInto('grades').values(rows).execute();
  },
};
