import type { Db } from '../db/database.ts';

/** The server's own key-value settings (`settings`): watermarks, secrets, the autocheck account's id. */
export const settingsRepo = {
  async get(db: Db, key: string): Promise<string | undefined> {
    return (await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst())?.value;
  },

  async insert(db: Db, key: string, value: string): Promise<void> {
    await db.insertInto('settings').values({ key, value }).execute();
  },

  async update(db: Db, key: string, value: string): Promise<void> {
    await db.updateTable('settings').set({ value }).where('key', '=', key).execute();
  },

  /** A value created at first use (`fresh`, kept unless another server stored one first): the same for every server. */
  async sharedValue(db: Db, key: string, fresh: () => string): Promise<string> {
    await db
      .insertInto('settings')
      .values({ key, value: fresh() })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    return (await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirstOrThrow()).value;
  },
};
