import type { Db } from '../../db/database.ts';
import { AssayError, fromDatabaseError } from '../errors.ts';
import type { Actor } from '../actor.ts';
import type { Clock } from '../clock.ts';
import { addSeconds } from '../clock.ts';
import type { ClientsService, OAuthClient } from './clients.service.ts';
import { deviceRedirectUri, toClient } from './clients.service.ts';
import { oauthError } from './errors.ts';
import type { DeviceRequestRow } from './oauth.repo.ts';
import { oauthRepo } from './oauth.repo.ts';
import { newDeviceCode, newUserCode, sha256Hex } from './secrets.ts';
import type { OAuthTokensService } from './tokens.service.ts';

export interface DeviceRequestStarted {
  deviceCode: string;
  userCode: string;
}

/** What the activation page shows before the user answers. */
export interface DeviceRequestSummary {
  clientName: string;
  scopes: string[];
}

const invalidUserCode = () => AssayError.field('user_code', 'invalid', 'This code is not valid or has expired.');

/**
 * Autolab's device flow (not RFC 8628): a request the user approves or denies on `/activate`,
 * answered once to the polling client with an authorization code. Requests expire and are bound
 * to the client that started them.
 */
export class DeviceFlowService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly deviceCodeSeconds: number,
    private readonly clients: ClientsService,
    private readonly tokens: OAuthTokensService,
  ) {}

  private async client(uid: string | undefined): Promise<OAuthClient> {
    if (!uid) throw oauthError('device_client_id_missing');
    const client = await this.clients.byUid(uid);
    if (!client) throw oauthError('device_client_id_unknown');
    return client;
  }

  async start(clientUid: string | undefined): Promise<DeviceRequestStarted> {
    const client = await this.client(clientUid);
    const now = this.clock.now();
    await oauthRepo.deleteExpiredDeviceRequests(this.db, now);
    // A user code may collide with a live one (62^6 codes): draw again a few times.
    for (let attempt = 0; attempt < 5; attempt++) {
      const deviceCode = newDeviceCode();
      const userCode = newUserCode();
      try {
        await oauthRepo.insertDeviceRequest(this.db, {
          client_id: client.id,
          device_code_hash: sha256Hex(deviceCode),
          user_code_hash: sha256Hex(userCode),
          created_at: now,
          expires_at: addSeconds(now, this.deviceCodeSeconds),
        });
        return { deviceCode, userCode };
      } catch (e) {
        if (fromDatabaseError(e)?.kind !== 'conflict') throw e;
      }
    }
    throw oauthError('device_request_failed');
  }

  private async request(clientUid: string | undefined, deviceCode: string | undefined): Promise<{ client: OAuthClient; request: DeviceRequestRow }> {
    const client = await this.client(clientUid);
    if (!deviceCode) throw oauthError('device_code_missing');
    const request = await oauthRepo.liveDeviceRequest(this.db, { deviceCodeHash: sha256Hex(deviceCode) }, this.clock.now());
    if (!request || request.client_id !== client.id) throw oauthError('device_code_unknown');
    return { client, request };
  }

  /** True when this client's device code names a live request (polls of it are never throttled). */
  async isLive(clientUid: string | undefined, deviceCode: string | undefined): Promise<boolean> {
    return this.request(clientUid, deviceCode).then(
      () => true,
      () => false,
    );
  }

  /** The poll: pending, denied (once) or granted (once, as an authorization code). */
  async poll(clientUid: string | undefined, deviceCode: string | undefined): Promise<{ code: string }> {
    const { client, request } = await this.request(clientUid, deviceCode);
    if (request.status === 'pending' || request.user_id === null) throw oauthError('authorization_pending');
    const userId = request.user_id;
    const code = await this.db.transaction().execute(async (trx) => {
      if (!(await oauthRepo.deleteDeviceRequest(trx, request.id))) throw oauthError('device_code_unknown');
      if (request.status === 'denied') return null;
      // The request is granted the client's whole registered scope list, as upstream does.
      return this.tokens.createAuthorizationCode(userId, { clientId: client.id, redirectUri: deviceRedirectUri(client), scopes: client.scopes }, trx);
    });
    if (code === null) throw oauthError('device_denied');
    return { code };
  }

  async describe(userCode: string): Promise<DeviceRequestSummary> {
    const { client } = await this.pendingByUserCode(userCode);
    return { clientName: client.name, scopes: client.scopes };
  }

  /** The signed-in user approves (or denies) the request showing this user code. */
  async answer(actor: Actor, userCode: string, approve: boolean): Promise<void> {
    const { request } = await this.pendingByUserCode(userCode);
    if (!(await oauthRepo.answerDeviceRequest(this.db, request.id, approve ? 'granted' : 'denied', actor.id))) throw invalidUserCode();
  }

  private async pendingByUserCode(userCode: string): Promise<{ request: DeviceRequestRow; client: OAuthClient }> {
    const request = userCode ? await oauthRepo.liveDeviceRequest(this.db, { userCodeHash: sha256Hex(userCode) }, this.clock.now()) : undefined;
    const row = request && request.status === 'pending' ? await oauthRepo.clientById(this.db, request.client_id) : undefined;
    if (!request || !row) throw invalidUserCode();
    return { request, client: toClient(row) };
  }
}
