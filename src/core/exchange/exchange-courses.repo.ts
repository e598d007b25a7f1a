import type { Db } from '../../db/database.ts';

/** Queries on courses as the nbgrader exchange names them: by slug. */
export const exchangeCoursesRepo = {
  bySlug(db: Db, slug: string): Promise<{ id: number; slug: string } | undefined> {
    return db.selectFrom('courses').select(['id', 'slug']).where('slug', '=', slug).executeTakeFirst();
  },

  async allSlugs(db: Db): Promise<string[]> {
    return (await db.selectFrom('courses').select('slug').execute()).map((r) => r.slug);
  },

  /** The slugs of the courses the user currently teaches or takes. */
  async slugsOf(db: Db, userId: number): Promise<string[]> {
    const rows = await db
      .selectFrom('enrollments')
      .innerJoin('courses', 'courses.id', 'enrollments.course_id')
      .select('courses.slug')
      .where('enrollments.user_id', '=', userId)
      .where('enrollments.dropped', '=', false)
      .where('enrollments.role', 'in', ['instructor', 'student'])
      .execute();
    return rows.map((r) => r.slug);
  },

  /** Deletes the course (its exercises, submissions and enrolments cascade); users whose program it was keep none. */
  async delete(db: Db, courseId: number): Promise<void> {
    await db.updateTable('users').set({ program_id: null }).where('program_id', '=', courseId).execute();
    await db.deleteFrom('courses').where('id', '=', courseId).execute();
  },
};
