import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import { actorClient } from '../helpers/fixtures.ts';
import { startTestServer } from '../helpers/harness.ts';
import type { TestServer } from '../helpers/harness.ts';
import { call } from '../helpers/http.ts';
import type { Client } from '../helpers/http.ts';
import type { RegisteredClient } from './oauth-helpers.ts';
import { browserSession, CLI_SCOPES, formToken, hiddenField, registerClient, tokenRequest } from './oauth-helpers.ts';

const CALLBACK = 'http://localhost:3000/device_flow_auth_cb';
const PENDING = { error: 'authorization_pending' };
const UNKNOWN_CODE = { error: 'Invalid device_code. User may have denied access' };

describe('oauth device flow (Autolab)', () => {
  let server: TestServer;
  let cli: RegisteredClient;
  let user: { id: number; username: string; api: Client };
  const clock = new ManualClock('2024-03-01T12:00:00Z');

  before(async () => {
    server = await startTestServer({
      clock,
      env: { ASSAY_PUBLIC_URL: 'https://assay.example', ASSAY_OAUTH_DEVICE_INIT_MAX: '1000', ASSAY_OAUTH_DEVICE_AUTHORIZE_MAX: '1000' },
    });
    cli = await registerClient(server, ['https://elsewhere.example/cb', CALLBACK], CLI_SCOPES);
    user = await actorClient(server, 1);
  });
  after(() => server.close());

  const init = async (client = cli) => {
    const res = await call(server.app, 'GET', `/oauth/device_flow_init?client_id=${encodeURIComponent(client.client_id)}`);
    assert.equal(res.status, 200, res.text);
    return res.body as { device_code: string; user_code: string; verification_uri: string };
  };
  const poll = (deviceCode: string, client = cli) =>
    call(server.app, 'GET', `/oauth/device_flow_authorize?${new URLSearchParams({ client_id: client.client_id, device_code: deviceCode })}`);

  it('runs init → pending → approve → one-time code → tokens', async () => {
    const started = await init();
    assert.deepEqual(Object.keys(started).sort(), ['device_code', 'user_code', 'verification_uri']);
    assert.match(started.device_code, /^[0-9a-f]{64}$/);
    assert.match(started.user_code, /^[A-Za-z0-9]{6}$/);
    assert.equal(started.verification_uri, 'https://assay.example/activate');
    const rows = await server.services.db.selectFrom('oauth_device_requests').selectAll().execute();
    assert.ok(!JSON.stringify(rows).includes(started.device_code) && !JSON.stringify(rows).includes(started.user_code), 'only hashes stored');

    const pending = await poll(started.device_code);
    assert.equal(pending.status, 400);
    assert.deepEqual(pending.body, PENDING);

    const approved = await user.api.post('/api/assay/v1/oauth/device/approve', { json: { user_code: started.user_code } });
    assert.equal(approved.status, 200, approved.text);
    assert.deepEqual(approved.body, { user_code: started.user_code, status: 'approved' });

    const granted = await poll(started.device_code);
    assert.equal(granted.status, 200, granted.text);
    assert.deepEqual(Object.keys(granted.body), ['code']);
    assert.deepEqual((await poll(started.device_code)).body, UNKNOWN_CODE, 'the answer is one-shot');

    const wrongUri = await tokenRequest(server, { grant_type: 'authorization_code', code: granted.body.code, redirect_uri: 'https://elsewhere.example/cb', client_id: cli.client_id, client_secret: cli.client_secret });
    assert.equal(wrongUri.body.error, 'invalid_grant');
    const grantedAgain = await runApproved();
    const tokens = await tokenRequest(server, { grant_type: 'authorization_code', code: grantedAgain, redirect_uri: CALLBACK, client_id: cli.client_id, client_secret: cli.client_secret });
    assert.equal(tokens.status, 200, tokens.text);
    assert.equal(tokens.body.scope, CLI_SCOPES.join(' '), 'the full registered scope list');
    assert.deepEqual(await server.services.oauth.verifyAccessToken(tokens.body.access_token), { userId: user.id, clientId: cli.id, scopes: CLI_SCOPES });

    // As autolab-cli goes on: the Autolab API with the token, then with a refreshed one.
    const me = await call(server.app, 'GET', '/api/v1/user', { headers: { authorization: `Bearer ${tokens.body.access_token}` } });
    assert.equal(me.status, 200, me.text);
    assert.equal(me.body.email, (await server.services.db.selectFrom('users').select('email').where('id', '=', user.id).executeTakeFirstOrThrow()).email);
    const refreshed = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: tokens.body.refresh_token, client_id: cli.client_id, client_secret: cli.client_secret });
    assert.equal(refreshed.status, 200, refreshed.text);
    assert.equal((await call(server.app, 'GET', `/api/v1/user?access_token=${refreshed.body.access_token}`)).status, 200);
    assert.deepEqual((await call(server.app, 'GET', `/api/v1/user?access_token=${tokens.body.access_token}`)).body, { error: 'OAuth2 authorization failed' });
  });

  async function runApproved(): Promise<string> {
    const started = await init();
    assert.equal((await user.api.post('/api/assay/v1/oauth/device/approve', { json: { user_code: started.user_code } })).status, 200);
    const res = await poll(started.device_code);
    assert.equal(res.status, 200, res.text);
    return res.body.code as string;
  }

  it('approves through the /activate pages of a signed-in browser', async () => {
    const started = await init();
    const anonymous = await call(server.app, 'GET', '/activate');
    assert.equal(anonymous.status, 302);
    assert.equal(anonymous.headers.location, `/oauth/sign_in?return_to=${encodeURIComponent('/activate')}`);
    const cookie = await browserSession(server, user.username);
    const form = await call(server.app, 'GET', '/activate', { headers: { cookie } });
    assert.equal(form.status, 200);
    assert.match(form.text, /name="user_code"/);
    const wrong = await call(server.app, 'POST', '/activate', { headers: { cookie }, form: { user_code: 'zzzzzz', _csrf: hiddenField(form.text, '_csrf') } });
    assert.equal(wrong.status, 400);
    assert.match(wrong.text, /not valid or has expired/);
    const consent = await call(server.app, 'POST', '/activate', { headers: { cookie }, form: { user_code: started.user_code, _csrf: hiddenField(wrong.text, '_csrf') } });
    assert.equal(consent.status, 200, consent.text);
    assert.match(consent.text, /Test app/);
    assert.match(consent.text, /user_submit/);
    assert.deepEqual((await poll(started.device_code)).body, PENDING, 'seeing the consent page answers nothing');
    const done = await call(server.app, 'POST', '/activate/confirm', { headers: { cookie }, form: { user_code: started.user_code, _csrf: hiddenField(consent.text, '_csrf'), decision: 'approve' } });
    assert.equal(done.status, 200);
    assert.match(done.text, /Device approved/);
    assert.equal((await poll(started.device_code)).status, 200);
  });

  it('refuses a cross-site approval riding a signed-in browser: foreign or null Origin, cross-site fetch, missing or wrong form token', async () => {
    const started = await init();
    const cookie = await browserSession(server, user.username);
    const _csrf = await formToken(server, cookie);
    const other = await formToken(server, await browserSession(server, user.username));
    const approve = { user_code: started.user_code, decision: 'approve' };
    const attempts: [Record<string, string>, Record<string, string>][] = [
      [{ origin: 'https://evil.example' }, { ...approve, _csrf }],
      [{ origin: 'null' }, { ...approve, _csrf }],
      [{ 'sec-fetch-site': 'cross-site' }, { ...approve, _csrf }],
      [{}, approve],
      [{}, { ...approve, _csrf: 'forged' }],
      [{}, { ...approve, _csrf: other }],
    ];
    for (const [headers, form] of attempts) {
      for (const url of ['/activate/confirm', '/activate']) {
        const res = await call(server.app, 'POST', url, { headers: { cookie, ...headers }, form });
        assert.equal(res.status, 403, `${url} ${JSON.stringify(headers)} ${JSON.stringify(form)}: ${res.text}`);
        assert.match(String(res.headers['content-type']), /text\/html/);
        assert.match(res.text, /Request refused/);
      }
    }
    assert.deepEqual((await poll(started.device_code)).body, PENDING, 'nothing was approved');
    // The browser's own form, from this server's page, still works.
    const own = await call(server.app, 'POST', '/activate/confirm', { headers: { cookie, origin: 'http://localhost:80', host: 'localhost:80' }, form: { ...approve, _csrf } });
    assert.equal(own.status, 200, own.text);
    assert.equal((await poll(started.device_code)).status, 200);
  });

  it('reports a denial once, then forgets the request', async () => {
    const started = await init();
    const denied = await user.api.post('/api/assay/v1/oauth/device/deny', { json: { user_code: started.user_code } });
    assert.equal(denied.status, 200, denied.text);
    assert.deepEqual(denied.body, { user_code: started.user_code, status: 'denied' });
    const answer = await poll(started.device_code);
    assert.equal(answer.status, 400);
    assert.deepEqual(answer.body, { error: 'authorization denied by user' });
    assert.deepEqual((await poll(started.device_code)).body, UNKNOWN_CODE);

    const viaPage = await init();
    const cookie = await browserSession(server, user.username);
    const res = await call(server.app, 'POST', '/activate/confirm', { headers: { cookie }, form: { user_code: viaPage.user_code, _csrf: await formToken(server, cookie), decision: 'deny' } });
    assert.match(res.text, /Device denied/);
    assert.deepEqual((await poll(viaPage.device_code)).body, { error: 'authorization denied by user' });
  });

  it('treats user codes as case-sensitive and answers each request once', async () => {
    const started = await init();
    const swapped = [...started.user_code].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('');
    if (swapped !== started.user_code) {
      const res = await user.api.post('/api/assay/v1/oauth/device/approve', { json: { user_code: swapped } });
      assert.equal(res.status, 400);
    }
    assert.equal((await user.api.post('/api/assay/v1/oauth/device/approve', { json: { user_code: started.user_code } })).status, 200);
    const twice = await user.api.post('/api/assay/v1/oauth/device/deny', { json: { user_code: started.user_code } });
    assert.equal(twice.status, 400);
    assert.equal(twice.body.errors[0].attr, 'user_code');
    assert.equal((await poll(started.device_code)).status, 200, 'the first answer stands');
  });

  it('validates the approve endpoint input and needs a signed-in caller', async () => {
    const missing = await user.api.post('/api/assay/v1/oauth/device/approve', { json: {} });
    assert.equal(missing.status, 400);
    assert.equal(missing.body.type, 'validation_error');
    assert.equal(missing.body.errors[0].attr, 'user_code');
    const anonymous = await call(server.app, 'POST', '/api/assay/v1/oauth/device/approve', { json: { user_code: 'abcdef' } });
    assert.equal(anonymous.status, 401);
  });

  it('expires requests after 10 minutes', async () => {
    const started = await init();
    clock.advance(599_000);
    assert.deepEqual((await poll(started.device_code)).body, PENDING);
    clock.advance(1_000);
    assert.deepEqual((await poll(started.device_code)).body, UNKNOWN_CODE);
    const approver = await actorClient(server, 1);
    const late = await approver.api.post('/api/assay/v1/oauth/device/approve', { json: { user_code: started.user_code } });
    assert.equal(late.status, 400);
  });

  it('binds a request to the client that started it', async () => {
    const other = await registerClient(server, [CALLBACK]);
    const started = await init();
    // A fresh sign-in: the clock has moved past the first user's Assay access token.
    const approver = await actorClient(server, 1);
    assert.equal((await approver.api.post('/api/assay/v1/oauth/device/approve', { json: { user_code: started.user_code } })).status, 200);
    const stolen = await poll(started.device_code, other);
    assert.equal(stolen.status, 400);
    assert.deepEqual(stolen.body, UNKNOWN_CODE);
    assert.equal((await poll(started.device_code)).status, 200, 'still there for its own client');
  });

  it('answers parameter problems with the upstream table, in order', async () => {
    const get = (query: string) => call(server.app, 'GET', `/oauth/device_flow_authorize${query}`);
    const cases: [string, object][] = [
      ['', { error: "Required param 'client_id' not present" }],
      ['?device_code=abc', { error: "Required param 'client_id' not present" }],
      ['?client_id=nope&device_code=abc', { error: 'Unrecognized client_id' }],
      [`?client_id=${encodeURIComponent(cli.client_id)}`, { error: "Required param 'device_code' not present" }],
      [`?client_id=${encodeURIComponent(cli.client_id)}&device_code=${'0'.repeat(64)}`, UNKNOWN_CODE],
    ];
    for (const [query, body] of cases) {
      const res = await get(query);
      assert.equal(res.status, 400, query);
      assert.deepEqual(res.body, body, query);
      assert.match(String(res.headers['content-type']), /^application\/json/);
    }
    const initMissing = await call(server.app, 'GET', '/oauth/device_flow_init');
    assert.equal(initMissing.status, 400);
    assert.deepEqual(initMissing.body, { error: "Required param 'client_id' not present" });
    const initUnknown = await call(server.app, 'GET', '/oauth/device_flow_init?client_id=nope');
    assert.deepEqual(initUnknown.body, { error: 'Unrecognized client_id' });
  });
});

