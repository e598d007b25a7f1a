import type { Db } from '../../db/database.ts';
import type { NewRow, RowPatch } from '../../db/types.ts';

/** A queue row with what Hive shows of its target. */
export interface QueueRow {
  id: number;
  name: string;
  description: string | null;
  module_id: number | null;
  user_id: number | null;
  user_first_name: string | null;
  user_last_name: string | null;
  user_username: string | null;
  subject_id: number | null;
  subject_name: string | null;
  subject_color: string | null;
  subject_symbol: string | null;
  module_name: string | null;
  module_order: string | null;
  program_id: number | null;
  program_name: string | null;
}

/** Which queues to list; every id is a valid row id (the service answers nothing for the others). */
export interface QueueListFilter {
  /** Courses the reader sees; `null`: every course. */
  visible: number[] | null;
  id?: number;
  ids?: number[];
  classId?: number;
  mentorId?: number;
  moduleId?: number;
  moduleIsNull?: boolean;
  programIds?: number[];
  userId?: number;
  userIsNull?: boolean;
}

export interface ItemRow {
  id: number;
  queue_id: number;
  order: number;
  exercise_id: number | null;
  nested_queue_id: number | null;
  module_id: number | null;
  queue_rule: string;
  continue_on_redo: boolean;
  enabled: boolean;
}

type FollowColumn = 'queue_id' | 'user_queue_id' | 'override_queue_id';
const FOLLOW_COLUMNS: readonly FollowColumn[] = ['queue_id', 'user_queue_id', 'override_queue_id'];

const queueQuery = (db: Db) =>
  db
    .selectFrom('queues as q')
    .leftJoin('modules as m', 'm.id', 'q.module_id')
    .leftJoin('subjects as s', 's.id', 'm.subject_id')
    .leftJoin('users as u', 'u.id', 'q.user_id')
    .leftJoin('courses as c', (join) => join.on((eb) => eb('c.id', '=', eb.fn.coalesce('s.course_id', 'u.program_id'))))
    .select([
      'q.id',
      'q.name',
      'q.description',
      'q.module_id',
      'q.user_id',
      'u.first_name as user_first_name',
      'u.last_name as user_last_name',
      'u.username as user_username',
      's.id as subject_id',
      's.name as subject_name',
      's.color as subject_color',
      's.symbol as subject_symbol',
      'm.name as module_name',
      'm.order as module_order',
      'c.id as program_id',
      'c.name as program_name',
    ]);

export const queuesRepo = {
  list(db: Db, f: QueueListFilter): Promise<QueueRow[]> {
    let q = queueQuery(db);
    if (f.visible !== null) q = f.visible.length > 0 ? q.where('c.id', 'in', f.visible) : q.where((eb) => eb.val(false));
    if (f.id !== undefined) q = q.where('q.id', '=', f.id);
    if (f.ids !== undefined) q = q.where('q.id', 'in', f.ids);
    if (f.moduleId !== undefined) q = q.where('q.module_id', '=', f.moduleId);
    if (f.moduleIsNull !== undefined) q = q.where('q.module_id', f.moduleIsNull ? 'is' : 'is not', null);
    if (f.userId !== undefined) q = q.where('q.user_id', '=', f.userId);
    if (f.userIsNull !== undefined) q = q.where('q.user_id', f.userIsNull ? 'is' : 'is not', null);
    if (f.programIds !== undefined) q = q.where('c.id', 'in', f.programIds);
    // A class's (a mentor's) queues: the user queues of its members (mentees) and every queue one of them follows.
    for (const [value, people] of [
      [f.classId, (id: number) => db.selectFrom('class_members').select('user_id').where('class_id', '=', id)],
      [f.mentorId, (id: number) => db.selectFrom('users').select('id as user_id').where('mentor_id', '=', id)],
    ] as const) {
      if (value === undefined) continue;
      const members = people(value);
      const follows = (col: FollowColumn) =>
        db.selectFrom('users').select(`users.${col} as qid`).where('users.id', 'in', members).where(`users.${col}`, 'is not', null);
      q = q.where((eb) =>
        eb.or([
          eb('q.user_id', 'in', members),
          eb('q.id', 'in', follows('queue_id')),
          eb('q.id', 'in', follows('user_queue_id')),
          eb('q.id', 'in', follows('override_queue_id')),
        ]),
      );
    }
    return q.orderBy('q.id').execute();
  },

  async moduleExists(db: Db, moduleId: number): Promise<boolean> {
    return (await db.selectFrom('modules').select('id').where('id', '=', moduleId).executeTakeFirst()) !== undefined;
  },

  /** Whether a queue, module, or an exercise inside a module (an exercise Hive can name) exists. */
  async targetExists(db: Db, table: 'exercises' | 'queues' | 'modules', id: number): Promise<boolean> {
    let q = db.selectFrom(table).select(`${table}.id` as 'id').where(`${table}.id` as 'id', '=', id);
    if (table === 'exercises') q = q.where('module_id' as never, 'is not', null);
    return (await q.executeTakeFirst()) !== undefined;
  },

  userProgram(db: Db, userId: number): Promise<{ id: number; program_id: number | null } | undefined> {
    return db.selectFrom('users').select(['id', 'program_id']).where('id', '=', userId).executeTakeFirst();
  },

  async existingTagIds(db: Db, ids: number[]): Promise<Set<number>> {
    return new Set((await db.selectFrom('tags').select('id').where('id', 'in', ids.concat([0])).execute()).map((r) => r.id));
  },

  async insert(db: Db, row: NewRow<'queues'>): Promise<number> {
    return (await db.insertInto('queues').values(row).returning('id').executeTakeFirstOrThrow()).id;
  },

  async update(db: Db, id: number, patch: RowPatch<'queues'>): Promise<void> {
    await db.updateTable('queues').set(patch).where('id', '=', id).execute();
  },

  /** The queue, its items and the items nesting it; students and lesson rules following it follow nothing. */
  async delete(db: Db, id: number): Promise<void> {
    const items = db.selectFrom('queue_items').select('id').where((eb) => eb.or([eb('queue_id', '=', id), eb('nested_queue_id', '=', id)]));
    await db.deleteFrom('queue_item_tags').where('item_id', 'in', items).execute();
    await db.deleteFrom('queue_items').where((eb) => eb.or([eb('queue_id', '=', id), eb('nested_queue_id', '=', id)])).execute();
    for (const col of FOLLOW_COLUMNS) await db.updateTable('users').set({ [col]: null }).where(col, '=', id).execute();
    await db.updateTable('lesson_rules').set({ queue_id: null }).where('queue_id', '=', id).execute();
    await db.deleteFrom('queues').where('id', '=', id).execute();
  },

  /**
   * Ids of the `New` assignments of `exerciseIds` held by the students the queue serves (its target
   * user and everyone following it) with no response posted.
   */
  async untouchedNewAssignments(db: Db, queueId: number, exerciseIds: number[]): Promise<number[]> {
    const served = db
      .selectFrom('users')
      .select('users.id')
      .where((eb) =>
        eb.or([
          eb('users.queue_id', '=', queueId),
          eb('users.user_queue_id', '=', queueId),
          eb('users.override_queue_id', '=', queueId),
          eb('users.id', 'in', eb.selectFrom('queues').select('queues.user_id').where('queues.id', '=', queueId).where('queues.user_id', 'is not', null)),
        ]),
      );
    const rows = await db
      .selectFrom('assignments as a')
      .select('a.id')
      .where('a.status', '=', 'New')
      .where('a.exercise_id', 'in', exerciseIds)
      .where('a.user_id', 'in', served)
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('responses as r').select('r.id').whereRef('r.assignment_id', '=', 'a.id'))))
      .execute();
    return rows.map((r) => r.id);
  },

  async deleteAssignments(db: Db, ids: number[]): Promise<void> {
    await db.updateTable('users').set({ current_assignment_id: null }).where('current_assignment_id', 'in', ids).execute();
    await db.deleteFrom('assignment_members').where('assignment_id', 'in', ids).execute();
    await db.deleteFrom('assignments').where('id', 'in', ids).execute();
  },
};

