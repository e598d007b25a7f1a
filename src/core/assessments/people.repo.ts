import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';

/** Enrollments with their Autolab fields and their user (the `course_user_data` object). */
const rosterQuery = (db: Db) =>
  db
    .selectFrom('enrollments as en')
    .innerJoin('users as u', 'u.id', 'en.user_id')
    .leftJoin('autolab_enrollments as ae', 'ae.enrollment_id', 'en.id')
    .select([
      'en.id',
      'en.course_id',
      'en.user_id',
      'en.role',
      'en.section',
      'en.dropped',
      'u.first_name',
      'u.last_name',
      'u.email',
      sql<string>`COALESCE(ae.lecture, '')`.as('lecture'),
      sql<string>`COALESCE(ae.grade_policy, '')`.as('grade_policy'),
      'ae.nickname',
    ]);

export type RosterRecord = Awaited<ReturnType<ReturnType<typeof rosterQuery>['executeTakeFirstOrThrow']>>;

/** Autolab's own fields of an enrollment (the core's role, section and dropped go through the core's enrolment). */
export interface AutolabEnrollmentPatch {
  lecture?: string;
  grade_policy?: string;
  nickname?: string | null;
}

export interface GroupRecord {
  id: number;
  exercise_id: number;
  name: string;
  created_at: string;
  updated_at: string;
}

export interface MemberRecord {
  group_id: number;
  user_id: number;
  status: string;
  email: string;
  first_name: string;
  last_name: string;
  enrollment_id: number | null;
}

