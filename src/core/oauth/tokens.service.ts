import type { Db } from '../../db/database.ts';
import type { OAuthSettings } from '../../settings/oauth.ts';
import type { Clock } from '../clock.ts';
import { addSeconds, timestampToDate } from '../clock.ts';
import type { ClientsService, OAuthClient } from './clients.service.ts';
import { missingParameter, oauthError } from './errors.ts';
import { oauthRepo } from './oauth.repo.ts';
import { DEFAULT_SCOPES, formatScopes, isKnownScope, parseScopes } from './scopes.ts';
import { newSecret, sha256Hex } from './secrets.ts';

/** Who a valid access token speaks for, and what it may do. */
export interface OAuthAccess {
  userId: number;
  clientId: number;
  scopes: string[];
}

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  /** Seconds the access token lives. */
  expiresIn: number;
  scopes: string[];
  createdAt: Date;
}

/** What the token endpoint was sent (client credentials already taken from the form or Basic). */
export interface TokenRequest {
  grantType?: string;
  code?: string;
  redirectUri?: string;
  refreshToken?: string;
  clientId?: string;
  clientSecret?: string;
  /** The client's address, for the sign-in limits on client secrets. */
  address: string;
}

/** An authorization request that passed the checks the redirect itself depends on. */
export interface AuthorizationRequest {
  client: OAuthClient;
  redirectUri: string;
  scopes: string[];
}

export interface TokenInfo {
  userId: number;
  scopes: string[];
  expiresIn: number;
  clientUid: string;
  createdAt: Date;
}

const seconds = (d: Date): number => Math.floor(d.getTime() / 1000);

