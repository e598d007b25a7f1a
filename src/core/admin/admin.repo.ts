import type { Db } from '../../db/database.ts';

/** The admin pages' queries: accounts, everyone's personal tokens, OAuth client applications. */
export const adminRepo = {
  users(db: Db) {
    return db
      .selectFrom('users')
      .select(['id', 'username', 'email', 'first_name', 'last_name', 'clearance', 'is_active', 'created_at'])
      .orderBy('username')
      .orderBy('id')
      .execute();
  },

  /** Every user's personal tokens (not the cookie sessions kept beside them), newest first, with their owner. */
  tokens(db: Db, except: string) {
    return db
      .selectFrom('api_tokens as t')
      .innerJoin('users as u', 'u.id', 't.user_id')
      .select(['t.id', 't.name', 't.created_at', 't.last_used_at', 't.user_id', 'u.username'])
      .where('t.name', '!=', except)
      .orderBy('t.id', 'desc')
      .execute();
  },

  /** Deletes a personal token of anyone's (never a cookie session); whether there was one. */
  async deleteToken(db: Db, id: number, except: string): Promise<boolean> {
    const res = await db.deleteFrom('api_tokens').where('id', '=', id).where('name', '!=', except).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  },

  /** The registered client applications with their live token counts. */
  clients(db: Db, now: string) {
    return db
      .selectFrom('oauth_clients as c')
      .leftJoin('users as u', 'u.id', 'c.created_by')
      .select([
        'c.id',
        'c.name',
        'c.uid',
        'c.redirect_uris',
        'c.scopes',
        'c.created_at',
        'u.username as created_by',
        (eb) =>
          eb
            .selectFrom('oauth_tokens as t')
            .select((e) => e.fn.countAll<number>().as('n'))
            .whereRef('t.client_id', '=', 'c.id')
            .where('t.revoked_at', 'is', null)
            .where('t.expires_at', '>', now)
            .as('live_tokens'),
      ])
      .orderBy('c.id')
      .execute();
  },

  /** Deletes a client and what hangs off it (grants, tokens, device requests); whether there was one. */
  async deleteClient(trx: Db, id: number): Promise<boolean> {
    await trx.deleteFrom('oauth_grants').where('client_id', '=', id).execute();
    await trx.deleteFrom('oauth_tokens').where('client_id', '=', id).execute();
    await trx.deleteFrom('oauth_device_requests').where('client_id', '=', id).execute();
    const res = await trx.deleteFrom('oauth_clients').where('id', '=', id).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  },
};
