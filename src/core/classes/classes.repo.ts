import type { Db } from '../../db/database.ts';
import type { NewRow, RowPatch } from '../../db/types.ts';
import { Clearance } from '../actor.ts';

export interface ClassRow {
  id: number;
  name: string;
  course_id: number;
  email: string;
  type: string;
  description: string | null;
  program_name: string;
}

export interface ClassListFilter {
  /** Courses the reader sees; `null`: every course. */
  visible: number[] | null;
  id?: number;
  ids?: number[];
  name?: string;
  programIds?: number[];
  type?: string;
}

export interface SeatRow {
  id: number;
  hostname: string | null;
  hanich: number | null;
  classroom: number;
  x: number;
  y: number;
  course_id: number;
}

export const classesRepo = {
  list(db: Db, f: ClassListFilter): Promise<ClassRow[]> {
    let q = db
      .selectFrom('classes')
      .innerJoin('courses', 'courses.id', 'classes.course_id')
      .select(['classes.id', 'classes.name', 'classes.course_id', 'classes.email', 'classes.type', 'classes.description', 'courses.name as program_name']);
    if (f.visible !== null) q = f.visible.length > 0 ? q.where('classes.course_id', 'in', f.visible) : q.where((eb) => eb.val(false));
    if (f.id !== undefined) q = q.where('classes.id', '=', f.id);
    if (f.ids) q = q.where('classes.id', 'in', f.ids);
    if (f.name !== undefined) q = q.where('classes.name', '=', f.name);
    if (f.programIds) q = q.where('classes.course_id', 'in', f.programIds);
    if (f.type !== undefined) q = q.where('classes.type', '=', f.type);
    return q.orderBy('classes.id').execute();
  },

  idByName(db: Db, name: string): Promise<{ id: number } | undefined> {
    return db.selectFrom('classes').select('id').where('name', '=', name).executeTakeFirst();
  },

  /** Members of the classes, by user id. */
  members(db: Db, classIds: number[]): Promise<{ class_id: number; user_id: number }[]> {
    if (classIds.length === 0) return Promise.resolve([]);
    return db.selectFrom('class_members').select(['class_id', 'user_id']).where('class_id', 'in', classIds).orderBy('user_id').execute();
  },

  async setMembers(db: Db, classId: number, users: number[]): Promise<void> {
    await db.deleteFrom('class_members').where('class_id', '=', classId).execute();
    if (users.length > 0) await db.insertInto('class_members').values(users.map((user_id) => ({ class_id: classId, user_id }))).execute();
  },

  async insert(db: Db, row: NewRow<'classes'>): Promise<number> {
    return (await db.insertInto('classes').values(row).returning('id').executeTakeFirstOrThrow()).id;
  },

  async update(db: Db, id: number, patch: RowPatch<'classes'>): Promise<void> {
    await db.updateTable('classes').set(patch).where('id', '=', id).execute();
  },

  async delete(db: Db, id: number): Promise<void> {
    await db.deleteFrom('classes').where('id', '=', id).execute();
  },

  /** Ids of the students (clearance 1) among the class's members, ascending. */
  async studentIds(db: Db, classId: number): Promise<number[]> {
    const rows = await db
      .selectFrom('class_members')
      .innerJoin('users', 'users.id', 'class_members.user_id')
      .select('users.id')
      .where('class_members.class_id', '=', classId)
      .where('users.clearance', '=', Clearance.student)
      .orderBy('users.id')
      .execute();
    return rows.map((r) => r.id);
  },

  async setUsersQueue(db: Db, userIds: number[], column: 'queue_id' | 'override_queue_id', queueId: number | null): Promise<void> {
    if (userIds.length > 0) await db.updateTable('users').set({ [column]: queueId }).where('id', 'in', userIds).execute();
  },

  usersWithNumbers(db: Db, userIds: number[]): Promise<{ id: number; number: number | null }[]> {
    if (userIds.length === 0) return Promise.resolve([]);
    return db.selectFrom('users').select(['id', 'number']).where('id', 'in', userIds).execute();
  },
};

export const seatingRepo = {
  list(db: Db, f: { visible: number[] | null; id?: number; classroomId?: number }): Promise<SeatRow[]> {
    let q = db
      .selectFrom('seating')
      .innerJoin('classes', 'classes.id', 'seating.classroom_id')
      .select(['seating.id', 'seating.hostname', 'seating.user_id as hanich', 'seating.classroom_id as classroom', 'seating.x', 'seating.y', 'classes.course_id']);
    if (f.visible !== null) q = f.visible.length > 0 ? q.where('classes.course_id', 'in', f.visible) : q.where((eb) => eb.val(false));
    if (f.id !== undefined) q = q.where('seating.id', '=', f.id);
    if (f.classroomId !== undefined) q = q.where('seating.classroom_id', '=', f.classroomId);
    return q.orderBy('seating.id').execute();
  },

  /** Another seat at this position of the room. */
  otherAt(db: Db, classroomId: number, x: number, y: number, selfId: number): Promise<{ id: number } | undefined> {
    return db.selectFrom('seating').select('id').where('classroom_id', '=', classroomId).where('x', '=', x).where('y', '=', y).where('id', '!=', selfId).executeTakeFirst();
  },

  /** Another seat of this student in the room. */
  otherOf(db: Db, classroomId: number, userId: number, selfId: number): Promise<{ id: number } | undefined> {
    return db.selectFrom('seating').select('id').where('classroom_id', '=', classroomId).where('user_id', '=', userId).where('id', '!=', selfId).executeTakeFirst();
  },

  inRoom(db: Db, classroomId: number): Promise<{ id: number; x: number; y: number; user_id: number | null }[]> {
    return db.selectFrom('seating').select(['id', 'x', 'y', 'user_id']).where('classroom_id', '=', classroomId).execute();
  },

  async insert(db: Db, row: NewRow<'seating'>): Promise<number> {
    return (await db.insertInto('seating').values(row).returning('id').executeTakeFirstOrThrow()).id;
  },

  async update(db: Db, id: number, patch: RowPatch<'seating'>): Promise<void> {
    await db.updateTable('seating').set(patch).where('id', '=', id).execute();
  },

  async delete(db: Db, id: number): Promise<void> {
    await db.deleteFrom('seating').where('id', '=', id).execute();
  },
};
