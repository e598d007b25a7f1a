import type { Kysely } from 'kysely';
import type { Engine } from '../columns.ts';
import type { TableSpec } from '../table-spec.ts';
import { createTable, flag, opt, ref, req } from '../table-spec.ts';

/**
 * The OAuth2 server (Autolab's clients). Secrets, tokens, codes and user codes are stored only as
 * SHA-256 hashes: whoever reads the database cannot present any of them.
 */
const clients = {
  name: 'oauth_clients',
  columns: {
    name: req('text'),
    /** The public client_id (Doorkeeper's `uid`). */
    uid: req('text', { unique: true }),
    secret_hash: req('text'),
    /** JSON array of the registered redirect URIs. */
    redirect_uris: req('json'),
    /** Space-separated scopes. */
    scopes: req('text'),
    confidential: flag(true),
    created_by: ref('users', false),
    created_at: req('timestamp'),
  },
} as const satisfies TableSpec;

/** Authorization codes (Doorkeeper's access grants): one use, short-lived. */
const grants = {
  name: 'oauth_grants',
  columns: {
    client_id: ref('oauth_clients'),
    user_id: ref('users'),
    code_hash: req('text', { unique: true }),
    redirect_uri: req('text'),
    scopes: req('text'),
    created_at: req('timestamp'),
    expires_at: req('timestamp'),
    used_at: opt('timestamp'),
  },
  indexes: [['expires_at']],
} as const satisfies TableSpec;

/** One row per issued access token and its refresh token. */
const tokens = {
  name: 'oauth_tokens',
  columns: {
    client_id: ref('oauth_clients'),
    user_id: ref('users'),
    access_hash: req('text', { unique: true }),
    refresh_hash: opt('text', { unique: true }),
    scopes: req('text'),
    created_at: req('timestamp'),
    expires_at: req('timestamp'),
    /** When the refresh token stops working; null: never (upstream's default). */
    refresh_expires_at: opt('timestamp'),
    revoked_at: opt('timestamp'),
  },
} as const satisfies TableSpec;

/** Autolab's device flow: a pending request, then the user's answer. */
const deviceRequests = {
  name: 'oauth_device_requests',
  columns: {
    client_id: ref('oauth_clients'),
    device_code_hash: req('text', { unique: true }),
    user_code_hash: req('text', { unique: true }),
    /** pending | granted | denied */
    status: req('text', { default: 'pending' }),
    user_id: ref('users', false),
    created_at: req('timestamp'),
    expires_at: req('timestamp'),
  },
  indexes: [['expires_at']],
  checks: ["status IN ('pending', 'granted', 'denied')"],
} as const satisfies TableSpec;

/** Browser sign-in for the consent and activation pages (an HttpOnly cookie holds the secret). */
const sessions = {
  name: 'oauth_sessions',
  columns: {
    user_id: ref('users'),
    token_hash: req('text', { unique: true }),
    created_at: req('timestamp'),
    expires_at: req('timestamp'),
  },
  indexes: [['expires_at']],
} as const satisfies TableSpec;

export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  const existing = new Set(['users']);
  for (const spec of [clients, grants, tokens, deviceRequests, sessions]) await createTable(db, engine, spec, existing);
}
