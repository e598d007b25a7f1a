import type { Db } from '../../db/database.ts';
import type { NewRow, RowOf, RowPatch } from '../../db/types.ts';
import { Clearance } from '../actor.ts';

/** The queries a course directory sync needs beyond the exercise, field and grader repositories. */
export const courseSyncRepo = {
  /** The first admin account, the default checker of a synced course. */
  async firstAdmin(db: Db): Promise<number | undefined> {
    return (await db.selectFrom('users').select('id').where('clearance', '>=', Clearance.admin).orderBy('id').executeTakeFirst())?.id;
  },

  courseBySlug(db: Db, slug: string): Promise<RowOf<'courses'> | undefined> {
    return db.selectFrom('courses').selectAll().where('slug', '=', slug).executeTakeFirst();
  },

  async updateCourse(db: Db, id: number, patch: RowPatch<'courses'>): Promise<void> {
    await db.updateTable('courses').set(patch).where('id', '=', id).execute();
  },

  subjectsOf(db: Db, courseId: number): Promise<RowOf<'subjects'>[]> {
    return db.selectFrom('subjects').selectAll().where('course_id', '=', courseId).orderBy('id').execute();
  },

  async insertSubject(db: Db, row: NewRow<'subjects'>): Promise<number> {
    return (await db.insertInto('subjects').values(row).returning('id').executeTakeFirstOrThrow()).id;
  },

  async updateSubject(db: Db, id: number, patch: RowPatch<'subjects'>): Promise<void> {
    await db.updateTable('subjects').set(patch).where('id', '=', id).execute();
  },

  modulesOf(db: Db, subjectId: number): Promise<RowOf<'modules'>[]> {
    return db.selectFrom('modules').selectAll().where('subject_id', '=', subjectId).orderBy('id').execute();
  },

  async insertModule(db: Db, row: NewRow<'modules'>): Promise<number> {
    return (await db.insertInto('modules').values(row).returning('id').executeTakeFirstOrThrow()).id;
  },

  async updateModule(db: Db, id: number, patch: RowPatch<'modules'>): Promise<void> {
    await db.updateTable('modules').set(patch).where('id', '=', id).execute();
  },

  async insertTag(db: Db, name: string): Promise<number> {
    return (await db.insertInto('tags').values({ name, color: '' }).returning('id').executeTakeFirstOrThrow()).id;
  },

  exercisesOf(db: Db, courseId: number): Promise<RowOf<'exercises'>[]> {
    return db.selectFrom('exercises').selectAll().where('course_id', '=', courseId).execute();
  },

  async tagIdsOf(db: Db, exerciseId: number): Promise<number[]> {
    return (await db.selectFrom('exercise_tags').select('tag_id').where('exercise_id', '=', exerciseId).orderBy('tag_id').execute()).map((t) => t.tag_id);
  },

  fieldsOf(db: Db, exerciseId: number): Promise<RowOf<'fields'>[]> {
    return db.selectFrom('fields').selectAll().where('exercise_id', '=', exerciseId).orderBy('id').execute();
  },
};
