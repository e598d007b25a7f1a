/** Writes of what administrators manage around groups and periods (see administered.repo.ts for the search side). */
import type { Db } from '../../db/database.ts';

export type MemberRole = 'candidate' | 'examiner';

export const administeredRepo = {
  async courseOfGroup(db: Db, groupId: number): Promise<number | undefined> {
    const row = await db
      .selectFrom('devilry_groups as g')
      .innerJoin('exercises as e', 'e.id', 'g.exercise_id')
      .select('e.course_id')
      .where('g.assignment_id', '=', groupId)
      .executeTakeFirst();
    return row?.course_id;
  },

  async isPeriod(db: Db, courseId: number): Promise<boolean> {
    return Boolean(await db.selectFrom('devilry_periods').select('course_id').where('course_id', '=', courseId).executeTakeFirst());
  },

  async isInstructor(db: Db, courseId: number, userId: number): Promise<boolean> {
    const row = await db
      .selectFrom('enrollments')
      .select('id')
      .where('course_id', '=', courseId)
      .where('user_id', '=', userId)
      .where('role', '=', 'instructor')
      .where('dropped', '=', false)
      .executeTakeFirst();
    return Boolean(row);
  },

  userById(db: Db, id: number) {
    return db.selectFrom('users').select(['id', 'username']).where('id', '=', id).executeTakeFirst();
  },

  userByUsername(db: Db, username: string) {
    return db.selectFrom('users').select(['id', 'username']).where('username', '=', username).executeTakeFirst();
  },

  member(db: Db, id: number, role: MemberRole) {
    return db.selectFrom('devilry_members').select(['id', 'assignment_id', 'user_id']).where('id', '=', id).where('role', '=', role).executeTakeFirst();
  },

  async memberExists(db: Db, groupId: number, userId: number, role: MemberRole): Promise<boolean> {
    const row = await db
      .selectFrom('assignment_members')
      .select('user_id')
      .where('assignment_id', '=', groupId)
      .where('user_id', '=', userId)
      .where('role', '=', role)
      .executeTakeFirst();
    return Boolean(row);
  },

  /** A core membership and its Devilry id. */
  async insertMember(db: Db, groupId: number, userId: number, role: MemberRole): Promise<number> {
    await db.insertInto('assignment_members').values({ assignment_id: groupId, user_id: userId, role }).execute();
    return (await db.insertInto('devilry_members').values({ assignment_id: groupId, user_id: userId, role }).returning('id').executeTakeFirstOrThrow()).id;
  },

  /** Moves a membership to another group or user, keeping its Devilry id. */
  async moveMember(db: Db, id: number, role: MemberRole, from: { groupId: number; userId: number }, to: { groupId: number; userId: number }): Promise<void> {
    await db.deleteFrom('assignment_members').where('assignment_id', '=', from.groupId).where('user_id', '=', from.userId).where('role', '=', role).execute();
    await db.insertInto('assignment_members').values({ assignment_id: to.groupId, user_id: to.userId, role }).execute();
    await db.updateTable('devilry_members').set({ assignment_id: to.groupId, user_id: to.userId }).where('id', '=', id).execute();
  },

  async deleteMember(db: Db, id: number, role: MemberRole, at: { groupId: number; userId: number }): Promise<void> {
    await db.deleteFrom('assignment_members').where('assignment_id', '=', at.groupId).where('user_id', '=', at.userId).where('role', '=', role).execute();
    await db.deleteFrom('devilry_members').where('id', '=', id).execute();
    if (role === 'candidate') await administeredRepo.setCandidateId(db, at.groupId, at.userId, null);
  },

  async candidateId(db: Db, groupId: number, userId: number): Promise<string | null> {
    const row = await db.selectFrom('devilry_candidate_ids').select('candidate_id').where('assignment_id', '=', groupId).where('user_id', '=', userId).executeTakeFirst();
    return row?.candidate_id ?? null;
  },

  async setCandidateId(db: Db, groupId: number, userId: number, candidateId: string | null): Promise<void> {
    await db.deleteFrom('devilry_candidate_ids').where('assignment_id', '=', groupId).where('user_id', '=', userId).execute();
    if (candidateId !== null) await db.insertInto('devilry_candidate_ids').values({ assignment_id: groupId, user_id: userId, candidate_id: candidateId }).execute();
  },

  tag(db: Db, id: number) {
    return db.selectFrom('devilry_group_tags').select(['id', 'assignment_id', 'tag']).where('id', '=', id).executeTakeFirst();
  },

  async tagExists(db: Db, groupId: number, tag: string, except: number | null): Promise<boolean> {
    let q = db.selectFrom('devilry_group_tags').select('id').where('assignment_id', '=', groupId).where('tag', '=', tag);
    if (except !== null) q = q.where('id', '<>', except);
    return Boolean(await q.executeTakeFirst());
  },

  async insertTag(db: Db, groupId: number, tag: string): Promise<number> {
    return (await db.insertInto('devilry_group_tags').values({ assignment_id: groupId, tag }).returning('id').executeTakeFirstOrThrow()).id;
  },

  async updateTag(db: Db, id: number, patch: { assignment_id: number; tag: string }): Promise<void> {
    await db.updateTable('devilry_group_tags').set(patch).where('id', '=', id).execute();
  },

  async deleteTag(db: Db, id: number): Promise<void> {
    await db.deleteFrom('devilry_group_tags').where('id', '=', id).execute();
  },

  /** An enrollment in one of `roles` of a course that is a period. */
  enrollment(db: Db, id: number, roles: readonly string[]) {
    return db
      .selectFrom('enrollments as r')
      .innerJoin('devilry_periods as p', 'p.course_id', 'r.course_id')
      .select(['r.id', 'r.course_id', 'r.user_id', 'r.role'])
      .where('r.id', '=', id)
      .where('r.role', 'in', roles)
      .where('r.dropped', '=', false)
      .executeTakeFirst();
  },

  enrollmentOf(db: Db, courseId: number, userId: number) {
    return db.selectFrom('enrollments').select(['id', 'role', 'dropped']).where('course_id', '=', courseId).where('user_id', '=', userId).executeTakeFirst();
  },

  async setRelated(db: Db, enrollmentId: number, fields: { candidate_id?: string | null; tags?: string }): Promise<void> {
    const current = await db.selectFrom('devilry_related').select(['candidate_id', 'tags']).where('enrollment_id', '=', enrollmentId).executeTakeFirst();
    if (current) {
      if (Object.keys(fields).length > 0) await db.updateTable('devilry_related').set(fields).where('enrollment_id', '=', enrollmentId).execute();
      return;
    }
    await db
      .insertInto('devilry_related')
      .values({ enrollment_id: enrollmentId, candidate_id: fields.candidate_id ?? null, tags: fields.tags ?? '' })
      .execute();
  },

  relatedStudentKv(db: Db, id: number) {
    return db
      .selectFrom('devilry_related_student_kv as kv')
      .innerJoin('enrollments as r', 'r.id', 'kv.enrollment_id')
      .select(['kv.id', 'kv.enrollment_id as owner', 'kv.application', 'kv.key_name', 'kv.value_text', 'kv.student_can_read', 'r.course_id'])
      .where('kv.id', '=', id)
      .executeTakeFirst();
  },

  periodKv(db: Db, id: number) {
    return db.selectFrom('devilry_period_kv').select(['id', 'course_id as owner', 'application', 'key_name', 'value_text', 'course_id']).where('id', '=', id).executeTakeFirst();
  },

  async kvExists(db: Db, table: KvTable, owner: number, application: string, key: string, except: number | null): Promise<boolean> {
    const ownerColumn = table === 'devilry_period_kv' ? 'course_id' : 'enrollment_id';
    let q = db
      .selectFrom(table)
      .select('id')
      .where(ownerColumn as 'id', '=', owner)
      .where('application', '=', application)
      .where('key_name', '=', key);
    if (except !== null) q = q.where('id', '<>', except);
    return Boolean(await q.executeTakeFirst());
  },

  async insertKv(db: Db, table: KvTable, row: KvRow): Promise<number> {
    const values =
      table === 'devilry_period_kv'
        ? { course_id: row.owner, application: row.application, key_name: row.key, value_text: row.value }
        : { enrollment_id: row.owner, application: row.application, key_name: row.key, value_text: row.value, student_can_read: row.studentCanRead ?? false };
    return (await db.insertInto(table).values(values as never).returning('id').executeTakeFirstOrThrow()).id;
  },

  async updateKv(db: Db, table: KvTable, id: number, row: KvRow): Promise<void> {
    const values =
      table === 'devilry_period_kv'
        ? { course_id: row.owner, application: row.application, key_name: row.key, value_text: row.value }
        : { enrollment_id: row.owner, application: row.application, key_name: row.key, value_text: row.value, student_can_read: row.studentCanRead ?? false };
    await db.updateTable(table).set(values as never).where('id', '=', id).execute();
  },

  async deleteKv(db: Db, table: KvTable, id: number): Promise<void> {
    await db.deleteFrom(table).where('id', '=', id).execute();
  },
};

export type KvTable = 'devilry_period_kv' | 'devilry_related_student_kv';

export interface KvRow {
  owner: number;
  application: string;
  key: string;
  value: string | null;
  studentCanRead?: boolean;
}
