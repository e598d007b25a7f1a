import { sql } from 'kysely';
import type { Expression, SqlBool } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { ThreadKind, ThreadRef } from './thread.ts';
import { threadColumn, threadTable } from './thread.ts';
import type { ThreadUserFilters } from './user-filters.ts';

export interface NotificationRow {
  for_user_id: number;
  from_user_id: number | null;
  thread: ThreadRef;
  response_type: string;
  comment: string;
  created_at: string;
}

const list = (ids: number[]) => sql.join(ids.map((id) => sql`${id}`));

/** Queries shared by assignments and help threads: locks, subscriptions, notifications, student filters. */
export const threadsRepo = {
  /** Sets the checker when the thread is free or already the actor's; whether it did. */
  async claimIfFree(db: Db, thread: ThreadRef, checkerId: number, now: string): Promise<boolean> {
    const claimed = await db
      .updateTable(threadTable[thread.kind])
      .set({ checker_id: checkerId })
      .where('id', '=', thread.id)
      .where((eb) => eb.or([eb('checker_id', 'is', null), eb('checker_id', '=', checkerId)]))
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) === 0) return false;
    if (thread.kind === 'assignment') await db.updateTable('assignments').set({ locked_at: now }).where('id', '=', thread.id).where('checker_id', '=', checkerId).execute();
    return true;
  },

  /** Sets the checker whoever held the thread. */
  async takeOver(db: Db, thread: ThreadRef, checkerId: number, now: string): Promise<void> {
    await db.updateTable(threadTable[thread.kind]).set({ checker_id: checkerId }).where('id', '=', thread.id).execute();
    if (thread.kind === 'assignment') await db.updateTable('assignments').set({ locked_at: now }).where('id', '=', thread.id).execute();
  },

  /** Clears the checker (only when free or `holderId`'s unless `holderId` is null); whether a row matched. */
  async release(db: Db, thread: ThreadRef, holderId: number | null): Promise<boolean> {
    let q = db.updateTable(threadTable[thread.kind]).set({ checker_id: null }).where('id', '=', thread.id);
    if (holderId !== null) q = q.where((eb) => eb.or([eb('checker_id', 'is', null), eb('checker_id', '=', holderId)]));
    return Number((await q.executeTakeFirst()).numUpdatedRows) > 0;
  },

  async owner(db: Db, thread: ThreadRef): Promise<number | null> {
    return (await db.selectFrom(threadTable[thread.kind]).select('user_id').where('id', '=', thread.id).executeTakeFirst())?.user_id ?? null;
  },

  subscribers(db: Db, thread: ThreadRef): Promise<{ user_id: number; clearance: number }[]> {
    return db
      .selectFrom('subscriptions as s')
      .innerJoin('users as u', 'u.id', 's.user_id')
      .select(['s.user_id', 'u.clearance'])
      .where(`s.${threadColumn[thread.kind]}`, '=', thread.id)
      .execute();
  },

  async insertNotifications(db: Db, rows: NotificationRow[]): Promise<void> {
    if (rows.length === 0) return;
    await db
      .insertInto('notifications')
      .values(
        rows.map((r) => ({
          for_user_id: r.for_user_id,
          from_user_id: r.from_user_id,
          [threadColumn[r.thread.kind]]: r.thread.id,
          response_type: r.response_type,
          comment: r.comment,
          was_read: false,
          created_at: r.created_at,
        })),
      )
      .execute();
  },

  async subscribe(db: Db, userId: number, thread: ThreadRef): Promise<void> {
    const column = threadColumn[thread.kind];
    await db
      .insertInto('subscriptions')
      .values({ user_id: userId, [column]: thread.id })
      .onConflict((oc) => oc.columns(['user_id', column]).doNothing())
      .execute();
  },

  async unsubscribe(db: Db, userId: number, thread: ThreadRef): Promise<void> {
    await db.deleteFrom('subscriptions').where('user_id', '=', userId).where(threadColumn[thread.kind], '=', thread.id).execute();
  },

  /** Which of `ids` (at most a few hundred) the user is subscribed to; every thread of the kind they are subscribed to when `ids` is 'all'. */
  async subscribedAmong(db: Db, userId: number, kind: ThreadKind, ids: number[] | 'all'): Promise<number[]> {
    const column = threadColumn[kind];
    let q = db.selectFrom('subscriptions').select(column).where('user_id', '=', userId);
    q = ids === 'all' ? q.where(column, 'is not', null) : q.where(column, 'in', ids);
    const rows = await q.execute();
    return rows.flatMap((r) => (r[column] !== null ? [r[column]!] : []));
  },
};

/**
 * The conditions of `filters` on the student whose id is in `userColumn` (a trusted column
 * reference such as `a.user_id`). An empty `__in` list matches nothing, as in Django.
 */
export function threadUserConditions(userColumn: string, filters: ThreadUserFilters): Expression<SqlBool>[] {
  const user = sql.ref(userColumn);
  const none = sql<SqlBool>`1 = 0`;
  /** The student has a row in `table` whose `column` is one of `ids` (an empty list matches nothing). */
  const related = (table: 'users', key: 'id', column: 'mentor_id' | 'program_id', ids: number[]) =>
    ids.length === 0 ? none : sql<SqlBool>`EXISTS (SELECT 1 FROM ${sql.table(table)} r WHERE r.${sql.ref(key)} = ${user} AND r.${sql.ref(column)} IN (${list(ids)}))`;
  const out: Expression<SqlBool>[] = [];
  if (filters.userIds !== undefined) out.push(filters.userIds.length === 0 ? none : sql<SqlBool>`${user} IN (${list(filters.userIds)})`);
  /**
   * The student is in one of the classes: the classes' members are listed once (class_members is
   * indexed by class) rather than looked up for every candidate row, which halved the dashboard's
   * poll by class on SQLite (its EXISTS ran once per assignment changed since the last poll).
   */
  const inClasses = (ids: number[]) =>
    ids.length === 0 ? none : sql<SqlBool>`${user} IN (SELECT r.user_id FROM class_members r WHERE r.class_id IN (${list(ids)}))`;
  if (filters.classId !== undefined) out.push(inClasses([filters.classId]));
  if (filters.classIds !== undefined) out.push(inClasses(filters.classIds));
  if (filters.mentorId !== undefined) out.push(related('users', 'id', 'mentor_id', [filters.mentorId]));
  if (filters.mentorIds !== undefined) out.push(related('users', 'id', 'mentor_id', filters.mentorIds));
  if (filters.programIds !== undefined) out.push(related('users', 'id', 'program_id', filters.programIds));
  return out;
}