/** Authorization codes, access tokens and rotating refresh tokens (RFC 6749 with Doorkeeper's answers). */
export class OAuthTokensService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly settings: OAuthSettings,
    private readonly clients: ClientsService,
  ) {}

  async issueTokens(input: { clientId: number; userId: number; scopes: string[] }, db: Db = this.db): Promise<IssuedTokens> {
    const accessToken = newSecret();
    const refreshToken = newSecret();
    const now = this.clock.now();
    const { accessTokenSeconds, refreshTokenSeconds } = this.settings;
    await oauthRepo.insertToken(db, {
      client_id: input.clientId,
      user_id: input.userId,
      access_hash: sha256Hex(accessToken),
      refresh_hash: sha256Hex(refreshToken),
      scopes: formatScopes(input.scopes),
      created_at: now,
      expires_at: addSeconds(now, accessTokenSeconds),
      refresh_expires_at: refreshTokenSeconds > 0 ? addSeconds(now, refreshTokenSeconds) : null,
    });
    return { accessToken, refreshToken, expiresIn: accessTokenSeconds, scopes: [...input.scopes], createdAt: timestampToDate(now) };
  }

  async verifyAccessToken(token: string): Promise<OAuthAccess | null> {
    if (token === '') return null;
    const row = await oauthRepo.liveAccessToken(this.db, sha256Hex(token), this.clock.now());
    return row ? { userId: row.user_id, clientId: row.client_id, scopes: parseScopes(row.scopes) } : null;
  }

  /**
   * Checks an authorization request. Errors about the client or the redirect URI cannot be sent
   * to the redirect URI; the others carry it (`details.redirectUri`) so the dialect redirects them.
   */
  async checkAuthorization(input: { clientId?: string; redirectUri?: string; responseType?: string; scope?: string }): Promise<AuthorizationRequest> {
    const client = input.clientId ? await this.clients.byUid(input.clientId) : null;
    if (!client) throw oauthError('invalid_client');
    const redirectUri = input.redirectUri || (client.redirectUris.length === 1 ? client.redirectUris[0]! : undefined);
    if (!redirectUri) throw missingParameter('redirect_uri');
    if (!client.redirectUris.includes(redirectUri)) throw oauthError('invalid_redirect_uri');
    if (!input.responseType) throw missingParameter('response_type', redirectUri);
    if (input.responseType !== 'code') throw oauthError('unsupported_response_type', { redirectUri });
    const scopes = input.scope ? parseScopes(input.scope) : [...DEFAULT_SCOPES];
    if (scopes.length === 0 || scopes.some((s) => !isKnownScope(s) || !client.scopes.includes(s))) throw oauthError('invalid_scope', { redirectUri });
    return { client, redirectUri, scopes };
  }

  /** The signed-in user consented: a one-time authorization code for the client. */
  async createAuthorizationCode(userId: number, request: { clientId: number; redirectUri: string; scopes: string[] }, db: Db = this.db): Promise<string> {
    const code = newSecret();
    const now = this.clock.now();
    await oauthRepo.deleteExpiredGrants(db, now);
    await oauthRepo.insertGrant(db, {
      client_id: request.clientId,
      user_id: userId,
      code_hash: sha256Hex(code),
      redirect_uri: request.redirectUri,
      scopes: formatScopes(request.scopes),
      created_at: now,
      expires_at: addSeconds(now, this.settings.codeSeconds),
    });
    return code;
  }

  /** `POST /oauth/token`: the authorization_code and refresh_token grants. */
  async exchange(request: TokenRequest): Promise<IssuedTokens> {
    if (!request.grantType) throw missingParameter('grant_type');
    if (request.grantType !== 'authorization_code' && request.grantType !== 'refresh_token') throw oauthError('unsupported_grant_type');
    const client = await this.clients.authenticate(request.clientId, request.clientSecret, request.address);
    return request.grantType === 'authorization_code' ? this.redeemCode(client, request) : this.refresh(client, request);
  }

  private async redeemCode(client: OAuthClient, request: TokenRequest): Promise<IssuedTokens> {
    if (!request.code) throw missingParameter('code');
    if (!request.redirectUri) throw missingParameter('redirect_uri');
    const { code, redirectUri } = request;
    return this.db.transaction().execute(async (trx) => {
      const grant = await oauthRepo.spendGrant(trx, sha256Hex(code), client.id, this.clock.now());
      if (!grant || grant.redirect_uri !== redirectUri) throw oauthError('invalid_grant');
      return this.issueTokens({ clientId: client.id, userId: grant.user_id, scopes: parseScopes(grant.scopes) }, trx);
    });
  }

  /** Rotation: the presented refresh token (and its access token) is revoked as the new pair is issued. */
  private async refresh(client: OAuthClient, request: TokenRequest): Promise<IssuedTokens> {
    if (!request.refreshToken) throw missingParameter('refresh_token');
    const refreshHash = sha256Hex(request.refreshToken);
    return this.db.transaction().execute(async (trx) => {
      const now = this.clock.now();
      const row = await oauthRepo.tokenByRefreshHash(trx, refreshHash);
      const live = row && row.client_id === client.id && row.revoked_at === null && (row.refresh_expires_at === null || row.refresh_expires_at > now);
      if (!live || !(await oauthRepo.revokeToken(trx, row.id, now))) throw oauthError('invalid_grant');
      return this.issueTokens({ clientId: client.id, userId: row.user_id, scopes: parseScopes(row.scopes) }, trx);
    });
  }

  /** `POST /oauth/revoke` (RFC 7009): revokes the client's own token; unknown tokens are not an error. */
  async revoke(request: { token?: string; clientId?: string; clientSecret?: string; address: string }): Promise<void> {
    const client = await this.clients.authenticate(request.clientId, request.clientSecret, request.address);
    if (!request.token) throw missingParameter('token');
    const hash = sha256Hex(request.token);
    const row = (await oauthRepo.tokenByAccessHash(this.db, hash)) ?? (await oauthRepo.tokenByRefreshHash(this.db, hash));
    if (row && row.client_id === client.id) await oauthRepo.revokeToken(this.db, row.id, this.clock.now());
  }

  /** `GET /oauth/token/info`: what a live access token grants. */
  async info(token: string | undefined): Promise<TokenInfo> {
    const row = token ? await oauthRepo.liveAccessToken(this.db, sha256Hex(token), this.clock.now()) : undefined;
    if (!row) throw oauthError('invalid_token');
    const expires = timestampToDate(row.expires_at);
    const created = timestampToDate(row.created_at);
    return { userId: row.user_id, scopes: parseScopes(row.scopes), clientUid: row.uid, createdAt: created, expiresIn: seconds(expires) - Math.floor(this.clock.nowMs() / 1000) };
  }
}
