import type { Db } from '../../db/database.ts';
import type { RowOf, RowPatch } from '../../db/types.ts';

/** An exercise's score components. */
export const problemsRepo = {
  byExercise(db: Db, exerciseId: number): Promise<RowOf<'problems'>[]> {
    return db.selectFrom('problems').selectAll().where('exercise_id', '=', exerciseId).orderBy('order').orderBy('id').execute();
  },

  async insert(db: Db, row: { exercise_id: number; name: string; description: string; max_score: number; optional: boolean; order: number }): Promise<void> {
    await db.insertInto('problems').values(row).execute();
  },

  async update(db: Db, id: number, patch: RowPatch<'problems'>): Promise<void> {
    await db.updateTable('problems').set(patch).where('id', '=', id).execute();
  },

  async delete(db: Db, ids: number[]): Promise<void> {
    if (ids.length > 0) await db.deleteFrom('problems').where('id', 'in', ids).execute();
  },
};
