import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { actorClient } from '../helpers/fixtures.ts';
import { engineUnderTest, startTestServer } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';
import type { Reply } from '../helpers/http.ts';
import { call } from '../helpers/http.ts';
import type { MatrixRow } from '../helpers/matrix.ts';
import { statuses, wrongCells } from '../helpers/matrix.ts';
import type { RegisteredClient } from './oauth-helpers.ts';
import { authorizationCode, browserSession, registerClient, tokenRequest } from './oauth-helpers.ts';

/**
 * The OAuth2 server (`/oauth/…` and Assay's client and device endpoints): each route × each
 * caller. Callers: nobody; a signed-in user (a browser session and an API token); the client the
 * grant was made for (its credentials); another registered client (its credentials); an admin
 * (a browser session and an API token). Each row sends what that caller has.
 */
const CALLERS = ['anonymous', 'user', 'client', 'other_client', 'admin'] as const;
type Caller = (typeof CALLERS)[number];

interface Credentials {
  cookie?: string;
  token?: string;
  client?: RegisteredClient;
}

describe(`OAuth permission matrix (each caller × each route), on ${engineUnderTest}`, () => {
  let server: TestServer;
  let app: RegisteredClient;
  let user: { username: string; cookie: string };
  const creds: Record<Caller, Credentials> = { anonymous: {}, user: {}, client: {}, other_client: {}, admin: {} };

  before(async () => {
    server = await startTestServer({ env: { ASSAY_OAUTH_DEVICE_INIT_MAX: '1000', ASSAY_OAUTH_DEVICE_AUTHORIZE_MAX: '1000' } });
    app = await registerClient(server);
    const student = await actorClient(server, 1);
    const admin = await actorClient(server, 5);
    user = { username: student.username, cookie: await browserSession(server, student.username) };
    creds.user = { cookie: user.cookie, token: student.api.token };
    creds.client = { client: app };
    creds.other_client = { client: await registerClient(server) };
    creds.admin = { cookie: await browserSession(server, admin.username), token: admin.api.token };
  });
  after(() => server?.close());

  const withCredentials = (who: Caller): Record<string, string> =>
    creds[who].client ? { client_id: creds[who].client.client_id, client_secret: creds[who].client.client_secret } : {};
  const bearer = (who: Caller) => ({ token: creds[who].token });
  const browser = (who: Caller): { headers: Record<string, string> } => ({ headers: creds[who].cookie ? { cookie: creds[who].cookie } : {} });

  /** A device request of `app`, approved by the user: its device code. */
  const approvedDevice = async (): Promise<string> => {
    const started = await call(server.app, 'GET', `/oauth/device_flow_init?client_id=${encodeURIComponent(app.client_id)}`);
    assert.equal(started.status, 200, started.text);
    const approved = await call(server.app, 'POST', '/api/assay/v1/oauth/device/approve', { ...bearer('user'), json: { user_code: started.body.user_code } });
    assert.equal(approved.status, 200, approved.text);
    return started.body.device_code as string;
  };

  it('answers every caller of every route as the core decides', async () => {
    const s = (...codes: number[]) => statuses(CALLERS, codes);
    const authorize = new URLSearchParams({ client_id: app.client_id, redirect_uri: app.redirect_uris[0]!, response_type: 'code', scope: 'user_info', state: 's' });
    const rows: MatrixRow<Caller>[] = [
      // Without a session the browser is sent to sign in (302); with one, it sees the consent page.
      { name: 'GET authorize', expect: s(302, 200, 302, 302, 200), call: (who) => call(server.app, 'GET', `/oauth/authorize?${authorize}`, browser(who)) },
      {
        name: 'POST token (a code issued to the client)',
        expect: s(401, 401, 200, 400, 401),
        call: async (who) => {
          const code = await authorizationCode(server, app, user.cookie, 'user_info');
          return tokenRequest(server, { grant_type: 'authorization_code', code, redirect_uri: app.redirect_uris[0]!, ...withCredentials(who) });
        },
      },
      {
        name: 'GET device_flow_authorize (a request of the client, approved)',
        expect: s(400, 400, 200, 400, 400),
        call: async (who): Promise<Reply> => {
          const device_code = await approvedDevice();
          return call(server.app, 'GET', `/oauth/device_flow_authorize?${new URLSearchParams({ client_id: creds[who].client?.client_id ?? '', device_code })}`);
        },
      },
      {
        name: 'POST device/approve (a signed-in user approves)',
        expect: s(401, 200, 401, 401, 200),
        call: async (who) => {
          const started = await call(server.app, 'GET', `/oauth/device_flow_init?client_id=${encodeURIComponent(app.client_id)}`);
          return call(server.app, 'POST', '/api/assay/v1/oauth/device/approve', { ...bearer(who), json: { user_code: started.body.user_code } });
        },
      },
      {
        name: 'POST oauth/clients (admins only)',
        expect: s(401, 403, 401, 401, 201),
        call: (who) => call(server.app, 'POST', '/api/assay/v1/oauth/clients/', { ...bearer(who), json: { name: 'App', redirect_uris: ['https://x.example/cb'], scopes: ['user_info'] } }),
      },
    ];
    assert.deepEqual(await wrongCells(CALLERS, rows), []);
  });
});
