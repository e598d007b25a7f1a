import type { Db } from '../../db/database.ts';
import type { RowOf } from '../../db/types.ts';

export type EnrolmentRow = RowOf<'enrollments'>;

/** A course member as Assay's own API and CLI show them: the enrolment and the account. */
export interface MemberRecord {
  user_id: number;
  username: string;
  email: string;
  first_name: string;
  last_name: string;
  role: string;
  section: string;
  dropped: boolean;
  created_at: string;
}

export interface EnrolmentColumns {
  role?: string;
  section?: string;
  dropped?: boolean;
  course_id?: number;
  user_id?: number;
}

/** Queries on the core `enrollments` table, whichever dialect asked for them. */
export const enrolmentsRepo = {
  find(db: Db, courseId: number, userId: number): Promise<EnrolmentRow | undefined> {
    return db.selectFrom('enrollments').selectAll().where('course_id', '=', courseId).where('user_id', '=', userId).executeTakeFirst();
  },

  byId(db: Db, id: number): Promise<EnrolmentRow | undefined> {
    return db.selectFrom('enrollments').selectAll().where('id', '=', id).executeTakeFirst();
  },

  async insert(db: Db, row: { course_id: number; user_id: number; role: string; section: string; dropped: boolean; created_at: string }): Promise<number> {
    return (await db.insertInto('enrollments').values(row).returning('id').executeTakeFirstOrThrow()).id;
  },

  async update(db: Db, id: number, patch: EnrolmentColumns): Promise<void> {
    if (Object.keys(patch).length > 0) await db.updateTable('enrollments').set(patch).where('id', '=', id).execute();
  },

  async delete(db: Db, id: number): Promise<void> {
    await db.deleteFrom('enrollments').where('id', '=', id).execute();
  },

  /** The course's members, dropped ones included, in the order they joined. */
  roster(db: Db, courseId: number): Promise<MemberRecord[]> {
    return db
      .selectFrom('enrollments as en')
      .innerJoin('users as u', 'u.id', 'en.user_id')
      .select(['en.user_id', 'u.username', 'u.email', 'u.first_name', 'u.last_name', 'en.role', 'en.section', 'en.dropped', 'en.created_at'])
      .where('en.course_id', '=', courseId)
      .orderBy('en.id')
      .execute()
      .then((rows) => rows.map((r) => ({ ...r, dropped: Boolean(r.dropped) })));
  },

  course(db: Db, ref: { id: number } | { slug: string }) {
    const q = db.selectFrom('courses').select(['id', 'slug', 'name']);
    return ('id' in ref ? q.where('id', '=', ref.id) : q.where('slug', '=', ref.slug)).executeTakeFirst();
  },

  usersByUsername(db: Db, usernames: readonly string[]) {
    if (usernames.length === 0) return Promise.resolve([]);
    return db.selectFrom('users').select(['id', 'username', 'email', 'clearance']).where('username', 'in', [...usernames]).execute();
  },

  /** Accounts by email, compared with ASCII letters folded (as the roster's email check does). */
  usersByEmail(db: Db, emails: readonly string[]) {
    if (emails.length === 0) return Promise.resolve([]);
    const folded = emails.map((e) => e.replace(/[A-Z]/g, (c) => c.toLowerCase()));
    return db
      .selectFrom('users')
      .select(['id', 'username', 'email'])
      .where((eb) => eb(eb.fn('lower', ['email']), 'in', folded))
      .execute();
  },

  userProgram(db: Db, userId: number) {
    return db.selectFrom('users').select(['clearance', 'program_id']).where('id', '=', userId).executeTakeFirst();
  },

  /** The course of the user's oldest current student enrolment, or null. */
  async firstStudentCourse(db: Db, userId: number): Promise<number | null> {
    const row = await db
      .selectFrom('enrollments')
      .select('course_id')
      .where('user_id', '=', userId)
      .where('role', '=', 'student')
      .where('dropped', '=', false)
      .orderBy('id')
      .executeTakeFirst();
    return row?.course_id ?? null;
  },

  async isCurrentStudent(db: Db, courseId: number, userId: number): Promise<boolean> {
    const row = await db
      .selectFrom('enrollments')
      .select('id')
      .where('course_id', '=', courseId)
      .where('user_id', '=', userId)
      .where('role', '=', 'student')
      .where('dropped', '=', false)
      .executeTakeFirst();
    return row !== undefined;
  },

  async setProgram(db: Db, userId: number, courseId: number | null): Promise<void> {
    await db.updateTable('users').set({ program_id: courseId }).where('id', '=', userId).execute();
  },

  /** The user's current (not dropped) enrolments: course and role. */
  currentEnrolments(db: Db, userId: number): Promise<{ course_id: number; role: string }[]> {
    return db.selectFrom('enrollments').select(['course_id', 'role']).where('user_id', '=', userId).where('dropped', '=', false).execute();
  },

  /** The role of the user's current enrolment in the course, if any. */
  async currentRole(db: Db, courseId: number, userId: number): Promise<string | null> {
    const row = await db
      .selectFrom('enrollments')
      .select('role')
      .where('user_id', '=', userId)
      .where('course_id', '=', courseId)
      .where('dropped', '=', false)
      .executeTakeFirst();
    return row?.role ?? null;
  },

  /** The courses that name the user their (Hive program's) checker. */
  async checkedCourseIds(db: Db, userId: number): Promise<number[]> {
    return (await db.selectFrom('courses').select('id').where('checker_id', '=', userId).execute()).map((c) => c.id);
  },

  /** Whether the user takes part in the course: a current enrolment in it, or it is their (Hive) program. */
  async belongsToCourse(db: Db, userId: number, courseId: number): Promise<boolean> {
    const row = await db
      .selectFrom('users')
      .select('users.id')
      .where('users.id', '=', userId)
      .where((eb) =>
        eb.or([
          eb('users.program_id', '=', courseId),
          eb.exists(
            eb
              .selectFrom('enrollments')
              .select('enrollments.id')
              .whereRef('enrollments.user_id', '=', 'users.id')
              .where('enrollments.course_id', '=', courseId)
              .where('enrollments.dropped', '=', false),
          ),
        ]),
      )
      .executeTakeFirst();
    return row !== undefined;
  },
};