export const peopleRepo = {
  /** Users with this email, oldest account first. */
  usersByEmail(db: Db, email: string) {
    return db.selectFrom('users').select(['id', 'email', 'first_name', 'last_name']).where('email', '=', email).orderBy('id').execute();
  },

  roster(db: Db, courseId: number): Promise<RosterRecord[]> {
    return rosterQuery(db).where('en.course_id', '=', courseId).orderBy('u.email').orderBy('en.id').execute();
  },

  enrollment(db: Db, courseId: number, userId: number): Promise<RosterRecord | undefined> {
    return rosterQuery(db).where('en.course_id', '=', courseId).where('en.user_id', '=', userId).executeTakeFirst();
  },

  async updateAutolabFields(db: Db, enrollmentId: number, patch: AutolabEnrollmentPatch): Promise<void> {
    const { lecture, grade_policy, nickname } = patch;
    const own = Object.fromEntries(Object.entries({ lecture, grade_policy, nickname }).filter(([, v]) => v !== undefined));
    if (Object.keys(own).length > 0) {
      await db
        .insertInto('autolab_enrollments')
        .values({ enrollment_id: enrollmentId, ...own })
        .onConflict((oc) => oc.column('enrollment_id').doUpdateSet(own))
        .execute();
    }
  },

  groups(db: Db, exerciseId: number): Promise<GroupRecord[]> {
    return db.selectFrom('autolab_groups').selectAll().where('exercise_id', '=', exerciseId).orderBy('id').execute();
  },

  group(db: Db, exerciseId: number, groupId: number): Promise<GroupRecord | undefined> {
    return db.selectFrom('autolab_groups').selectAll().where('exercise_id', '=', exerciseId).where('id', '=', groupId).executeTakeFirst();
  },

  members(db: Db, exerciseId: number, groupIds: number[]): Promise<MemberRecord[]> {
    if (groupIds.length === 0) return Promise.resolve([]);
    return db
      .selectFrom('autolab_group_members as gm')
      .innerJoin('users as u', 'u.id', 'gm.user_id')
      .innerJoin('exercises as e', 'e.id', 'gm.exercise_id')
      .leftJoin('enrollments as en', (j) => j.onRef('en.user_id', '=', 'gm.user_id').onRef('en.course_id', '=', 'e.course_id'))
      .select(['gm.group_id', 'gm.user_id', 'gm.status', 'u.email', 'u.first_name', 'u.last_name', 'en.id as enrollment_id'])
      .where('gm.exercise_id', '=', exerciseId)
      .where('gm.group_id', 'in', groupIds)
      .orderBy('gm.group_id')
      .orderBy('u.email')
      .execute();
  },

  membershipOf(db: Db, exerciseId: number, userId: number) {
    return db.selectFrom('autolab_group_members').select(['group_id', 'status']).where('exercise_id', '=', exerciseId).where('user_id', '=', userId).executeTakeFirst();
  },

  /** Users of these ids who are in some group of the assessment. */
  async grouped(db: Db, exerciseId: number, userIds: number[]): Promise<Set<number>> {
    if (userIds.length === 0) return new Set();
    const rows = await db.selectFrom('autolab_group_members').select('user_id').where('exercise_id', '=', exerciseId).where('user_id', 'in', userIds).execute();
    return new Set(rows.map((r) => r.user_id));
  },

  async createGroup(db: Db, exerciseId: number, name: string, userIds: number[], now: string): Promise<number> {
    const group = await db.insertInto('autolab_groups').values({ exercise_id: exerciseId, name, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
    await db
      .insertInto('autolab_group_members')
      .values(userIds.map((user_id) => ({ exercise_id: exerciseId, user_id, group_id: group.id, status: 'confirmed' })))
      .execute();
    return group.id;
  },

  async deleteGroup(db: Db, groupId: number): Promise<boolean> {
    await db.deleteFrom('autolab_group_members').where('group_id', '=', groupId).execute();
    const gone = await db.deleteFrom('autolab_groups').where('id', '=', groupId).executeTakeFirst();
    return Number(gone.numDeletedRows) > 0;
  },

  extensions(db: Db, exerciseId: number) {
    return db
      .selectFrom('autolab_extensions as x')
      .innerJoin('users as u', 'u.id', 'x.user_id')
      .select(['x.user_id', 'u.username', 'u.email', 'x.days', 'x.infinite', 'x.created_at', 'x.updated_at'])
      .where('x.exercise_id', '=', exerciseId)
      .orderBy('x.user_id')
      .execute();
  },

  extensionsInCourse(db: Db, courseId: number) {
    return db
      .selectFrom('autolab_extensions as x')
      .innerJoin('exercises as e', 'e.id', 'x.exercise_id')
      .select(['x.exercise_id', 'x.user_id', 'x.days', 'x.infinite'])
      .where('e.course_id', '=', courseId)
      .execute();
  },

  userByUsername(db: Db, username: string) {
    return db.selectFrom('users').select(['id', 'email']).where('username', '=', username).executeTakeFirst();
  },

  usersByIds(db: Db, ids: number[]) {
    if (ids.length === 0) return Promise.resolve([]);
    return db.selectFrom('users').select(['id', 'username', 'email']).where('id', 'in', ids).orderBy('id').execute();
  },

  extension(db: Db, exerciseId: number, userId: number) {
    return db.selectFrom('autolab_extensions').select(['days', 'infinite']).where('exercise_id', '=', exerciseId).where('user_id', '=', userId).executeTakeFirst();
  },

  async saveExtension(db: Db, exerciseId: number, userId: number, value: { days: number; infinite: boolean }, now: string): Promise<void> {
    await db
      .insertInto('autolab_extensions')
      .values({ exercise_id: exerciseId, user_id: userId, ...value, created_at: now, updated_at: now })
      .onConflict((oc) => oc.columns(['exercise_id', 'user_id']).doUpdateSet({ ...value, updated_at: now }))
      .execute();
  },

  async deleteExtension(db: Db, exerciseId: number, userId: number): Promise<boolean> {
    const gone = await db.deleteFrom('autolab_extensions').where('exercise_id', '=', exerciseId).where('user_id', '=', userId).executeTakeFirst();
    return Number(gone.numDeletedRows) > 0;
  },
};
