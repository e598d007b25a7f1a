import type { Db } from '../../db/database.ts';

/** What the daily review looks up (its writes go through the modules, exercises and fields services). */
export const dailyReviewRepo = {
  classById(db: Db, id: number): Promise<{ id: number; name: string; course_id: number } | undefined> {
    return db.selectFrom('classes').select(['id', 'name', 'course_id']).where('id', '=', id).executeTakeFirst();
  },

  async courseOfSubject(db: Db, subjectId: number): Promise<number | null> {
    return (await db.selectFrom('subjects').select('course_id').where('id', '=', subjectId).executeTakeFirst())?.course_id ?? null;
  },

  subjectBySymbol(db: Db, courseId: number, symbol: string): Promise<{ id: number } | undefined> {
    return db.selectFrom('subjects').select('id').where('course_id', '=', courseId).where('symbol', '=', symbol).executeTakeFirst();
  },

  async insertSubject(db: Db, row: { course_id: number; symbol: string; name: string; color: string; created_at: string }): Promise<number> {
    return (await db.insertInto('subjects').values(row).returning('id').executeTakeFirstOrThrow()).id;
  },

  moduleByName(db: Db, subjectId: number, name: string): Promise<{ id: number } | undefined> {
    return db.selectFrom('modules').select('id').where('subject_id', '=', subjectId).where('name', '=', name).executeTakeFirst();
  },

  exerciseByName(db: Db, moduleId: number, name: string): Promise<{ id: number } | undefined> {
    return db.selectFrom('exercises').select('id').where('module_id', '=', moduleId).where('name', '=', name).executeTakeFirst();
  },
};
