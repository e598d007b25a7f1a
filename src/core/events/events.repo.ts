import type { Db } from '../../db/database.ts';

export const eventsRepo = {
  /** Every course's id (staff follow every inbox). */
  async allCourseIds(db: Db): Promise<number[]> {
    return (await db.selectFrom('courses').select('id').orderBy('id').execute()).map((r) => r.id);
  },
};
