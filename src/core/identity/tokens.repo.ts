import type { Db } from '../../db/database.ts';

/** Queries on the sign-in credentials the server keeps: refresh tokens (`refresh_tokens`) and API tokens and cookie sessions (`api_tokens`). */
export const tokensRepo = {
  async insertRefresh(db: Db, row: { jti: string; user_id: number; created_at: string; expires_at: string }): Promise<void> {
    await db.insertInto('refresh_tokens').values(row).execute();
  },

  /** Marks the refresh token used, unless it already is or has expired; whether it did (exactly once under concurrent calls). */
  async spendRefresh(db: Db, jti: string, now: string): Promise<boolean> {
    const spent = await db
      .updateTable('refresh_tokens')
      .set({ used_at: now })
      .where('jti', '=', jti)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return Number(spent.numUpdatedRows) === 1;
  },

  insertApiToken(db: Db, row: { user_id: number; name: string; token_hash: string; created_at: string }): Promise<{ id: number; name: string }> {
    return db.insertInto('api_tokens').values(row).returning(['id', 'name']).executeTakeFirstOrThrow();
  },

  /** The user's tokens except those named `except` (the cookie sessions), in id order. */
  listApiTokens(db: Db, userId: number, except: string) {
    return db
      .selectFrom('api_tokens')
      .select(['id', 'name', 'created_at', 'last_used_at'])
      .where('user_id', '=', userId)
      .where('name', '!=', except)
      .orderBy('id')
      .execute();
  },

  /** Deletes the user's token `id`; whether there was one. */
  async deleteApiToken(db: Db, userId: number, id: number): Promise<boolean> {
    const res = await db.deleteFrom('api_tokens').where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  },

  /** Deletes the user's tokens named `name` created at or before `createdBy`. */
  async deleteNamedBefore(db: Db, userId: number, name: string, createdBy: string): Promise<void> {
    await db.deleteFrom('api_tokens').where('user_id', '=', userId).where('name', '=', name).where('created_at', '<=', createdBy).execute();
  },

  /** The user of the token with this hash and name created after `createdAfter`. */
  async userOfNamed(db: Db, tokenHash: string, name: string, createdAfter: string): Promise<number | null> {
    const row = await db
      .selectFrom('api_tokens')
      .select('user_id')
      .where('token_hash', '=', tokenHash)
      .where('name', '=', name)
      .where('created_at', '>', createdAfter)
      .executeTakeFirst();
    return row?.user_id ?? null;
  },

  async deleteNamed(db: Db, tokenHash: string, name: string): Promise<void> {
    await db.deleteFrom('api_tokens').where('token_hash', '=', tokenHash).where('name', '=', name).execute();
  },

  /** The token with this hash unless it is named `except`. */
  byHashExcept(db: Db, tokenHash: string, except: string) {
    return db.selectFrom('api_tokens').select(['id', 'user_id', 'last_used_at']).where('token_hash', '=', tokenHash).where('name', '!=', except).executeTakeFirst();
  },

  /** The token with this hash unless it is named `except`, with its user's sign-in state (one query). */
  byHashExceptWithUser(db: Db, tokenHash: string, except: string) {
    return db
      .selectFrom('api_tokens as t')
      .innerJoin('users as u', 'u.id', 't.user_id')
      .select(['t.id', 't.user_id', 't.last_used_at', 'u.username', 'u.clearance', 'u.is_active'])
      .where('t.token_hash', '=', tokenHash)
      .where('t.name', '!=', except)
      .executeTakeFirst();
  },

  async markUsed(db: Db, id: number, now: string): Promise<void> {
    await db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', id).execute();
  },
};
