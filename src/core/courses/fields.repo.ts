import type { Db } from '../../db/database.ts';
import type { NewRow, RowOf, RowPatch } from '../../db/types.ts';

/** An exercise's response fields and the classes each one is for. */
export const fieldsRepo = {
  /** The exercise's fields (only those not staff-only when `withStaffOnly` is false), by id. */
  /** The names of the fields among `ids`, by id. */
  async names(db: Db, ids: number[]): Promise<Map<number, string>> {
    return new Map((await db.selectFrom('fields').select(['id', 'name']).where('id', 'in', [0, ...ids]).execute()).map((f) => [f.id, f.name]));
  },

  ofExercise(db: Db, exerciseId: number, withStaffOnly: boolean): Promise<RowOf<'fields'>[]> {
    let q = db.selectFrom('fields').selectAll().where('exercise_id', '=', exerciseId);
    if (!withStaffOnly) q = q.where('segel_only', '=', false);
    return q.orderBy('id').execute();
  },

  inExercise(db: Db, exerciseId: number, fieldId: number): Promise<RowOf<'fields'> | undefined> {
    return db.selectFrom('fields').selectAll().where('id', '=', fieldId).where('exercise_id', '=', exerciseId).executeTakeFirst();
  },

  /** Field-to-class links of at most a few hundred fields, by class id. */
  groupsOf(db: Db, fieldIds: number[]): Promise<{ field_id: number; class_id: number }[]> {
    return db.selectFrom('field_groups').select(['field_id', 'class_id']).where('field_id', 'in', fieldIds).orderBy('class_id').execute();
  },

  async existingClassIds(db: Db, ids: number[]): Promise<Set<number>> {
    if (ids.length === 0) return new Set();
    return new Set((await db.selectFrom('classes').select('id').where('id', 'in', ids).execute()).map((r) => r.id));
  },

  async setGroups(db: Db, fieldId: number, classIds: number[]): Promise<void> {
    await db.deleteFrom('field_groups').where('field_id', '=', fieldId).execute();
    if (classIds.length > 0) await db.insertInto('field_groups').values(classIds.map((class_id) => ({ field_id: fieldId, class_id }))).execute();
  },

  /** The field of the exercise named `name` that only staff answer (the AutoCheck field), if any. */
  async staffFieldNamed(db: Db, exerciseId: number, name: string): Promise<number | undefined> {
    const row = await db
      .selectFrom('fields')
      .select('id')
      .where('exercise_id', '=', exerciseId)
      .where('name', '=', name)
      .where('hanich_responses', '=', false)
      .orderBy('id')
      .executeTakeFirst();
    return row?.id;
  },

  async insert(db: Db, row: NewRow<'fields'>): Promise<number> {
    return (await db.insertInto('fields').values(row).returning('id').executeTakeFirstOrThrow()).id;
  },

  async update(db: Db, id: number, patch: RowPatch<'fields'>): Promise<void> {
    await db.updateTable('fields').set(patch).where('id', '=', id).execute();
  },

  async delete(db: Db, id: number): Promise<void> {
    await db.deleteFrom('fields').where('id', '=', id).execute();
  },

  /** The field's `limit` most frequent non-empty answers, most frequent first. */
  async topAnswers(db: Db, fieldId: number, limit: number): Promise<string[]> {
    const rows = await db
      .selectFrom('response_contents')
      .select(['content', (eb) => eb.fn.countAll<number>().as('n')])
      .where('field_id', '=', fieldId)
      .where('content', '<>', '')
      .groupBy('content')
      .orderBy('n', 'desc')
      .orderBy('content')
      .limit(limit)
      .execute();
    return rows.map((r) => r.content);
  },
};
