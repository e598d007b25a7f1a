import { compiledOnce } from '../../db/compiled-once.ts';
import type { Db } from '../../db/database.ts';
import type { NewRow, RowOf, RowPatch } from '../../db/types.ts';
import { Clearance } from '../actor.ts';

export type UserRow = RowOf<'users'>;

const actorRowQuery = compiledOnce((db) => db.selectFrom('users').select(['id', 'username', 'clearance', 'is_active']).where('id', '=', 0));

/** What the user list narrows by. */
export interface UserFilters {
  ids?: number[];
  clearances?: number[];
  classIds?: number[];
  mentorId?: number;
  mentorIds?: number[];
  programIds?: number[];
  programCheckerIds?: number[];
}

/** The user list's scope and filters (users.service.ts). */
export interface UserListQuery extends UserFilters {
  /** Only this account (a student reads themself). */
  onlyId?: number;
  /** Staff-side accounts and the students of these programs (a checker's view). */
  staffOrPrograms?: number[];
}

export const usersRepo = {
  query(db: Db, f: UserListQuery): Promise<UserRow[]> {
    let q = db.selectFrom('users').selectAll('users');
    if (f.onlyId !== undefined) q = q.where('users.id', '=', f.onlyId);
    const programs = f.staffOrPrograms;
    if (programs) q = q.where((eb) => eb.or([eb('users.clearance', '>', Clearance.student), programs.length > 0 ? eb('users.program_id', 'in', programs) : eb.val(false)]));
    if (f.ids) q = q.where('users.id', 'in', f.ids);
    if (f.clearances) q = q.where('users.clearance', 'in', f.clearances);
    if (f.mentorId !== undefined) q = q.where('users.mentor_id', '=', f.mentorId);
    if (f.mentorIds) q = q.where('users.mentor_id', 'in', f.mentorIds);
    if (f.programIds) q = q.where('users.program_id', 'in', f.programIds);
    const classIds = f.classIds;
    if (classIds) q = q.where('users.id', 'in', (eb) => eb.selectFrom('class_members').select('user_id').where('class_id', 'in', classIds));
    const checkers = f.programCheckerIds;
    if (checkers) q = q.where('users.program_id', 'in', (eb) => eb.selectFrom('courses').select('id').where('checker_id', 'in', checkers));
    return q.orderBy('users.id').execute();
  },

  /** What an actor is made of. */
  /** The user's sign-in state, read on every authenticated request. */
  async actorRow(db: Db, id: number) {
    return (await actorRowQuery(db, [id]))[0];
  },

  /** A student program's flags (Hive's profile). */
  async program(db: Db, courseId: number) {
    return db.selectFrom('courses').select(['name', 'hanich_day_only', 'hanich_schedule', 'hanich_raise_hand']).where('id', '=', courseId).executeTakeFirst();
  },

  /** The assignment a user works on, with its exercise, module and subject (Hive's profile). */
  currentAssignment(db: Db, assignmentId: number) {
    return db
      .selectFrom('assignments')
      .innerJoin('exercises', 'exercises.id', 'assignments.exercise_id')
      .leftJoin('modules', 'modules.id', 'exercises.module_id')
      .select(['assignments.id', 'exercises.id as exercise_id', 'exercises.name as exercise_name', 'exercises.module_id', 'modules.subject_id'])
      .where('assignments.id', '=', assignmentId)
      .executeTakeFirst();
  },

  /** Whether the assignment is the user's own. */
  async ownsAssignment(db: Db, userId: number, assignmentId: number): Promise<boolean> {
    return (await db.selectFrom('assignments').select('id').where('id', '=', assignmentId).where('user_id', '=', userId).executeTakeFirst()) !== undefined;
  },

  /** Records the user present on `day` (once a day). */
  async checkIn(db: Db, userId: number, day: string, at: string): Promise<void> {
    await db
      .insertInto('attendance')
      .values({ user_id: userId, day, checked_in_at: at })
      .onConflict((oc) => oc.columns(['user_id', 'day']).doNothing())
      .execute();
  },

  attendance(db: Db, userId: number): Promise<{ day: string; checked_in_at: string }[]> {
    return db.selectFrom('attendance').select(['day', 'checked_in_at']).where('user_id', '=', userId).orderBy('day').execute();
  },

  /** Whether any account has this clearance. */
  async anyWithClearance(db: Db, clearance: number): Promise<boolean> {
    return (await db.selectFrom('users').select('id').where('clearance', '=', clearance).limit(1).executeTakeFirst()) !== undefined;
  },

  byId(db: Db, id: number): Promise<UserRow | undefined> {
    return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  },

  byUsername(db: Db, username: string): Promise<UserRow | undefined> {
    return db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
  },

  /** Another account holding this email, compared without regard to ASCII case. */
  otherWithEmail(db: Db, email: string, selfId: number | null): Promise<{ id: number } | undefined> {
    let q = db.selectFrom('users').select('id').where((eb) => eb(eb.fn('lower', ['email']), '=', email.replace(/[A-Z]/g, (c) => c.toLowerCase())));
    if (selfId !== null) q = q.where('id', '!=', selfId);
    return q.executeTakeFirst();
  },

  /** Inserts the account unless its username is taken (a concurrent creation wins). */
  async insertIfAbsent(db: Db, row: NewRow<'users'>): Promise<void> {
    await db.insertInto('users').values(row).onConflict((oc) => oc.column('username').doNothing()).execute();
  },

  async insert(db: Db, row: NewRow<'users'>): Promise<UserRow> {
    return db.insertInto('users').values(row).returningAll().executeTakeFirstOrThrow();
  },

  async update(db: Db, id: number, patch: RowPatch<'users'>): Promise<void> {
    if (Object.keys(patch).length > 0) await db.updateTable('users').set(patch).where('id', '=', id).execute();
  },

  async delete(db: Db, id: number): Promise<void> {
    await db.deleteFrom('users').where('id', '=', id).execute();
  },

  list(db: Db): Promise<UserRow[]> {
    return db.selectFrom('users').selectAll().orderBy('id').execute();
  },

  count(db: Db): Promise<number> {
    return db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
      .then((r) => Number(r.n));
  },

  async classIds(db: Db, userIds: number[]): Promise<Map<number, number[]>> {
    const out = new Map<number, number[]>();
    if (userIds.length === 0) return out;
    const rows = await db.selectFrom('class_members').select(['user_id', 'class_id']).where('user_id', 'in', userIds).orderBy('class_id').execute();
    for (const r of rows) out.set(r.user_id, [...(out.get(r.user_id) ?? []), r.class_id]);
    return out;
  },

  async menteeIds(db: Db, userIds: number[]): Promise<Map<number, number[]>> {
    const out = new Map<number, number[]>();
    if (userIds.length === 0) return out;
    const rows = await db.selectFrom('users').select(['id', 'mentor_id']).where('mentor_id', 'in', userIds).orderBy('id').execute();
    for (const r of rows) {
      const mentor = r.mentor_id as number;
      out.set(mentor, [...(out.get(mentor) ?? []), r.id]);
    }
    return out;
  },

  async setClasses(db: Db, userId: number, classIds: number[]): Promise<void> {
    await db.deleteFrom('class_members').where('user_id', '=', userId).execute();
    if (classIds.length > 0) await db.insertInto('class_members').values(classIds.map((class_id) => ({ class_id, user_id: userId }))).execute();
  },

  async setMentees(db: Db, mentorId: number, menteeIds: number[]): Promise<void> {
    await db.updateTable('users').set({ mentor_id: null }).where('mentor_id', '=', mentorId).execute();
    if (menteeIds.length > 0) await db.updateTable('users').set({ mentor_id: mentorId }).where('id', 'in', menteeIds).execute();
  },
};
