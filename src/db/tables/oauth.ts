import type { ColumnType, Generated } from 'kysely';

/** Tables added by migration 0014_oauth (OAuth), as Kysely sees them. */
export interface OAuthTables {
  oauth_clients: OAuthClientsTable;
  oauth_grants: OAuthGrantsTable;
  oauth_tokens: OAuthTokensTable;
  oauth_device_requests: OAuthDeviceRequestsTable;
  oauth_sessions: OAuthSessionsTable;
}

export interface OAuthClientsTable {
  id: Generated<number>;
  name: string;
  uid: string;
  secret_hash: string;
  redirect_uris: string;
  scopes: string;
  /** SQLite answers 0/1 here: read it through Boolean(). */
  confidential: ColumnType<boolean, boolean | undefined, boolean>;
  created_by: number | null;
  created_at: string;
}

export interface OAuthGrantsTable {
  id: Generated<number>;
  client_id: number;
  user_id: number;
  code_hash: string;
  redirect_uri: string;
  scopes: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface OAuthTokensTable {
  id: Generated<number>;
  client_id: number;
  user_id: number;
  access_hash: string;
  refresh_hash: string | null;
  scopes: string;
  created_at: string;
  expires_at: string;
  refresh_expires_at: string | null;
  revoked_at: string | null;
}

export interface OAuthDeviceRequestsTable {
  id: Generated<number>;
  client_id: number;
  device_code_hash: string;
  user_code_hash: string;
  status: ColumnType<string, string | undefined, string>;
  user_id: number | null;
  created_at: string;
  expires_at: string;
}

export interface OAuthSessionsTable {
  id: Generated<number>;
  user_id: number;
  token_hash: string;
  created_at: string;
  expires_at: string;
}