describe('oauth device flow rate limits', () => {
  let server: TestServer;
  let cli: RegisteredClient;

  before(async () => {
    // Default init limit (5 a minute); the poll window is widened so a slow machine cannot slip past it.
    server = await startTestServer({ env: { ASSAY_OAUTH_DEVICE_AUTHORIZE_WINDOW_SECONDS: '60' } });
    cli = await registerClient(server, [CALLBACK]);
  });
  after(() => server.close());

  it('limits device_flow_init per address with 429 and the upstream string', async () => {
    const url = `/oauth/device_flow_init?client_id=${encodeURIComponent(cli.client_id)}`;
    const codes: string[] = [];
    const userCodes: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await call(server.app, 'GET', url);
      assert.equal(res.status, 200, `request ${i + 1}`);
      codes.push(res.body.device_code);
      userCodes.push(res.body.user_code);
    }
    const limited = await call(server.app, 'GET', url);
    assert.equal(limited.status, 429);
    assert.deepEqual(limited.body, { error: 'Too Many Requests. Retry Later.' });
    assert.match(String(limited.headers['content-type']), /^application\/json/);
    assert.equal(limited.headers['x-ratelimit-limit'], '5');
    assert.equal(limited.headers['x-ratelimit-remaining'], '0');
    const reset = Number(limited.headers['x-ratelimit-reset']);
    const now = Date.now() / 1000;
    assert.ok(reset > now && reset <= now + 61, `reset ${reset} is a Unix time within the window`);

    // Polls: one per window; a live request is answered authorization_pending instead of 429.
    const poll = (deviceCode: string) => call(server.app, 'GET', `/oauth/device_flow_authorize?${new URLSearchParams({ client_id: cli.client_id, device_code: deviceCode })}`);
    assert.deepEqual((await poll(codes[0]!)).body, PENDING);
    const early = await poll(codes[1]!);
    assert.equal(early.status, 400);
    assert.deepEqual(early.body, PENDING);
    assert.equal(early.headers['x-ratelimit-remaining'], undefined);
    const unknown = await poll('f'.repeat(64));
    assert.equal(unknown.status, 429);
    assert.deepEqual(unknown.body, { error: 'Too Many Requests. Retry Later.' });
    assert.equal(unknown.headers['x-ratelimit-limit'], '1');

    // Even an approved request is only revealed once the window allows the poll.
    const user = await actorClient(server, 1);
    assert.equal((await user.api.post('/api/assay/v1/oauth/device/approve', { json: { user_code: userCodes[2]! } })).status, 200);
    assert.deepEqual((await poll(codes[2]!)).body, PENDING);
  });
});
