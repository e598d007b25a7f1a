import type { Db } from '../../db/database.ts';

export interface EventColumns {
  start_at: string;
  end_at: string;
  type: string;
  location: string | null;
}

/** Which events to read: all given conditions hold; start/end bounds are inclusive unless named `Before`/`After`. */
export interface EventQuery {
  id?: number;
  startGte?: string;
  startAfter?: string;
  startLte?: string;
  startBefore?: string;
  endLte?: string;
  lessonId?: number;
  withLesson?: boolean;
}

/** Columns an import writes on an event. */
export interface ImportedEventColumns extends EventColumns {
  title: string | null;
  lesson_id: number | null;
  color_id: number | null;
  attendees: string | null;
}

/** Timetable events: reads, writes made through the API, and what a calendar import writes. */
export const eventsRepo = {
  /** Events with their lesson, module and color, by start then id. */
  list(db: Db, f: EventQuery) {
    let q = db
      .selectFrom('events')
      .leftJoin('lessons', 'lessons.id', 'events.lesson_id')
      .leftJoin('modules', 'modules.id', 'lessons.module_id')
      .leftJoin('event_colors', 'event_colors.id', 'events.color_id')
      .select([
        'events.id',
        'events.uid',
        'events.start_at',
        'events.end_at',
        'events.title',
        'events.type',
        'events.location',
        'events.attendees',
        'events.lesson_id',
        'events.subject_id',
        'lessons.name as lesson_name',
        'lessons.module_id',
        'modules.subject_id as module_subject_id',
        'event_colors.color',
      ]);
    if (f.id !== undefined) q = q.where('events.id', '=', f.id);
    if (f.withLesson) q = q.where('events.lesson_id', 'is not', null);
    if (f.startGte !== undefined) q = q.where('events.start_at', '>=', f.startGte);
    if (f.startAfter !== undefined) q = q.where('events.start_at', '>', f.startAfter);
    if (f.startLte !== undefined) q = q.where('events.start_at', '<=', f.startLte);
    if (f.startBefore !== undefined) q = q.where('events.start_at', '<', f.startBefore);
    if (f.endLte !== undefined) q = q.where('events.end_at', '<=', f.endLte);
    if (f.lessonId !== undefined) q = q.where('events.lesson_id', '=', f.lessonId);
    return q.orderBy('events.start_at').orderBy('events.id').execute();
  },

  async subjectNames(db: Db, ids: number[]): Promise<Map<number, string>> {
    if (ids.length === 0) return new Map();
    return new Map((await db.selectFrom('subjects').select(['id', 'name']).where('id', 'in', ids).execute()).map((s) => [s.id, s.name]));
  },

  async classIdsOf(db: Db, userId: number): Promise<Set<number>> {
    return new Set((await db.selectFrom('class_members').select('class_id').where('user_id', '=', userId).execute()).map((m) => m.class_id));
  },

  /** What an import matches calendar entries against: lessons, classes and colors. */
  async importCatalog(db: Db) {
    const [lessons, classes, colors] = await Promise.all([
      db.selectFrom('lessons').select(['id', 'name']).execute(),
      db.selectFrom('classes').select(['id', 'name', 'email']).execute(),
      db.selectFrom('event_colors').select(['id', 'name']).execute(),
    ]);
    return { lessons, classes, colors };
  },

  byUid(db: Db, uid: string): Promise<{ id: number } | undefined> {
    return db.selectFrom('events').select('id').where('uid', '=', uid).executeTakeFirst();
  },

  async insertImported(db: Db, values: ImportedEventColumns & { uid: string; created_at: string }): Promise<void> {
    await db.insertInto('events').values(values).execute();
  },

  async updateImported(db: Db, id: number, values: ImportedEventColumns): Promise<void> {
    await db.updateTable('events').set(values).where('id', '=', id).execute();
  },

  async insert(db: Db, values: EventColumns & { created_at: string }): Promise<number> {
    const row = await db.insertInto('events').values({ ...values, uid: null }).returning('id').executeTakeFirstOrThrow();
    return row.id;
  },

  /** The event's own columns change; its UID (an imported event's identity) never does. */
  async update(db: Db, id: number, patch: Partial<EventColumns>): Promise<void> {
    if (Object.keys(patch).length > 0) await db.updateTable('events').set(patch).where('id', '=', id).execute();
  },

  async delete(db: Db, id: number): Promise<void> {
    await db.deleteFrom('events').where('id', '=', id).execute();
  },
};
