import type { Db } from '../../db/database.ts';
import type { NewRow, RowOf, RowPatch } from '../../db/types.ts';

export type GraderRow = RowOf<'graders'>;

/** Queries on exercises' graders (`graders`). */
export const gradersRepo = {
  ofExercise(db: Db, exerciseId: number): Promise<GraderRow | undefined> {
    return db.selectFrom('graders').selectAll().where('exercise_id', '=', exerciseId).executeTakeFirst();
  },

  /** The grader with its exercise's course and solution tree. */
  withExercise(db: Db, exerciseId: number) {
    return db
      .selectFrom('graders')
      .innerJoin('exercises', 'exercises.id', 'graders.exercise_id')
      .selectAll('graders')
      .select(['exercises.course_id', 'exercises.solution_tree_id'])
      .where('graders.exercise_id', '=', exerciseId)
      .executeTakeFirst();
  },

  async insert(db: Db, row: NewRow<'graders'>): Promise<void> {
    await db.insertInto('graders').values(row).execute();
  },

  async update(db: Db, exerciseId: number, patch: RowPatch<'graders'>): Promise<void> {
    await db.updateTable('graders').set(patch).where('exercise_id', '=', exerciseId).execute();
  },

  /** Removes the exercise's grader; whether it had one. */
  async delete(db: Db, exerciseId: number): Promise<boolean> {
    const result = await db.deleteFrom('graders').where('exercise_id', '=', exerciseId).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  },
};
