import type { Db } from '../../db/database.ts';
import type { NewRow, RowOf } from '../../db/types.ts';
import type { Timestamp } from '../clock.ts';

export type ClientRow = RowOf<'oauth_clients'>;
export type TokenRow = RowOf<'oauth_tokens'>;
export type DeviceRequestRow = RowOf<'oauth_device_requests'>;
export type LiveAccessToken = Pick<TokenRow, 'user_id' | 'client_id' | 'scopes' | 'expires_at' | 'created_at'> & { uid: string };

const changed = (result: { numUpdatedRows?: bigint; numDeletedRows?: bigint }): boolean =>
  Number(result.numUpdatedRows ?? result.numDeletedRows ?? 0n) === 1;

/** Queries of the OAuth2 server; callers pass hashes, never secrets. */
export const oauthRepo = {
  insertClient(db: Db, row: NewRow<'oauth_clients'>): Promise<ClientRow> {
    return db.insertInto('oauth_clients').values(row).returningAll().executeTakeFirstOrThrow();
  },

  clientByUid(db: Db, uid: string): Promise<ClientRow | undefined> {
    return db.selectFrom('oauth_clients').selectAll().where('uid', '=', uid).executeTakeFirst();
  },

  clientById(db: Db, id: number): Promise<ClientRow | undefined> {
    return db.selectFrom('oauth_clients').selectAll().where('id', '=', id).executeTakeFirst();
  },

  /** Expired codes can never be redeemed; dropping them keeps the table small. */
  async deleteExpiredGrants(db: Db, now: Timestamp): Promise<void> {
    await db.deleteFrom('oauth_grants').where('expires_at', '<=', now).execute();
  },

  async insertGrant(db: Db, row: NewRow<'oauth_grants'>): Promise<void> {
    await db.insertInto('oauth_grants').values(row).execute();
  },

  /** Spends a live authorization code of this client, exactly once; returns it, or undefined. */
  async spendGrant(db: Db, codeHash: string, clientId: number, now: Timestamp): Promise<RowOf<'oauth_grants'> | undefined> {
    const grant = await db
      .selectFrom('oauth_grants')
      .selectAll()
      .where('code_hash', '=', codeHash)
      .where('client_id', '=', clientId)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    if (!grant) return undefined;
    const spent = await db.updateTable('oauth_grants').set({ used_at: now }).where('id', '=', grant.id).where('used_at', 'is', null).executeTakeFirst();
    return changed(spent) ? grant : undefined;
  },

  async insertToken(db: Db, row: NewRow<'oauth_tokens'>): Promise<void> {
    await db.insertInto('oauth_tokens').values(row).execute();
  },

  /** The live access token with this hash, if its user may still sign in. */
  async liveAccessToken(db: Db, accessHash: string, now: Timestamp): Promise<LiveAccessToken | undefined> {
    const row = await db
      .selectFrom('oauth_tokens')
      .innerJoin('users', 'users.id', 'oauth_tokens.user_id')
      .innerJoin('oauth_clients', 'oauth_clients.id', 'oauth_tokens.client_id')
      .select(['oauth_tokens.user_id', 'oauth_tokens.client_id', 'oauth_tokens.scopes', 'oauth_tokens.expires_at', 'oauth_tokens.created_at', 'oauth_clients.uid', 'users.is_active'])
      .where('oauth_tokens.access_hash', '=', accessHash)
      .where('oauth_tokens.revoked_at', 'is', null)
      .where('oauth_tokens.expires_at', '>', now)
      .executeTakeFirst();
    // SQLite answers 0/1 for the flag.
    return row && Boolean(row.is_active) ? row : undefined;
  },

  tokenByRefreshHash(db: Db, refreshHash: string): Promise<TokenRow | undefined> {
    return db.selectFrom('oauth_tokens').selectAll().where('refresh_hash', '=', refreshHash).executeTakeFirst();
  },

  tokenByAccessHash(db: Db, accessHash: string): Promise<TokenRow | undefined> {
    return db.selectFrom('oauth_tokens').selectAll().where('access_hash', '=', accessHash).executeTakeFirst();
  },

  /** Revokes a token row unless already revoked; true when this call revoked it. */
  async revokeToken(db: Db, id: number, now: Timestamp): Promise<boolean> {
    return changed(await db.updateTable('oauth_tokens').set({ revoked_at: now }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst());
  },

  async deleteExpiredDeviceRequests(db: Db, now: Timestamp): Promise<void> {
    await db.deleteFrom('oauth_device_requests').where('expires_at', '<=', now).execute();
  },

  async insertDeviceRequest(db: Db, row: NewRow<'oauth_device_requests'>): Promise<void> {
    await db.insertInto('oauth_device_requests').values(row).execute();
  },

  liveDeviceRequest(db: Db, by: { deviceCodeHash: string } | { userCodeHash: string }, now: Timestamp): Promise<DeviceRequestRow | undefined> {
    let query = db.selectFrom('oauth_device_requests').selectAll().where('expires_at', '>', now);
    query = 'deviceCodeHash' in by ? query.where('device_code_hash', '=', by.deviceCodeHash) : query.where('user_code_hash', '=', by.userCodeHash);
    return query.executeTakeFirst();
  },

  /** Records the user's answer on a still-pending request; false when someone answered first. */
  async answerDeviceRequest(db: Db, id: number, status: 'granted' | 'denied', userId: number): Promise<boolean> {
    return changed(
      await db.updateTable('oauth_device_requests').set({ status, user_id: userId }).where('id', '=', id).where('status', '=', 'pending').executeTakeFirst(),
    );
  },

  /** Deletes an answered request; true for the one caller that deleted it (the answer is one-shot). */
  async deleteDeviceRequest(db: Db, id: number): Promise<boolean> {
    return changed(await db.deleteFrom('oauth_device_requests').where('id', '=', id).executeTakeFirst());
  },

  async deleteExpiredSessions(db: Db, now: Timestamp): Promise<void> {
    await db.deleteFrom('oauth_sessions').where('expires_at', '<=', now).execute();
  },

  async insertSession(db: Db, row: NewRow<'oauth_sessions'>): Promise<void> {
    await db.insertInto('oauth_sessions').values(row).execute();
  },

  async liveSessionUser(db: Db, tokenHash: string, now: Timestamp): Promise<number | undefined> {
    const row = await db.selectFrom('oauth_sessions').select('user_id').where('token_hash', '=', tokenHash).where('expires_at', '>', now).executeTakeFirst();
    return row?.user_id;
  },

  async deleteSession(db: Db, tokenHash: string): Promise<void> {
    await db.deleteFrom('oauth_sessions').where('token_hash', '=', tokenHash).execute();
  },
};