export const queueItemsRepo = {
  byQueue(db: Db, queueId: number): Promise<ItemRow[]> {
    return db.selectFrom('queue_items').selectAll().where('queue_id', '=', queueId).orderBy('order').orderBy('id').execute();
  },

  inQueue(db: Db, queueId: number, itemId: number): Promise<ItemRow | undefined> {
    return db.selectFrom('queue_items').selectAll().where('id', '=', itemId).where('queue_id', '=', queueId).executeTakeFirst();
  },

  async tagIds(db: Db, itemId: number): Promise<number[]> {
    return (await db.selectFrom('queue_item_tags').select('tag_id').where('item_id', '=', itemId).orderBy('tag_id').execute()).map((t) => t.tag_id);
  },

  tagsOf(db: Db, itemIds: number[]): Promise<{ item_id: number; tag_id: number }[]> {
    if (itemIds.length === 0) return Promise.resolve([]);
    return db.selectFrom('queue_item_tags').select(['item_id', 'tag_id']).where('item_id', 'in', itemIds).orderBy('tag_id').execute();
  },

  async nestedQueueIds(db: Db, queueId: number): Promise<number[]> {
    const rows = await db.selectFrom('queue_items').select('nested_queue_id').where('queue_id', '=', queueId).where('nested_queue_id', 'is not', null).execute();
    return rows.map((r) => r.nested_queue_id!);
  },

  /** A module's exercises (id and order), only those with one of `tagIds` when there are tags. */
  moduleExercises(db: Db, moduleId: number, tagIds: number[]): Promise<{ id: number; order: string }[]> {
    let q = db.selectFrom('exercises').select(['exercises.id', 'exercises.order']).where('exercises.module_id', '=', moduleId);
    if (tagIds.length > 0) {
      q = q.where(({ exists, selectFrom }) =>
        exists(selectFrom('exercise_tags as et').select('et.tag_id').whereRef('et.exercise_id', '=', 'exercises.id').where('et.tag_id', 'in', tagIds)),
      );
    }
    return q.execute();
  },

  async insert(db: Db, row: NewRow<'queue_items'>): Promise<number> {
    return (await db.insertInto('queue_items').values(row).returning('id').executeTakeFirstOrThrow()).id;
  },

  async update(db: Db, id: number, patch: RowPatch<'queue_items'>): Promise<void> {
    await db.updateTable('queue_items').set(patch).where('id', '=', id).execute();
  },

  async setOrder(db: Db, id: number, order: number): Promise<void> {
    await db.updateTable('queue_items').set({ order }).where('id', '=', id).execute();
  },

  async replaceTags(db: Db, itemId: number, tagIds: number[]): Promise<void> {
    await db.deleteFrom('queue_item_tags').where('item_id', '=', itemId).execute();
    if (tagIds.length > 0) await db.insertInto('queue_item_tags').values(tagIds.map((tag_id) => ({ item_id: itemId, tag_id }))).execute();
  },

  async delete(db: Db, itemId: number): Promise<void> {
    await db.deleteFrom('queue_item_tags').where('item_id', '=', itemId).execute();
    await db.deleteFrom('queue_items').where('id', '=', itemId).execute();
  },
};
