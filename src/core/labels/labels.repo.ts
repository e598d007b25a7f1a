import type { Db } from '../../db/database.ts';
import type { RowOf } from '../../db/types.ts';

/** Tables of named colors: the same columns (id, name, color) under two names. */
export type LabelTable = 'tags' | 'event_colors';
export type Label = RowOf<'tags'>;
export interface LabelValues {
  name?: string;
  color?: string;
}

/** The queries of one label table. Both tables have the same shape, so one typing serves both. */
export function labelsRepo(table: LabelTable) {
  const t = table as 'tags';
  return {
    list(db: Db): Promise<Label[]> {
      return db.selectFrom(t).selectAll().orderBy('id').execute();
    },

    byId(db: Db, id: number): Promise<Label | undefined> {
      return db.selectFrom(t).selectAll().where('id', '=', id).executeTakeFirst();
    },

    idByName(db: Db, name: string): Promise<{ id: number } | undefined> {
      return db.selectFrom(t).select('id').where('name', '=', name).executeTakeFirst();
    },

    insert(db: Db, values: Required<LabelValues>): Promise<Label> {
      return db.insertInto(t).values(values).returningAll().executeTakeFirstOrThrow();
    },

    async update(db: Db, id: number, patch: LabelValues): Promise<void> {
      await db.updateTable(t).set(patch).where('id', '=', id).execute();
    },

    async delete(db: Db, id: number): Promise<void> {
      await db.deleteFrom(t).where('id', '=', id).execute();
    },
  };
}
