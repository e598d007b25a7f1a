import type { Db } from '../../db/database.ts';

export interface EventColumns {
  start_at: string;
  end_at: string;
  type: string;
  location: string | null;
}

/** Writes of timetable events made through the API (imports write in ical-import.ts). */
export const eventsRepo = {
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
