import type { Db } from '../../db/database.ts';
import type { RowOf, RowPatch } from '../../db/types.ts';

/** Courses (Hive's programs) as rows. */
export const programsRepo = {
  list(db: Db, f: { visible: number[] | null; ids?: number[] }): Promise<RowOf<'courses'>[]> {
    let q = db.selectFrom('courses').selectAll();
    if (f.visible !== null) q = f.visible.length > 0 ? q.where('id', 'in', f.visible) : q.where((eb) => eb.val(false));
    if (f.ids) q = q.where('id', 'in', f.ids);
    return q.orderBy('id').execute();
  },

  byId(db: Db, id: number): Promise<RowOf<'courses'> | undefined> {
    return db.selectFrom('courses').selectAll().where('id', '=', id).executeTakeFirst();
  },

  idBySlug(db: Db, slug: string): Promise<{ id: number } | undefined> {
    return db.selectFrom('courses').select('id').where('slug', '=', slug).executeTakeFirst();
  },

  async update(db: Db, id: number, patch: RowPatch<'courses'>): Promise<void> {
    await db.updateTable('courses').set(patch).where('id', '=', id).execute();
  },

  async delete(db: Db, id: number): Promise<void> {
    await db.deleteFrom('courses').where('id', '=', id).execute();
  },
};
