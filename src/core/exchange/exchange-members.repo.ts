import type { Db } from '../../db/database.ts';

/** A member as the exchange shows them: the names set for this course (null: never set). */
export interface MemberRow {
  username: string;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
}

export interface MemberNamesPatch {
  first_name: string;
  last_name: string;
  email: string;
}

/** Queries on a course's memberships as the nbgrader exchange sees them. */
export const exchangeMembersRepo = {
  /** The user's current (not dropped) enrolment role in the course, whatever it is. */
  async role(db: Db, courseId: number, userId: number): Promise<string | null> {
    const row = await db
      .selectFrom('enrollments')
      .select('role')
      .where('course_id', '=', courseId)
      .where('user_id', '=', userId)
      .where('dropped', '=', false)
      .executeTakeFirst();
    return row?.role ?? null;
  },

  /** The course's members of one role in the order they joined, or the one named `username`. */
  list(db: Db, courseId: number, role: string, username?: string): Promise<MemberRow[]> {
    let q = db
      .selectFrom('enrollments')
      .innerJoin('users', 'users.id', 'enrollments.user_id')
      .select(['users.username', 'enrollments.first_name', 'enrollments.last_name', 'enrollments.email'])
      .where('enrollments.course_id', '=', courseId)
      .where('enrollments.role', '=', role)
      .where('enrollments.dropped', '=', false);
    if (username !== undefined) q = q.where('users.username', '=', username);
    return q.orderBy('enrollments.id').execute();
  },

  /** Sets the member's names for this course only; the user's own profile is left alone. */
  async setNames(db: Db, courseId: number, userId: number, names: MemberNamesPatch): Promise<void> {
    await db
      .updateTable('enrollments')
      .set({ first_name: names.first_name, last_name: names.last_name, email: names.email })
      .where('course_id', '=', courseId)
      .where('user_id', '=', userId)
      .execute();
  },
};
