import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/database.ts';
import type { NewRow, RowOf } from '../../db/types.ts';

/**
 * What to do when another course already holds the wanted slug (slugs are unique):
 * - `fail`: insert anyway, so the database's unique constraint refuses it (a `conflict` through
 *   fromDatabaseError); callers that checked first turn it into their own refusal.
 * - `append-id`: `<slug>-<new course id>` (Devilry's periods: a short name is unique only within its subject).
 */
export type SlugTaken = 'fail' | 'append-id';

/**
 * The one way a course row is made. Every path that creates a course (course directories, Hive's
 * programs, Autolab's and ngshare's course creation, Devilry's periods, INGInious task imports,
 * Assay's own API) calls `create`; the columns a caller leaves out take the table's defaults.
 */
export const coursesRepo = {
  async create(db: Db, row: NewRow<'courses'>, options: { slugTaken?: SlugTaken } = {}): Promise<number> {
    if (options.slugTaken === 'append-id' && (await coursesRepo.bySlug(db, row.slug))) {
      // A placeholder no one else can hold, then the slug with the id the row was given.
      const id = (await db.insertInto('courses').values({ ...row, slug: `${row.slug}-${randomUUID()}` }).returning('id').executeTakeFirstOrThrow()).id;
      await db.updateTable('courses').set({ slug: `${row.slug}-${id}` }).where('id', '=', id).execute();
      return id;
    }
    return (await db.insertInto('courses').values(row).returning('id').executeTakeFirstOrThrow()).id;
  },

  bySlug(db: Db, slug: string): Promise<RowOf<'courses'> | undefined> {
    return db.selectFrom('courses').selectAll().where('slug', '=', slug).executeTakeFirst();
  },

  byId(db: Db, id: number): Promise<RowOf<'courses'> | undefined> {
    return db.selectFrom('courses').selectAll().where('id', '=', id).executeTakeFirst();
  },
};
