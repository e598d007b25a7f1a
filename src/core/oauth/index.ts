import type { Actor } from '../actor.ts';
import type { BaseServices } from '../services.ts';
import type { OAuthClient, OAuthClientCreated } from './clients.service.ts';
import { ClientsService } from './clients.service.ts';
import type { DeviceRequestStarted, DeviceRequestSummary } from './device-flow.service.ts';
import { DeviceFlowService } from './device-flow.service.ts';
import { BrowserSessionsService } from './sessions.service.ts';
import type { AuthorizationRequest, IssuedTokens, OAuthAccess, TokenInfo, TokenRequest } from './tokens.service.ts';
import { OAuthTokensService } from './tokens.service.ts';

export { OAUTH_SCOPES, type OAuthScope } from './scopes.ts';
export type { AuthorizationRequest, DeviceRequestStarted, DeviceRequestSummary, IssuedTokens, OAuthAccess, OAuthClient, OAuthClientCreated, TokenInfo, TokenRequest };

/** OAuth2 clients, grants and tokens (Autolab's clients sign in through it). */
export interface OAuthServices {
  /** Registers a client application (admins only); the secret is shown this once. */
  createClient(actor: Actor, input: { name: string; redirectUris: string[]; scopes: string[] }): Promise<OAuthClientCreated>;
  /** Issues a fresh access token and refresh token for a user through a client (every grant ends here). */
  issueTokens(input: { clientId: number; userId: number; scopes: string[] }): Promise<IssuedTokens>;
  /** The access a bearer token grants; null when it is unknown, expired or revoked. */
  verifyAccessToken(token: string): Promise<OAuthAccess | null>;

  /** The authorization endpoint's checks (client, redirect URI, response type, scope). */
  checkAuthorization(input: { clientId?: string; redirectUri?: string; responseType?: string; scope?: string }): Promise<AuthorizationRequest>;
  /** The user consented to a checked request: a one-time authorization code. */
  grantAuthorization(actor: Actor, request: AuthorizationRequest): Promise<string>;
  /** The token endpoint (authorization_code and refresh_token grants). */
  exchangeToken(request: TokenRequest): Promise<IssuedTokens>;
  revokeToken(request: { token?: string; clientId?: string; clientSecret?: string; address: string }): Promise<void>;
  tokenInfo(token: string | undefined): Promise<TokenInfo>;

  /** Autolab's device flow. */
  startDeviceRequest(clientUid: string | undefined): Promise<DeviceRequestStarted>;
  pollDeviceRequest(clientUid: string | undefined, deviceCode: string | undefined): Promise<{ code: string }>;
  isLiveDeviceRequest(clientUid: string | undefined, deviceCode: string | undefined): Promise<boolean>;
  describeDeviceRequest(userCode: string): Promise<DeviceRequestSummary>;
  answerDeviceRequest(actor: Actor, userCode: string, approve: boolean): Promise<void>;

  /** Browser sessions of the consent and activation pages. */
  signIn(username: string, password: string, address: string): Promise<{ key: string; actor: Actor } | null>;
  sessionActor(key: string | undefined): Promise<Actor | null>;
  signOut(key: string | undefined): Promise<void>;
}

export function buildOAuthServices(base: BaseServices): OAuthServices {
  const { db, clock } = base;
  const settings = base.config.oauth;
  const clients = new ClientsService(db, clock, base.signIn.limits);
  const tokens = new OAuthTokensService(db, clock, settings, clients);
  const device = new DeviceFlowService(db, clock, settings.deviceCodeSeconds, clients, tokens);
  const sessions = new BrowserSessionsService(db, clock, base.users, base.signIn, settings.sessionSeconds);
  return {
    createClient: (actor, input) => clients.create(actor, input),
    issueTokens: (input) => tokens.issueTokens(input),
    verifyAccessToken: (token) => tokens.verifyAccessToken(token),
    checkAuthorization: (input) => tokens.checkAuthorization(input),
    grantAuthorization: (actor, request) =>
      tokens.createAuthorizationCode(actor.id, { clientId: request.client.id, redirectUri: request.redirectUri, scopes: request.scopes }),
    exchangeToken: (request) => tokens.exchange(request),
    revokeToken: (request) => tokens.revoke(request),
    tokenInfo: (token) => tokens.info(token),
    startDeviceRequest: (uid) => device.start(uid),
    pollDeviceRequest: (uid, code) => device.poll(uid, code),
    isLiveDeviceRequest: (uid, code) => device.isLive(uid, code),
    describeDeviceRequest: (userCode) => device.describe(userCode),
    answerDeviceRequest: (actor, userCode, approve) => device.answer(actor, userCode, approve),
    signIn: (username, password, address) => sessions.signIn(username, password, address),
    sessionActor: (key) => sessions.actor(key),
    signOut: (key) => sessions.signOut(key),
  };
}
