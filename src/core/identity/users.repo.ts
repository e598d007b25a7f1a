import type { Db } from '../../db/database.ts';
import type { NewRow, RowOf, RowPatch } from '../../db/types.ts';

export type UserRow = RowOf<'users'>;

export const usersRepo = {
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
